package dev.shadowtest.core.internal;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Fast paths for the one instant format recordings use, {@code 2026-11-24T10:00:01.123Z}
 * ({@link Instant#toString()}'s form: UTC, 0, 3, 6 or 9 fraction digits). {@code Instant.parse}
 * and {@code toString} go through {@code DateTimeFormatter} and were the largest single costs of
 * reading and writing recordings. Anything else falls back to the JDK, so results are identical.
 */
public final class Instants {

  private Instants() {}

  /** Same result as {@link Instant#parse}, faster for the UTC {@code Z} form. */
  public static Instant parse(String s) {
    int n = s.length();
    if (n < 20
        || n > 30
        || s.charAt(n - 1) != 'Z'
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return Instant.parse(s);
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    int nanos = 0;
    if (n > 20) {
      if (s.charAt(19) != '.' || n - 21 > 9 || n - 21 < 1) {
        return Instant.parse(s);
      }
      int fraction = digits(s, 20, n - 1);
      if (fraction < 0) {
        return Instant.parse(s);
      }
      nanos = fraction;
      for (int i = n - 21; i < 9; i++) {
        nanos *= 10;
      }
    } else if (s.charAt(19) != 'Z') {
      return Instant.parse(s);
    }
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > 28 && day > LocalDate.of(year, month, 1).lengthOfMonth()
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return Instant.parse(s); // let the JDK produce its exact error (or handle what we do not)
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** Same text as {@link Instant#toString()}, faster for years 1000 to 9999. */
  public static String format(Instant t) {
    long seconds = t.getEpochSecond();
    long epochDay = Math.floorDiv(seconds, 86_400L);
    int secOfDay = (int) Math.floorMod(seconds, 86_400L);
    LocalDate date = LocalDate.ofEpochDay(epochDay);
    int year = date.getYear();
    if (year < 1000 || year > 9999) {
      return t.toString();
    }
    StringBuilder sb = new StringBuilder(30);
    sb.append(year).append('-');
    two(sb, date.getMonthValue()).append('-');
    two(sb, date.getDayOfMonth()).append('T');
    two(sb, secOfDay / 3600).append(':');
    two(sb, secOfDay / 60 % 60).append(':');
    two(sb, secOfDay % 60);
    int nanos = t.getNano();
    if (nanos > 0) {
      sb.append('.');
      if (nanos % 1_000_000 == 0) {
        pad(sb, nanos / 1_000_000, 3);
      } else if (nanos % 1_000 == 0) {
        pad(sb, nanos / 1_000, 6);
      } else {
        pad(sb, nanos, 9);
      }
    }
    return sb.append('Z').toString();
  }

  private static StringBuilder two(StringBuilder sb, int v) {
    return sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
  }

  private static void pad(StringBuilder sb, int v, int width) {
    String s = Integer.toString(v);
    for (int i = s.length(); i < width; i++) {
      sb.append('0');
    }
    sb.append(s);
  }

  /** The decimal value of s[from, to), or -1 if any character is not a digit. */
  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
