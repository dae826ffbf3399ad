package dev.shadowtest.reconcile;

import dev.shadowtest.reconcile.ReconcileSpec.Column;
import dev.shadowtest.reconcile.ReconcileSpec.Dataset;
import dev.shadowtest.reconcile.ReconcileSpec.Side;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A dataset side counted and checksummed in its own database, so that two sides that agree are
 * confirmed without streaming their rows: the row count, the count of distinct keys, the rows
 * with a NULL key, and the sum of a 64-bit hash ({@code hashtextextended} on PostgreSQL, the
 * first 8 bytes of SHA-256 on H2) of each row's key and compared columns as the database writes them as text.
 * Only sides whose columns have the same types, of kinds whose text tells every value apart,
 * are checksummed ({@link #comparable}). Sums from two databases of one kind then agree when the
 * rows do (and, with a probability of about 2^-64, when they do not); any other outcome streams
 * the rows as usual.
 */
final class Checksums {

  /** One side's figures. */
  record Sum(long rows, long distinctKeys, long nullKeys, BigDecimal sum) {
    /** Both sides hold the same rows, once each, with no NULL key. */
    boolean confirms(Sum other) {
      return nullKeys == 0
          && other.nullKeys == 0
          && rows == distinctKeys
          && other.rows == other.distinctKeys
          && rows == other.rows
          && sum != null
          && other.sum != null
          && sum.compareTo(other.sum) == 0;
    }
  }

  private Checksums() {}

  /** The databases Shadow can checksum. */
  private static Function<String, String> hash(Connection db) {
    if (Databases.isPostgres(db)) {
      // PostgreSQL 11 and later; an older server fails the query, and the rows are streamed
      return t -> "hashtextextended(" + t + ", 0)";
    }
    if (Databases.isH2(db)) {
      return t -> "CAST(SUBSTRING(HASH('SHA-256', " + t + ") FROM 1 FOR 8) AS BIGINT)";
    }
    return null;
  }

  /** Both connections go to databases of one kind (checksums of two kinds never agree). */
  static boolean sameKind(Connection a, Connection b) {
    String p = Databases.product(a);
    return !p.isEmpty() && p.equals(Databases.product(b));
  }

  /**
   * Whether the two sides' key and compared columns have the same types, of kinds whose text
   * tells every value apart (numbers, text that is not blank-padded, dates and times, booleans,
   * UUIDs): only then can equal checksums stand for equal rows. Blank-padded {@code char(n)},
   * binary, arrays and other types are always streamed.
   */
  static boolean comparable(
      Connection legacy, Connection candidate, Dataset d, List<Column> compared) {
    try {
      List<String> l = types(legacy, d, d.legacy(), compared, false);
      List<String> c = types(candidate, d, d.candidate(), compared, true);
      return l != null && l.equals(c);
    } catch (SQLException e) {
      return false; // streamed, which tells the real error
    }
  }

  private static List<String> types(
      Connection db, Dataset d, Side side, List<Column> compared, boolean candidate)
      throws SQLException {
    List<String> names = columns(d, compared, candidate);
    try (Statement s = db.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT " + String.join(", ", names) + " FROM " + from(side) + " WHERE 1 = 0")) {
      ResultSetMetaData m = rs.getMetaData();
      List<String> out = new ArrayList<>();
      for (int i = 1; i <= m.getColumnCount(); i++) {
        if (!SAFE.contains(m.getColumnType(i))
            && !(m.getColumnType(i) == Types.OTHER
                && m.getColumnTypeName(i).equalsIgnoreCase("uuid"))) {
          return null;
        }
        out.add(m.getColumnTypeName(i) + "(" + m.getPrecision(i) + "," + m.getScale(i) + ")");
      }
      return out;
    } finally {
      Reconciler.endTransaction(db); // a failed probe must not abort what follows
    }
  }

  private static final Set<Integer> SAFE =
      Set.of(
          Types.BIGINT,
          Types.INTEGER,
          Types.SMALLINT,
          Types.TINYINT,
          Types.NUMERIC,
          Types.DECIMAL,
          Types.DOUBLE,
          Types.REAL,
          Types.FLOAT,
          Types.VARCHAR,
          Types.NVARCHAR,
          Types.LONGVARCHAR,
          Types.LONGNVARCHAR,
          Types.DATE,
          Types.TIME,
          Types.TIMESTAMP,
          Types.TIMESTAMP_WITH_TIMEZONE,
          Types.BOOLEAN,
          Types.BIT);

  /** The key and compared columns, by their names on one side. */
  private static List<String> columns(Dataset d, List<Column> compared, boolean candidate) {
    List<String> all = new ArrayList<>(d.key());
    for (Column c : compared) {
      all.add(c.on(candidate));
    }
    return all;
  }

  private static String from(Side side) {
    return side.table() != null
        ? side.table()
        : "(" + side.query().strip().replaceAll(";+$", "") + ") shadow_side";
  }

  /**
   * The side's figures, or null when its database is not one Shadow checksums or the checksum
   * query fails (the rows are then streamed, which reports any real error).
   */
  static Sum of(Connection db, Dataset d, Side side, List<Column> compared, boolean candidate) {
    try {
      Function<String, String> hash = hash(db);
      if (hash == null) {
        return null;
      }
      List<String> key = d.key();
      String sql =
          "SELECT count(*), count(DISTINCT "
              // one key column is counted as it is (faster than as text)
              + (key.size() == 1 ? key.get(0) : text(key))
              + "), sum(CASE WHEN "
              + String.join(" IS NULL OR ", key)
              + " IS NULL THEN 1 ELSE 0 END), sum("
              + hash.apply(text(columns(d, compared, candidate)))
              + ") FROM "
              + from(side);
      try (Statement s = db.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return new Sum(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getBigDecimal(4));
      }
    } catch (SQLException e) {
      return null;
    }
  }

  /**
   * The columns as one text that tells every row apart: each value as its length, a colon and
   * its text; NULL as {@code n} (never the start of a length); separated by {@code |}.
   */
  private static String text(List<String> columns) {
    List<String> parts = new ArrayList<>();
    for (String c : columns) {
      String v = "CAST(" + c + " AS VARCHAR)";
      parts.add("coalesce(CAST(length(" + v + ") AS VARCHAR) || ':' || " + v + ", 'n')");
    }
    return String.join(" || '|' || ", parts);
  }
}
