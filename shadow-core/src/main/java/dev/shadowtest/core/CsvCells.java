package dev.shadowtest.core;

import java.util.regex.Pattern;

/**
 * Values made safe for a CSV a reviewer opens in a spreadsheet: recorded and database values are
 * attacker-controlled, and a cell starting with {@code =}, {@code +}, {@code @}, a tab, a carriage
 * return, a line feed, their fullwidth forms ({@code ＝ ＋ ＠ －}), or a {@code -} that does not start
 * a number would run as a formula. Such a value gets a leading {@code '}.
 */
public final class CsvCells {

  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

  private CsvCells() {}

  /** {@code v} as a cell: "" for null, {@code '} before what a spreadsheet would evaluate. */
  public static String safe(String v) {
    if (v == null || v.isEmpty()) {
      return "";
    }
    char c = v.charAt(0);
    boolean formula =
        c == '='
            || c == '+'
            || c == '@'
            || c == '\t'
            || c == '\r'
            || c == '\n'
            // the fullwidth forms, which spreadsheets of East Asian locales evaluate too
            || c == '\uFF1D'
            || c == '\uFF0B'
            || c == '\uFF20'
            || c == '\uFF0D'
            || c == '-' && !NUMBER.matcher(v).matches();
    return formula ? "'" + v : v;
  }
}
