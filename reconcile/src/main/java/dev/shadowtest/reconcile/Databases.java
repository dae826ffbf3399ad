package dev.shadowtest.reconcile;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** What kind of database a connection goes to, by the product name its driver gives. */
final class Databases {

  private Databases() {}

  /** The product's name in lower case ({@code postgresql}, {@code h2}), or "" when unknown. */
  static String product(Connection db) {
    try {
      return db.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    } catch (SQLException e) {
      return "";
    }
  }

  static boolean isPostgres(Connection db) {
    return product(db).equals("postgresql");
  }

  static boolean isH2(Connection db) {
    return product(db).equals("h2");
  }
}
