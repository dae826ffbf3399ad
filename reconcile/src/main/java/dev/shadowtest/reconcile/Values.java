package dev.shadowtest.reconcile;

import dev.shadowtest.reconcile.ReconcileSpec.Column;
import java.math.BigDecimal;
import java.sql.Clob;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** How values read from JDBC are made comparable: keys ordered byte-wise, columns by their rules. */
final class Values {

  private Values() {}

  /**
   * A value as Shadow compares it: numbers as BigDecimal, SQL dates and times as java.time, bytes
   * as hex, large text as a String; others as the driver gave them.
   */
  static Object plain(Object v) throws SQLException {
    if (v == null || v instanceof String || v instanceof BigDecimal) {
      return v;
    }
    if (v instanceof Double || v instanceof Float) {
      return new BigDecimal(v.toString());
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    if (v instanceof Number n) {
      return new BigDecimal(n.toString());
    }
    if (v instanceof Timestamp t) {
      return t.toLocalDateTime();
    }
    if (v instanceof Date d) {
      return d.toLocalDate();
    }
    if (v instanceof Time t) {
      return t.toLocalTime();
    }
    if (v instanceof UUID u) {
      // UUID.compareTo compares signed halves; databases order UUIDs byte-wise, as their text
      return u.toString();
    }
    if (v instanceof byte[] b) {
      return HexFormat.of().formatHex(b);
    }
    if (v instanceof Clob c) {
      return c.getSubString(1, (int) Math.min(Integer.MAX_VALUE, c.length()));
    }
    return v;
  }

  /**
   * Orders two key values as the databases are asked to: numbers by value, text by Unicode code
   * point (the byte order of UTF-8, PostgreSQL's {@code COLLATE "C"}), others by their natural
   * order when of one type, by their text otherwise.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compareKey(Object a, Object b) {
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
      return x.compareTo(y);
    }
    if (a instanceof String x && b instanceof String y) {
      return compareCodePoints(x, y);
    }
    if (a.getClass() == b.getClass() && a instanceof Comparable c) {
      return c.compareTo(b);
    }
    return compareCodePoints(a.toString(), b.toString());
  }

  static int compareKeys(List<Object> a, List<Object> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = compareKey(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /** A plain value with the column's rules applied: trimmed, empty as null, case, precision. */
  static Object ruled(Object v, Column c) {
    if (v instanceof String s) {
      if (c.trim()) {
        s = s.strip();
      }
      if (c.emptyIsNull() && s.isEmpty()) {
        return null;
      }
      return c.ignoreCase() ? s.toLowerCase(Locale.ROOT) : s;
    }
    ChronoUnit unit = c.timestampPrecision();
    if (unit != null) {
      if (v instanceof LocalDateTime t) {
        return t.truncatedTo(unit);
      }
      if (v instanceof OffsetDateTime t) {
        return t.toInstant().truncatedTo(unit);
      }
      if (v instanceof ZonedDateTime t) {
        return t.toInstant().truncatedTo(unit);
      }
      if (v instanceof Instant t) {
        return t.truncatedTo(unit);
      }
      if (v instanceof LocalTime t && unit != ChronoUnit.DAYS) {
        return t.truncatedTo(unit);
      }
    }
    if (v instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    return v;
  }

  /**
   * Whether two ruled values are equal under the column's tolerance: numbers by value, a number
   * and a text that parses by value, and two such texts too when the column has a tolerance.
   */
  static boolean same(Object a, Object b, Column c) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
      return within(x, y, c);
    }
    if (a instanceof String x && b instanceof String y) {
      if (x.equals(y)) {
        return true;
      }
      // a column with a tolerance is numeric: two texts (CSV exports) that parse are numbers too
      BigDecimal nx = c.tolerance() == null ? null : number(x);
      BigDecimal ny = nx == null ? null : number(y);
      return ny != null && within(nx, ny, c);
    }
    if (a instanceof BigDecimal x && b instanceof String y) {
      BigDecimal n = number(y);
      return n != null && within(x, n, c);
    }
    if (a instanceof String x && b instanceof BigDecimal y) {
      BigDecimal n = number(x);
      return n != null && within(n, y, c);
    }
    if (a.getClass() == b.getClass()) {
      return a.equals(b);
    }
    return a.toString().equals(b.toString());
  }

  private static boolean within(BigDecimal x, BigDecimal y, Column c) {
    BigDecimal tolerance = c.tolerance() == null ? BigDecimal.ZERO : c.tolerance();
    return x.subtract(y).abs().compareTo(tolerance) <= 0;
  }

  /** A text that is a number, or null; most texts are not, and are told without an exception. */
  private static BigDecimal number(String s) {
    String t = s.strip();
    if (t.isEmpty()) {
      return null;
    }
    char first = t.charAt(0);
    if (!(first >= '0' && first <= '9' || first == '-' || first == '+' || first == '.')) {
      return null;
    }
    try {
      return new BigDecimal(t);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A value as text for samples and messages. */
  static String show(Object v) {
    return v == null ? null : v.toString();
  }
}
