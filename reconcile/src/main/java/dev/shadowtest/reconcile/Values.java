package dev.shadowtest.reconcile;

import dev.shadowtest.reconcile.ReconcileSpec.Column;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How values read from JDBC are made comparable: keys ordered byte-wise, columns by their rules. */
final class Values {

  private Values() {}

  /** Large values above this are compared by their SHA-256 digest, not held whole. */
  static final int MAX_WHOLE = 1 << 20;

  /**
   * A value as Shadow compares it: numbers as BigDecimal (NaN and infinities as their text), SQL
   * dates and times as java.time (instants for times with an offset), bytes as hex, arrays as
   * lists, large text as a String; a BLOB or CLOB above {@value #MAX_WHOLE} bytes or characters as
   * {@code sha-256:HEX}; others as the driver gave them.
   */
  static Object plain(Object v) throws SQLException {
    if (v == null || v instanceof String || v instanceof BigDecimal) {
      return v;
    }
    if (v instanceof Double d && !Double.isFinite(d)
        || v instanceof Float f && !Float.isFinite(f)) {
      return v.toString();
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
    if (v instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    if (v instanceof ZonedDateTime t) {
      return t.toInstant();
    }
    if (v instanceof OffsetTime t) {
      // by its instant of the day, as a timestamptz by its instant
      return t.withOffsetSameInstant(ZoneOffset.UTC);
    }
    if (v instanceof UUID u) {
      // UUID.compareTo compares signed halves; databases order UUIDs byte-wise, as their text
      return u.toString();
    }
    if (v instanceof byte[] b) {
      return HexFormat.of().formatHex(b);
    }
    if (v instanceof Array a) {
      try {
        if (!(a.getArray() instanceof Object[] items)) {
          return a.toString();
        }
        List<Object> out = new ArrayList<>();
        for (Object item : items) {
          out.add(plain(item));
        }
        return out;
      } finally {
        a.free();
      }
    }
    if (v instanceof Blob b) {
      try {
        return b.length() <= MAX_WHOLE
            ? HexFormat.of().formatHex(b.getBytes(1, (int) b.length()))
            : digest(b.getBinaryStream());
      } finally {
        b.free();
      }
    }
    if (v instanceof Clob c) {
      try {
        if (c.length() <= MAX_WHOLE) {
          return c.getSubString(1, (int) c.length());
        }
        return digest(new ReaderInputStream(c.getCharacterStream()));
      } finally {
        c.free();
      }
    }
    return v;
  }

  /**
   * A PostgreSQL {@code money} as text ({@code $987,654.32}, {@code -$1.00}, {@code 987.654,32 €}
   * as {@code lc_monetary} writes it) as its number: the currency symbol and the group separators
   * dropped; the decimal separator is the last {@code .} or {@code ,} unless it is followed by
   * exactly three digits and is the only one of its kind ({@code ¥1,000}: a currency without
   * fractions).
   *
   * @throws IllegalArgumentException when the text is not such an amount
   */
  static BigDecimal money(String text) {
    StringBuilder digits = new StringBuilder();
    boolean negative = false;
    int lastSeparator = -1;
    int dots = 0;
    int commas = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digits.append(c);
      } else if (c == '.' || c == ',') {
        // a separator between digits ("руб." ends with a dot that separates nothing)
        boolean between =
            digits.length() > 0
                && i + 1 < text.length()
                && text.charAt(i + 1) >= '0'
                && text.charAt(i + 1) <= '9';
        if (between) {
          lastSeparator = digits.length();
          if (c == '.') {
            dots++;
          } else {
            commas++;
          }
        }
      } else if (c == '-' || c == '(') {
        negative = true;
      }
    }
    if (digits.length() == 0) {
      throw new IllegalArgumentException("not an amount of money: " + text);
    }
    int fraction = lastSeparator < 0 ? 0 : digits.length() - lastSeparator;
    boolean grouping = dots + commas == 1 ? fraction == 3 : (dots == 0 || commas == 0);
    BigDecimal n = new BigDecimal(new BigInteger(digits.toString()), grouping ? 0 : fraction);
    return negative ? n.negate() : n;
  }

  private static String digest(InputStream in) throws SQLException {
    try (in) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        sha.update(buf, 0, n);
      }
      return "sha-256:" + HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new SQLException("cannot read a large value: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }

  /** A CLOB's characters as UTF-8 bytes, for its digest. */
  private static final class ReaderInputStream extends InputStream {
    private final Reader reader;
    private final char[] chars = new char[8192];
    private ByteBuffer bytes = ByteBuffer.allocate(0);

    ReaderInputStream(Reader reader) {
      this.reader = reader;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (!bytes.hasRemaining()) {
        int n = reader.read(chars);
        if (n < 0) {
          return -1;
        }
        bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars, 0, n));
      }
      int n = Math.min(len, bytes.remaining());
      bytes.get(b, off, n);
      return n;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  /** Numbers read exactly, as jsonb keeps them (compared by value: {@link #sameJson}). */
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .setNodeFactory(
              com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

  /**
   * A json or jsonb value as its JSON tree, so that the two compare by value (jsonb keeps neither
   * key order nor white space, json keeps both; a key given twice keeps its last value, as jsonb
   * does); a text that is no JSON stays as it is.
   */
  static Object json(String text) {
    try {
      com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(text);
      return n == null ? text : n;
    } catch (java.io.IOException notJson) {
      return text;
    }
  }

  /** JSON values equal by value: numbers by their value ({@code 1e2} is {@code 100.0}), the rest as is. */
  static boolean sameJson(
      com.fasterxml.jackson.databind.JsonNode a, com.fasterxml.jackson.databind.JsonNode b) {
    return a.equals(
        (x, y) ->
            x.isNumber() && y.isNumber()
                ? x.decimalValue().compareTo(y.decimalValue())
                : x.equals(y) ? 0 : 1,
        b);
  }

  /**
   * {@code v} read as the type of {@code other} when {@code v} is a text and {@code other} a date,
   * time, timestamp or boolean (a CSV export against a database): {@code 2026-06-01 07:30:00} and
   * {@code 2026-06-01T07:30} are one timestamp, {@code t} and {@code true} one boolean. A text that
   * does not parse stays as it is (and differs).
   */
  static Object align(Object v, Object other) {
    if (v instanceof LocalDateTime t && other instanceof Instant) {
      // a timestamp against a timestamptz (a column migrated with USING ts AT TIME ZONE 'UTC'):
      // its wall-clock time read in UTC
      return t.toInstant(ZoneOffset.UTC);
    }
    if (!(v instanceof String s) || other == null || other instanceof String) {
      return v;
    }
    if (other instanceof com.fasterxml.jackson.databind.JsonNode) {
      return json(s); // a CSV export's text against a json column
    }
    String t = s.strip();
    try {
      if (other instanceof LocalDateTime) {
        return LocalDateTime.parse(t.replace(' ', 'T'));
      }
      if (other instanceof Instant) {
        return OffsetDateTime.parse(offset(t.replace(' ', 'T'))).toInstant();
      }
      if (other instanceof LocalDate) {
        return LocalDate.parse(t);
      }
      if (other instanceof LocalTime) {
        return LocalTime.parse(t);
      }
      if (other instanceof OffsetTime) {
        return OffsetTime.parse(offset(t)).withOffsetSameInstant(ZoneOffset.UTC);
      }
    } catch (DateTimeParseException e) {
      return v;
    }
    if (other instanceof Boolean) {
      switch (t.toLowerCase(Locale.ROOT)) {
        case "t", "true", "1", "y", "yes" -> {
          return Boolean.TRUE;
        }
        case "f", "false", "0", "n", "no" -> {
          return Boolean.FALSE;
        }
        default -> {
          return v;
        }
      }
    }
    return v;
  }

  /** PostgreSQL writes offsets as {@code +00} or {@code +0530}: as ISO's {@code +00:00}. */
  private static String offset(String t) {
    Matcher m = SHORT_OFFSET.matcher(t);
    if (m.find()) {
      String mm = m.group(3) == null ? "00" : m.group(3);
      return t.substring(0, m.start()) + m.group(1) + m.group(2) + ":" + mm;
    }
    return t;
  }

  private static final Pattern SHORT_OFFSET = Pattern.compile("([+-])(\\d{2}):?(\\d{2})?$");

  /**
   * Orders two key values as the databases are asked to: numbers by value, text by Unicode code
   * point (the byte order of UTF-8, PostgreSQL's {@code COLLATE "C"}), others by their natural
   * order when of one type, by their text otherwise.
   */
  static int compareKey(Object a, Object b) {
    return compareKey(a, b, false);
  }

  /**
   * As {@link #compareKey(Object, Object)}, with text ordered by UTF-16 code unit when {@code
   * utf16} (H2's order: it differs from code points only for characters above U+FFFF against
   * U+E000 to U+FFFF).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compareKey(Object a, Object b, boolean utf16) {
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
      return x.compareTo(y);
    }
    if (a instanceof String x && b instanceof String y) {
      return utf16 ? x.compareTo(y) : compareCodePoints(x, y);
    }
    if (a.getClass() == b.getClass() && a instanceof Comparable c) {
      return c.compareTo(b);
    }
    return compareCodePoints(a.toString(), b.toString());
  }

  static int compareKeys(List<Object> a, List<Object> b) {
    return compareKeys(a, b, false);
  }

  static int compareKeys(List<Object> a, List<Object> b, boolean utf16) {
    for (int i = 0; i < a.size(); i++) {
      int c = compareKey(a.get(i), b.get(i), utf16);
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
      // upper then lower case: ß and SS, ﬁ and FI are one word whichever side wrote which
      return c.ignoreCase() ? s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT) : s;
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
      if (v instanceof OffsetTime t && unit != ChronoUnit.DAYS) {
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
    if (a instanceof com.fasterxml.jackson.databind.JsonNode x
        && b instanceof com.fasterxml.jackson.databind.JsonNode y) {
      return sameJson(x, y);
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
    if (a instanceof List<?> x && b instanceof List<?> y) {
      // arrays element by element, each as a value (numbers by value, under the tolerance)
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i), c)) {
          return false;
        }
      }
      return true;
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

  /**
   * A key's values as text for samples, the CSV and messages; each as a pseudonym ({@code #} and
   * the first 16 hex digits of the SHA-256 of its text) when the key is sensitive.
   */
  static List<String> keyText(List<Object> key, boolean sensitive) {
    List<String> out = new ArrayList<>(key.size());
    for (Object k : key) {
      String t = String.valueOf(k);
      out.add(sensitive ? pseudonym(t) : t);
    }
    return out;
  }

  private static String pseudonym(String t) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(t.getBytes(StandardCharsets.UTF_8));
      return "#" + HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }

  /** A value as text for samples and messages. */
  static String show(Object v) {
    return v == null ? null : v.toString();
  }
}
