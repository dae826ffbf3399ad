package dev.shadowtest.reconcile;

import dev.shadowtest.reconcile.ReconcileSpec.Column;
import dev.shadowtest.reconcile.ReconcileSpec.Dataset;
import dev.shadowtest.reconcile.ReconcileSpec.Side;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A dataset side counted and checksummed in its own database, so that two sides that agree are
 * confirmed without streaming their rows: the row count, the count of distinct keys, the rows
 * with a NULL key, and the sum of a 64-bit hash ({@code hashtextextended} on PostgreSQL, the
 * first 8 bytes of SHA-256 on H2) of each row's key and compared columns as the database writes them as text.
 * Sums from two databases of one kind agree when the rows do (and, with a probability of about
 * 2^-64, when they do not); any other outcome streams the rows as usual.
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

  /** The databases Shadow can checksum, by the product name their drivers give. */
  private static Function<String, String> hash(Connection db) throws SQLException {
    String product = db.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (product.equals("postgresql")) {
      // PostgreSQL 11 and later; an older server fails the query, and the rows are streamed
      return t -> "hashtextextended(" + t + ", 0)";
    }
    if (product.equals("h2")) {
      return t -> "CAST(SUBSTRING(HASH('SHA-256', " + t + ") FROM 1 FOR 8) AS BIGINT)";
    }
    return null;
  }

  /** Both connections go to databases of one kind (checksums of two kinds never agree). */
  static boolean sameKind(Connection a, Connection b) {
    try {
      return a.getMetaData()
          .getDatabaseProductName()
          .equalsIgnoreCase(b.getMetaData().getDatabaseProductName());
    } catch (SQLException e) {
      return false;
    }
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
      List<String> all = new ArrayList<>(key);
      for (Column c : compared) {
        all.add(candidate && c.candidateColumn() != null ? c.candidateColumn() : c.name());
      }
      String from =
          side.table() != null
              ? side.table()
              : "(" + side.query().strip().replaceAll(";+$", "") + ") shadow_side";
      String sql =
          "SELECT count(*), count(DISTINCT "
              // one key column is counted as it is (faster than as text)
              + (key.size() == 1 ? key.get(0) : text(key))
              + "), sum(CASE WHEN "
              + String.join(" IS NULL OR ", key)
              + " IS NULL THEN 1 ELSE 0 END), sum("
              + hash.apply(text(all))
              + ") FROM "
              + from;
      try (Statement s = db.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return new Sum(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getBigDecimal(4));
      }
    } catch (SQLException e) {
      return null;
    }
  }

  /** The columns as one text: each value prefixed, NULL as {@code n}, separated by {@code |}. */
  private static String text(List<String> columns) {
    List<String> parts = new ArrayList<>();
    for (String c : columns) {
      parts.add("coalesce('v' || CAST(" + c + " AS VARCHAR), 'n')");
    }
    return String.join(" || '|' || ", parts);
  }
}
