package io.connscope.report;

import java.util.Locale;

/** The report formats, and the format a file name's extension asks for. */
public enum ReportFormat {
  /** Terminal text ({@link TextReportWriter}); rendered during the analysis only. */
  TEXT,
  /** The JSON report, the machine contract ({@link JsonReportWriter}). */
  JSON,
  /** Markdown for GitHub and Jira tickets ({@link MarkdownReportWriter}). */
  MARKDOWN,
  /** One self-contained HTML page with diagrams ({@link HtmlReportWriter}). */
  HTML,
  /** HAR 1.2 ({@link HarReportWriter}). */
  HAR;

  /** The format for a file name: .txt .json .md/.markdown .html/.htm .har; null when unknown. */
  public static ReportFormat ofFileName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".txt") || n.endsWith(".text")) {
      return TEXT;
    }
    if (n.endsWith(".json")) {
      return JSON;
    }
    if (n.endsWith(".md") || n.endsWith(".markdown")) {
      return MARKDOWN;
    }
    if (n.endsWith(".html") || n.endsWith(".htm")) {
      return HTML;
    }
    if (n.endsWith(".har")) {
      return HAR;
    }
    return null;
  }

  /** True for the formats rendered from a JSON report (so also by {@code connscope report}). */
  public boolean fromJson() {
    return this != TEXT;
  }
}
