package io.connscope.report;

/**
 * A report that must fit where it goes (a ticket comment: GitHub takes about 65,000 characters)
 * built within a character budget, by construction: the text is made of sections, each with a share
 * of the budget reserved for it; a section may use its share and whatever the sections before it
 * left unused, never what is reserved for the sections after it. Rows are added whole or not at all
 * ({@link #add}); a section that runs out of room ends with a short note ({@link #note}, from
 * {@value #NOTE} characters kept back for it) pointing to the complete report. Whatever is added,
 * the text never exceeds the budget.
 */
public final class Budget {
  /** Markdown reports ({@code analyze}, {@code report}, {@code diff}) stay under this size. */
  public static final int MARKDOWN = 60_000;

  /** Characters kept back in every section for its closing note. */
  public static final int NOTE = 240;

  private final StringBuilder b = new StringBuilder(8192);
  private final int limit;
  private int end;

  /** An empty text of at most {@code limit} characters; call {@link #section} first. */
  public Budget(int limit) {
    this.limit = limit;
    this.end = limit;
  }

  /**
   * Starts a section: it may grow until only {@code reservedAfter} characters (the shares of the
   * sections after it) are left.
   */
  public Budget section(int reservedAfter) {
    end = Math.max(b.length(), limit - Math.max(0, reservedAfter));
    return this;
  }

  /**
   * Appends {@code s} when it fits in the section with {@value #NOTE} characters left for a note;
   * returns false, appending nothing, when it does not.
   */
  public boolean add(CharSequence s) {
    if (b.length() + s.length() + NOTE > end) {
      return false;
    }
    b.append(s);
    return true;
  }

  /**
   * Appends {@code s}, cut to {@value #NOTE} characters, when it fits in the section (it does after
   * any number of {@link #add}); a note is text of connscope's, never a string from packets.
   */
  public void note(String s) {
    String n = s.length() > NOTE ? s.substring(0, NOTE) : s;
    if (b.length() + n.length() <= end) {
      b.append(n);
    }
  }

  /** Characters {@link #add} can still take in this section. */
  public int room() {
    return Math.max(0, end - b.length() - NOTE);
  }

  /**
   * How many of {@code rows}, added in order, fit in this section when {@code extra} more
   * characters come before row {@code at} (a collapsed part's opening); rows are added whole.
   */
  public int fitting(java.util.List<String> rows, int at, int extra) {
    long used = 0;
    int room = room();
    for (int i = 0; i < rows.size(); i++) {
      used += rows.get(i).length() + (i == at ? extra : 0);
      if (used > room) {
        return i;
      }
    }
    return rows.size();
  }

  /** Characters written so far. */
  public int length() {
    return b.length();
  }

  @Override
  public String toString() {
    return b.toString();
  }
}
