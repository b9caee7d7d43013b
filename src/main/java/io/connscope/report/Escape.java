package io.connscope.report;

import java.util.Locale;

/**
 * Escaping of strings that came from packets (URIs, headers, reasons) for each report medium, so
 * that a capture carrying markup, scripts, table separators or terminal escapes renders inert.
 */
public final class Escape {
  private Escape() {}

  /** Longest packet string shown in a document; longer ones end in "...". */
  static final int MAX = 1000;

  /**
   * HTML text and attribute values (quoted with either quote): {@code & < > " '} become entities;
   * control characters (C0 including ESC and newlines, DEL, C1) become a visible {@code \xNN}.
   */
  public static String html(String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    int n = Math.min(s.length(), MAX);
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if (isControl(ch)) {
            b.append(hex(ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    if (s.length() > MAX) {
      b.append("...");
    }
    return b.toString();
  }

  /**
   * Markdown text, also inside a table cell (GitHub, GitLab, Jira's Markdown): control characters
   * and newlines become {@code \xNN}; {@code < > &} become entities (no raw HTML); the Markdown
   * punctuation that can start emphasis, code, links or strike-through mid-line ({@code \ ` * _ [ ]
   * ~ |}) gets a backslash (CommonMark §2.4: any ASCII punctuation may be backslash-escaped; GFM
   * tables need {@code \|}). Line-start syntax (#, -, +, >) cannot occur: newlines never pass.
   */
  public static String md(String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    int n = Math.min(s.length(), MAX);
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      if (isControl(ch)) {
        b.append('\\').append(hex(ch));
      } else if (ch == '<') {
        b.append("&lt;");
      } else if (ch == '>') {
        b.append("&gt;");
      } else if (ch == '&') {
        b.append("&amp;");
      } else if ("\\`*_[]~|".indexOf(ch) >= 0) {
        b.append('\\').append(ch);
      } else {
        b.append(ch);
      }
    }
    if (s.length() > MAX) {
      b.append("...");
    }
    return b.toString();
  }

  /**
   * A Markdown code span for text of connscope's own (display filters): backticks are replaced,
   * {@code |} escaped (GFM lets {@code \|} stand inside a code span in a table cell).
   */
  static String mdCode(String s) {
    if (s == null || s.isEmpty()) {
      return "-";
    }
    StringBuilder b = new StringBuilder("`");
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '`') {
        b.append('\'');
      } else if (ch == '|') {
        b.append("\\|");
      } else if (isControl(ch)) {
        b.append(' ');
      } else {
        b.append(ch);
      }
    }
    return b.append('`').toString();
  }

  /**
   * A Markdown code span for untrusted text (a finding type read from a report): the fence is one
   * backtick longer than the longest run of backticks inside, with a space inside each end when the
   * text begins or ends with a backtick or a space (CommonMark 6.1), so no text can close it early;
   * {@code |} is escaped for table cells, control characters and newlines become {@code \xNN}, and
   * the text is cut at {@value #MAX} characters. A code span renders no HTML: {@code <} stays text.
   */
  public static String mdSpan(String s) {
    if (s == null || s.isEmpty()) {
      return "-";
    }
    StringBuilder in = new StringBuilder(s.length() + 8);
    int n = Math.min(s.length(), MAX);
    int run = 0;
    int longest = 0;
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      run = ch == '`' ? run + 1 : 0;
      longest = Math.max(longest, run);
      if (isControl(ch) || Character.getType(ch) == Character.FORMAT) {
        in.append(hex(ch));
      } else if (ch == '|') {
        in.append("\\|");
      } else {
        in.append(ch);
      }
    }
    if (s.length() > MAX) {
      in.append("...");
    }
    String fence = "`".repeat(longest + 1);
    boolean pad =
        in.charAt(0) == '`'
            || in.charAt(in.length() - 1) == '`'
            || in.charAt(0) == ' '
            || in.charAt(in.length() - 1) == ' ';
    return pad ? fence + " " + in + " " + fence : fence + in + fence;
  }

  static boolean isControl(char ch) {
    return ch < 0x20 || (ch >= 0x7f && ch < 0xa0) || ch == '\u2028' || ch == '\u2029';
  }

  private static String hex(char ch) {
    return ch < 0x100
        ? String.format(Locale.ROOT, "\\x%02x", (int) ch)
        : String.format(Locale.ROOT, "\\u%04x", (int) ch);
  }
}
