package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * TLS facts in the Markdown and HTML reports, on the real TLS samples (recorded by
 * samples/record-tls.sh): the TLS table, the failure and its alert, inferred exchanges marked as
 * such, the waterfall's TLS segment; and a report whose SNI and ALPN carry markup renders them as
 * text (the report is the sample's, with those strings replaced, as a report from elsewhere could
 * carry them: {@code connscope report} renders any valid JSON report).
 */
class TlsReportsTest {
  static final Path TLS = Paths.get("samples/tls-https.pcap");
  static final Path DSB = Paths.get("samples/tls-https-dsb.pcapng");
  static final String PAYLOAD = "<img src=x onerror=alert(1)>|**b**|`c`\u001b[31m\"q\"";

  /**
   * The sample's JSON report with every SNI and offered/chosen ALPN "http/1.1" replaced by the
   * payload.
   */
  static String hostileJson() throws IOException {
    String quoted = new ObjectMapper().writeValueAsString(PAYLOAD);
    return Reports.json(TLS).replace("\"connscope.test\"", quoted).replace("\"http/1.1\"", quoted);
  }

  @Test
  void markdownListsEveryTlsConnection() throws IOException {
    String md = ReportFormatsGoldenTest.render(Reports.json(TLS), ReportFormat.MARKDOWN);
    assertTrue(
        md.contains(
            "## TLS\n\n8 TLS connections (2 TLS 1.2, 5 TLS 1.3, 1 unknown): 2 resumed, 1 failed."),
        md);
    assertTrue(
        md.contains(
            "| C3 | 127.0.0.1:18160 | connscope.test | TLS 1.3 | TLS\\_AES\\_256\\_GCM\\_SHA384 |"
                + " offered http/1.1 | complete | resumed (psk) | 0.0 ms | 1.5 ms | 0.0 ms | 0.1 ms (inferred) | 1.7 ms | 1 | off |"),
        "C3: resumed with a PSK, its Finished inferred (TLS 1.3 without keys)");
    assertTrue(md.contains("| C4 | 127.0.0.1:18160 | connscope.test | TLS 1.2 |"), md);
    assertTrue(md.contains("| 2 | off |"), "a full TLS 1.2 handshake: 2 round trips");
    assertTrue(
        md.contains(
            "- C7: handshake failed: fatal alert protocol\\_version from the server (frame 108)"),
        md);
    assertTrue(md.contains("- C4: alert from server, frame 63: encrypted (not decrypted)"), md);
    assertFalse(md.contains("close\\_notify"), "close_notify is not a remark");
    // the connection table (with inferred exchanges) is in the HTML and JSON reports
    assertTrue(md.contains("see the HTML or JSON report"), md);
    String html = ReportFormatsGoldenTest.render(Reports.json(TLS), ReportFormat.HTML);
    assertTrue(
        html.contains(
            "<em>~1 inferred exchange: 112 B request in 1 record, 4595 B response in 1 record"),
        "inferred exchanges listed in the HTML connection table");
  }

  @Test
  void decryptedConnectionsShowTransactionsNotInferredExchanges() throws IOException {
    String md = ReportFormatsGoldenTest.render(Reports.json(DSB), ReportFormat.MARKDOWN);
    assertTrue(
        md.contains(
            "| http/1.1 | complete | full | 0.0 ms | 4.3 ms | 0.0 ms | 0.3 ms | 5.6 ms | 1 | decrypted |"),
        "with keys the client Finished is seen, not inferred");
    // C1 is decrypted: its transactions (the slowest are listed), no inferred exchange
    assertTrue(
        md.contains("| C1 #1 | 127.0.0.1:56960 | 127.0.0.1:18160 | GET /b.html | 200 |"), md);
    String html = ReportFormatsGoldenTest.render(Reports.json(DSB), ReportFormat.HTML);
    assertTrue(
        html.contains(
            "<tr><td rowspan=\"2\">C1</td><td rowspan=\"2\">127.0.0.1:56960</td><td"
                + " rowspan=\"2\">127.0.0.1:18160</td>"),
        "C1 with its two transactions in the HTML connection table");
    assertTrue(
        html.contains(
            "C8</td><td rowspan=\"3\">127.0.0.1:52224</td><td rowspan=\"3\">127.0.0.1:18160</td>"
                + "<td rowspan=\"3\" class=\"num\">1120.5 ms</td><td rowspan=\"3\" class=\"num\">3.5"
                + " ms</td><td rowspan=\"3\">both_fin</td><td rowspan=\"3\"><code>ShADadFf</code>"
                + "</td><td><em>~0 inferred exchange"),
        "h2 is not parsed: inferred exchanges");
  }

  @Test
  void htmlDrawsTheTlsSegmentAndMarksInferredRows() throws IOException {
    String html = ReportFormatsGoldenTest.render(Reports.json(TLS), ReportFormat.HTML);
    assertTrue(html.contains("<section id=\"tls\"><h2>TLS</h2>"), "TLS section");
    assertTrue(html.contains("<rect class=\"tls\""), "TLS segment on the waterfall");
    assertTrue(
        html.contains("TLS setup 3.7 ms: ClientHello (frame 22) to the first application data"),
        html);
    assertTrue(
        html.contains("<rect class=\"send inferred\""), "inferred exchanges drawn as inferred");
    assertTrue(html.contains("<text class=\"inferred\" x=\"4\""), "their rows labelled inferred");
    assertTrue(
        html.contains("TLS handshake failed after "), "the failed handshake drawn to the alert");
    String dsb = ReportFormatsGoldenTest.render(Reports.json(DSB), ReportFormat.HTML);
    assertTrue(dsb.contains("<rect class=\"tls\""), dsb);
    assertTrue(dsb.contains("<rect class=\"send\""), "decrypted transactions drawn as seen");
    String plain =
        ReportFormatsGoldenTest.render(
            Reports.json(Paths.get("samples/nagle-post-split.pcap")), ReportFormat.HTML);
    assertFalse(plain.contains("--tls"), "pages without TLS keep their style sheet");
  }

  @Test
  void hostileSniAndAlpnAreText() throws IOException {
    String json = hostileJson();
    assertTrue(json.contains("onerror"), "the payload is in the report");
    String html = ReportFormatsGoldenTest.render(json, ReportFormat.HTML);
    assertFalse(html.contains("<img"), "no element from the SNI");
    assertFalse(html.contains("\u001b"), "no raw escape character");
    assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "the SNI shows as text");
    Matcher m = Pattern.compile("<[a-zA-Z][^>]*>").matcher(html);
    while (m.find()) {
      assertFalse(m.group().contains("onerror"), m.group());
    }
    String md = ReportFormatsGoldenTest.render(json, ReportFormat.MARKDOWN);
    assertFalse(md.contains("<img"), "no raw HTML");
    assertFalse(md.contains("\u001b"), "no raw escape character");
    assertTrue(
        md.contains(
            "&lt;img src=x onerror=alert(1)&gt;\\|\\*\\*b\\*\\*\\|\\`c\\`\\\\x1b\\[31m\"q\""),
        md);
    int cols = -1;
    for (String line : md.split("\n")) {
      if (!line.startsWith("|")) {
        cols = -1;
        continue;
      }
      String l = line.replace("\\\\", "").replace("\\|", "");
      int pipes = l.length() - l.replace("|", "").length();
      if (cols < 0) {
        cols = pipes;
      }
      assertEquals(cols, pipes, "row breaks the table: " + line);
    }
  }
}
