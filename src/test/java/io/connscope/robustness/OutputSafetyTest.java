package io.connscope.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connscope.capture.LinkType;
import io.connscope.capture.PcapWriter;
import io.connscope.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strings from packets (and file names) never reach the terminal raw: a capture whose URI, reason
 * phrase and headers carry ANSI escapes, CR/LF, C1 controls and Unicode direction overrides gives a
 * text report with none of them, and a JSON report that escapes them.
 */
class OutputSafetyTest {
  static final String ESC = "\u001b";
  @TempDir Path tmp;

  static String run(String format, Path file) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new String[] {"analyze", file.toString(), "--format", format, "--no-progress"},
            out,
            new PrintWriter(err, true));
    assertEquals(0, code, err.toString());
    return out.toString(StandardCharsets.UTF_8);
  }

  /** One GET whose URI and response carry terminal escapes, as raw bytes (ISO-8859-1 and UTF-8). */
  Path hostileCapture(String name) throws IOException {
    Path f = tmp.resolve(name);
    byte[] rlo = "\u202E".getBytes(StandardCharsets.UTF_8);
    String uri =
        "/a"
            + ESC
            + "[2J"
            + ESC
            + "]0;pwned\u0007"
            + new String(rlo, StandardCharsets.ISO_8859_1)
            + "txt.exe\u009b31m";
    byte[] req =
        Synth.ascii("GET " + uri + " HTTP/1.1\r\nHost: x" + ESC + "[31m\r\nX-Evil: a\rb\r\n\r\n");
    byte[] resp =
        Synth.ascii("HTTP/1.1 200 OK" + ESC + "[8m hidden\r\nContent-Length: 2\r\n\r\nhi");
    int c = Synth.ip(10, 0, 0, 1);
    int s = Synth.ip(10, 0, 0, 2);
    Synth p = new Synth();
    try (OutputStream os = Files.newOutputStream(f);
        PcapWriter w = new PcapWriter(os, LinkType.ETHERNET, 65535, false)) {
      long t = 1_700_000_000_000_000_000L;
      p.tcp(c, s, 40000, 80, 100, 0, Synth.SYN).write(w, t);
      p.tcp(s, c, 80, 40000, 900, 101, Synth.SYN | Synth.ACK).write(w, t + 1000);
      p.tcp(c, s, 40000, 80, 101, 901, Synth.ACK).write(w, t + 2000);
      p.tcp(c, s, 40000, 80, 101, 901, Synth.ACK | Synth.PSH, req).write(w, t + 3000);
      p.tcp(s, c, 80, 40000, 901, 101 + req.length, Synth.ACK | Synth.PSH, resp).write(w, t + 9000);
    }
    return f;
  }

  static void assertTerminalSafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      boolean control = (ch < 0x20 && ch != '\n') || (ch >= 0x7f && ch < 0xa0);
      boolean format =
          Character.getType(ch) == Character.FORMAT || ch == '\u2028' || ch == '\u2029';
      assertFalse(control || format, String.format("U+%04X at %d in:%n%s", (int) ch, i, text));
    }
  }

  @Test
  void textReportEscapesEverythingFromPackets() throws IOException {
    String text = run("text", hostileCapture("evil.pcap"));
    assertTerminalSafe(text);
    assertTrue(text.contains("/a\\x1b[2J\\x1b]0;pwned\\x07"), text);
    assertTrue(text.contains("200 OK\\x1b[8m hidden"), text);
    // the transaction stays on one line
    assertEquals(1, text.lines().filter(l -> l.contains("#0 GET")).count(), text);
  }

  @Test
  void fileNamesWithDirectionOverridesAreEscaped() throws IOException {
    String text = run("text", hostileCapture("report\u202Egnp.pcap"));
    assertTerminalSafe(text);
    assertTrue(text.contains("report\\u{202E}gnp.pcap"), text);
  }

  @Test
  void jsonReportEscapesControlsAndKeepsTheBytes() throws IOException {
    String json = run("json", hostileCapture("evil.pcap"));
    assertFalse(json.contains(ESC), "raw ESC in JSON");
    JsonNode tx =
        new ObjectMapper().readTree(json).path("connections").get(0).path("transactions").get(0);
    assertTrue(tx.path("uri").asText().startsWith("/a" + ESC + "[2J"), tx.toString());
  }

  @Test
  void theSamplesGiveTerminalSafeText() {
    for (String s :
        new String[] {"keepalive-get.pcap", "pipelined.pcap", "chunked-and-head.pcap"}) {
      assertTerminalSafe(run("text", Paths.get("samples", s)));
    }
  }
}
