package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * samples/hostile-strings.pcap (recorded by samples/record.sh) is a real Nagle exchange whose
 * request target carries {@code
 * <script>alert(1)</script>|**bold**|_u_|[x](javascript:alert(1))|`code`} and whose User-Agent
 * carries an {@code <img onerror>}, {@code |}, {@code **}, quotes and an ANSI escape. Every report
 * must show them as text and inject nothing.
 */
class InjectionTest {
  static final Path HOSTILE = Paths.get("samples/hostile-strings.pcap");

  @Test
  void theSampleReallyCarriesThePayloads() throws IOException {
    JsonNode r = new ObjectMapper().readTree(Reports.json(HOSTILE));
    JsonNode t = r.path("connections").get(0).path("transactions").get(0);
    assertTrue(t.path("uri").asText().startsWith("/<script>alert(1)</script>|**bold**|"));
    assertTrue(t.path("request_headers").path("user-agent").asText().contains("\u001b[31m"));
    assertTrue(
        r.path("findings").toString().contains("<script>"), "a finding summary quotes the URI");
  }

  @Test
  void htmlIsInert() throws IOException {
    String html = ReportFormatsGoldenTest.render(Reports.json(HOSTILE), ReportFormat.HTML);
    assertEquals(1, count(html, "<script"), "only connscope's own script element");
    assertFalse(html.contains("<img"), "no element from the packets");
    assertFalse(html.contains("\u001b"), "no raw escape character");
    assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the payload shows as text");
    assertTrue(html.contains("\\x1b[31m"), "the escape character shows as \\x1b");
    assertTrue(
        html.contains("&quot;quote&quot; &#39;single&#39; &amp;amp;"),
        "quotes cannot end an attribute");
    // every attribute value is quoted and contains no raw quote or angle bracket
    Matcher m = Pattern.compile("<[a-zA-Z][^>]*>").matcher(html);
    while (m.find()) {
      String tag = m.group();
      assertFalse(tag.contains("onerror") || tag.contains("javascript:"), tag);
    }
  }

  @Test
  void markdownIsInert() throws IOException {
    String md = ReportFormatsGoldenTest.render(Reports.json(HOSTILE), ReportFormat.MARKDOWN);
    assertFalse(md.contains("<script"), "no raw HTML");
    assertFalse(md.contains("<img"), "no raw HTML");
    assertFalse(md.contains("\u001b"), "no raw escape character");
    assertFalse(md.contains("|**bold**|"), "no live emphasis or table separator from the packets");
    assertFalse(Pattern.compile("(?<!\\\\)\\]\\(javascript:").matcher(md).find(), "no link");
    assertTrue(md.contains("\\[x\\](javascript:alert(1))"), "the link text is escaped");
    assertTrue(
        md.contains("&lt;script&gt;alert\\(1\\)") || md.contains("&lt;script&gt;alert(1)"), md);
    assertTrue(md.contains("\\|\\*\\*bold\\*\\*\\|"), "escaped, visible");
    // every table row has as many unescaped cell separators as its header
    int cols = -1;
    for (String line : md.split("\n")) {
      if (!line.startsWith("|")) {
        cols = -1;
        continue;
      }
      int pipes =
          line.replace("\\|", "").replace("\\\\", "").length()
              - line.replace("\\|", "").replace("\\\\", "").replace("|", "").length();
      if (cols < 0) {
        cols = pipes;
      }
      assertEquals(cols, pipes, "row breaks the table: " + line);
    }
  }

  @Test
  void harKeepsTheBytesAsJsonStrings() throws IOException {
    JsonNode har =
        new ObjectMapper()
            .readTree(ReportFormatsGoldenTest.render(Reports.json(HOSTILE), ReportFormat.HAR));
    JsonNode e = har.path("log").path("entries").get(0);
    assertTrue(
        e.path("request").path("url").asText().contains("/<script>alert(1)</script>|**bold**|"));
    boolean agent = false;
    for (JsonNode h : e.path("request").path("headers")) {
      agent |=
          h.path("name").asText().equals("user-agent")
              && h.path("value").asText().contains("\u001b[31m");
    }
    assertTrue(agent, "HAR keeps header values exactly (JSON escapes them)");
  }

  private static int count(String s, String sub) {
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
      n++;
    }
    return n;
  }
}
