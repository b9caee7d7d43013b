package io.connscope.report;

/**
 * Values the tests of the byte-fragment writers ({@code TransactionBytesTest}, {@code
 * ConnectionBytesTest}, {@code HarEntryBytesTest}) feed them, against Jackson's generator.
 */
final class ByteCases {
  /** Every kind of character JSON escapes or passes: quotes, controls, non-ASCII, surrogates. */
  static final String NASTY =
      "a\"b\\c\u0001d\te\nf\rg\u001fh\u007fi\u00e9j\u2028k\u20acl</script>\ud83d\ude00m\ud800";

  /** Numbers at each digit-count boundary, the int and long extremes, negative ones. */
  static final long[] NUMBERS = {
    -1,
    0,
    1,
    9,
    10,
    99,
    100,
    999,
    12345,
    Integer.MAX_VALUE,
    Integer.MAX_VALUE + 1L,
    1L << 32,
    123456789012L,
    99_999_999_999_999_999L,
    Long.MAX_VALUE,
    Long.MIN_VALUE,
    Long.MIN_VALUE + 1,
    -123456789012L,
    -1500,
    Integer.MIN_VALUE
  };

  private ByteCases() {}
}
