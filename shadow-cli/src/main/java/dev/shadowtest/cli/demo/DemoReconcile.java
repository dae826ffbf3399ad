package dev.shadowtest.cli.demo;

import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.reconcile.ReconcileSpec;
import dev.shadowtest.reconcile.Reconciliation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;

/**
 * The demo's data reconciliation: the shop's legacy and candidate databases (embedded H2 files)
 * after a migration with seeded drift, reconciled as a team would every sync cycle.
 *
 * <p>10,000 orders on legacy. The candidate's schema renamed {@code total} to {@code
 * amount_total}; it lost 3 orders, has 1 the legacy does not, 2 totals off by more than a cent,
 * 5 totals off by a rounding within the cent's tolerance, and writes an empty note as NULL
 * (equal with {@code emptyIsNull}). Drift is 6 of 10,001 rows (0.06%): to be investigated, not
 * a pause.
 */
public final class DemoReconcile {

  /** Rows on the legacy side. */
  public static final int ORDERS = 10_000;

  /** The seeded differing rows: 3 only in legacy, 1 only in candidate, 2 changed. */
  public static final int DIFFERING = 6;

  private DemoReconcile() {}

  /** Builds the two databases in {@code out/reconcile-db}, writes the spec and runs it. */
  public static Reconciliation.Outcome run(Path out, Consumer<String> warnings) {
    Path db = out.resolve("reconcile-db");
    Path spec = out.resolve("reconcile.yaml");
    try {
      SecureFiles.deleteTree(db); // the demo's own databases: running the demo again rebuilds them
      Files.createDirectories(db);
      String legacy = "jdbc:h2:file:" + db.toAbsolutePath().resolve("legacy");
      String candidate = "jdbc:h2:file:" + db.toAbsolutePath().resolve("candidate");
      seed(legacy, candidate);
      Files.writeString(spec, spec(legacy, candidate), StandardCharsets.UTF_8);
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("cannot build the demo databases: " + e.getMessage(), e);
    }
    return Reconciliation.run(
        ReconcileSpec.load(spec),
        Reconciliation.Options.defaults(out.resolve("reconcile")),
        warnings);
  }

  private static void seed(String legacy, String candidate) throws SQLException {
    String orders =
        " SELECT X, 'C' || MOD(X, 700), CASE MOD(X, 3) WHEN 0 THEN 'OPEN' ELSE 'SHIPPED' END,"
            + " CASE MOD(X, 4) WHEN 0 THEN 'EU' WHEN 1 THEN 'US' WHEN 2 THEN 'APAC' ELSE 'LATAM'"
            + " END, CAST(MOD(X * 7919, 100000) AS DECIMAL(12,2)) / 100, CASE WHEN MOD(X, 50) = 0"
            + " THEN '' ELSE 'gift ' || X END, TIMESTAMP '2026-11-01 00:00:00' + X * INTERVAL '1'"
            + " MINUTE FROM SYSTEM_RANGE(1, "
            + ORDERS
            + ")";
    sql(
        legacy,
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR(20), status VARCHAR(10),"
            + " region VARCHAR(10), total DECIMAL(12,2), note VARCHAR(40), created"
            + " TIMESTAMP(3))",
        "INSERT INTO orders" + orders);
    sql(
        candidate,
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer VARCHAR(20), status VARCHAR(10),"
            + " region VARCHAR(10), amount_total DECIMAL(12,3), note VARCHAR(40), created"
            + " TIMESTAMP(6))",
        "INSERT INTO orders" + orders,
        // an empty note became NULL: the same with emptyIsNull
        "UPDATE orders SET note = NULL WHERE note = ''",
        // 5 totals rounded differently, within the cent
        "UPDATE orders SET amount_total = amount_total + 0.004 WHERE id IN (11, 22, 33, 44, 55)",
        // 2 totals wrong
        "UPDATE orders SET amount_total = amount_total + 10 WHERE id IN (1207, 8412)",
        // 3 orders lost, 1 the legacy never had
        "DELETE FROM orders WHERE id IN (4001, 4002, 9999)",
        "INSERT INTO orders VALUES (10001, 'C1', 'OPEN', 'EU', 12.50, 'late', TIMESTAMP"
            + " '2026-11-08 00:00:00')");
  }

  private static String spec(String legacy, String candidate) {
    return """
        # The demo's reconciliation (shadow demo): the shop's legacy and candidate databases.
        # Run it again: shadow reconcile --spec THIS-FILE --out DIR
        version: 1
        legacy:    { jdbc: "%s", user: sa }
        candidate: { jdbc: "%s", user: sa }
        thresholds: { investigate: 0.01%%, pause: 0.1%% }
        datasets:
          - name: orders
            legacy: { table: orders }
            candidate: { table: orders }
            key: [id]
            columns:
              - customer
              - status
              - region
              - { name: total, candidateColumn: amount_total, tolerance: 0.01 }
              - { name: note, emptyIsNull: true, sensitive: true }
              - { name: created, timestampPrecision: millis }
        aggregates:
          - name: open orders total
            legacy: "SELECT sum(total) FROM orders WHERE status = 'OPEN'"
            candidate: "SELECT sum(amount_total) FROM orders WHERE status = 'OPEN'"
            tolerance: 0.05
          - name: orders by region
            legacy: "SELECT region, count(*) FROM orders GROUP BY region"
            candidate: "SELECT region, count(*) FROM orders GROUP BY region"
        """
        .formatted(legacy, candidate);
  }

  private static void sql(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement()) {
      for (String st : statements) {
        s.execute(st);
      }
    }
  }
}
