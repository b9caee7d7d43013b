package io.connscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link Text#safe} leaves nothing a terminal would interpret. */
class TextSafeTest {
  @Test
  void controlsAnsiAndBidiAreEscaped() {
    assertEquals("\\x1b[31mred\\x1b[0m", Text.safe("\u001b[31mred\u001b[0m", 100));
    assertEquals("a\\x0d\\x0ab", Text.safe("a\r\nb", 100));
    assertEquals("\\x9b2J", Text.safe("\u009b2J", 100), "C1 CSI");
    assertEquals("file\\u{202E}gnp.exe", Text.safe("file\u202Egnp.exe", 100));
    assertEquals(
        "\\u{2066}x\\u{2069}\\u{200B}\\u{FEFF}", Text.safe("\u2066x\u2069\u200B\uFEFF", 100));
    assertEquals("a\\u{2028}b\\u{2029}", Text.safe("a\u2028b\u2029", 100));
    assertEquals("caf\u00e9 \\\\ ok", Text.safe("caf\u00e9 \\ ok", 100));
  }
}
