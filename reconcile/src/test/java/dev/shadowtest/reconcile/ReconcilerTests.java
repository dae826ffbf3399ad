package dev.shadowtest.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.reconcile.ReconcileResult.AggregateResult;
import dev.shadowtest.reconcile.ReconcileResult.ColumnDifference;
import dev.shadowtest.reconcile.ReconcileResult.DatasetResult;
import dev.shadowtest.reconcile.ReconcileResult.GroupResult;
import dev.shadowtest.reconcile.ReconcileResult.Kind;
import dev.shadowtest.reconcile.ReconcileResult.RowDifference;
import dev.shadowtest.reconcile.ReconcileResult.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two embedded H2 databases, seeded with known differences, reconciled. */
class ReconcilerTests {

  @TempDir Path dir;
  String legacyUrl;
  String candidateUrl;
  List<String> warnings = new ArrayList<>();

  @BeforeEach
  void databases() {
    legacyUrl = "jdbc:h2:file:" + dir.resolve("legacy").toAbsolutePath();
    candidateUrl = "jdbc:h2:file:" + dir.resolve("candidate").toAbsolutePath();
  }

  static void sql(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement()) {
      for (String st : statements) {
        s.execute(st);
      }
    }
  }

  ReconcileSpec spec(String body) throws IOException {
    Path f = dir.resolve("reconcile.yaml");
    Files.writeString(
        f,
        "version: 1\n"
            + "legacy: { jdbc: \""
            + legacyUrl
            + "\", user: sa, passwordEnv: PW }\n"
            + "candidate: { jdbc: \""
            + candidateUrl
            + "\", user: sa, passwordEnv: PW }\n"
            + body);
    return ReconcileSpec.load(f, Map.of("PW", ""));
  }

  static final String ORDERS =
      """
      datasets:
        - name: orders
          legacy: { table: orders }
          candidate: { table: orders }
          key: [id]
          columns:
            - { name: amount, tolerance: 0.01 }
            - { name: status, trim: true, ignoreCase: true }
            - { name: note, candidateColumn: remark, emptyIsNull: true }
            - region
            - { name: created, timestampPrecision: seconds }
            - { name: updated_by, ignore: true }
        - name: customers
          legacy: { table: customers }
          candidate: { query: "SELECT code, name FROM clients ORDER BY code" }
          key: [code]
          columns: [name]
      aggregates:
        - name: total amount
          legacy: "SELECT sum(amount) FROM orders"
          candidate: "SELECT sum(amount) FROM orders"
          tolerance: 0.1
        - name: amount of order 3
          legacy: "SELECT amount FROM orders WHERE id = 3"
          candidate: "SELECT amount FROM orders WHERE id = 3"
          tolerance: 0.01
        - name: orders by region
          legacy: "SELECT region, count(*) FROM orders WHERE id < 8 GROUP BY region"
          candidate: "SELECT region, count(*) FROM orders WHERE id < 8 GROUP BY region"
      """;

  /** Rows 1..12 on legacy, 1..11, 13 and 21 on candidate; seeded as the comments say. */
  void seed() throws SQLException {
    sql(
        legacyUrl,
        "CREATE TABLE orders (id INT PRIMARY KEY, amount DECIMAL(12,2), status VARCHAR(20),"
            + " note VARCHAR(20), region VARCHAR(10), created TIMESTAMP(3), updated_by"
            + " VARCHAR(10))",
        "INSERT INTO orders SELECT X, 10.00, 'OPEN', 'n', 'EU', TIMESTAMP '2026-01-01 12:00:00',"
            + " 'bob' FROM SYSTEM_RANGE(1, 12)",
        "CREATE TABLE customers (code VARCHAR(10) PRIMARY KEY, name VARCHAR(20))",
        "INSERT INTO customers VALUES ('A1', 'Ann'), ('B2', 'Bo'), ('a1', 'al'), ('b2', 'bea')");
    sql(
        candidateUrl,
        "CREATE TABLE orders (id INT PRIMARY KEY, amount DECIMAL(12,2), status VARCHAR(20),"
            + " remark VARCHAR(20), region VARCHAR(10), created TIMESTAMP(3), updated_by"
            + " VARCHAR(10))",
        "INSERT INTO orders SELECT X, 10.00, 'OPEN', 'n', 'EU', TIMESTAMP '2026-01-01 12:00:00',"
            + " 'eve' FROM SYSTEM_RANGE(1, 11)",
        "INSERT INTO orders VALUES (13, 10.00, 'OPEN', 'n', 'EU', TIMESTAMP '2026-01-01"
            + " 12:00:00', 'eve'), (21, 10.00, 'OPEN', 'n', 'EU', TIMESTAMP '2026-01-01"
            + " 12:00:00', 'eve')",
        "CREATE TABLE clients (code VARCHAR(10) PRIMARY KEY, name VARCHAR(20))",
        "INSERT INTO clients VALUES ('A1', 'Ann'), ('B2', 'Bo'), ('a1', 'al')");
    // 3: amounts within the tolerance (match); 4: beyond it (changed)
    sql(legacyUrl, "UPDATE orders SET amount = 100.00 WHERE id IN (3, 4)");
    sql(candidateUrl, "UPDATE orders SET amount = 100.01 WHERE id = 3");
    sql(candidateUrl, "UPDATE orders SET amount = 100.05 WHERE id = 4");
    // 5: case only, 6: blanks only (status is trimmed and case-blind: match)
    sql(candidateUrl, "UPDATE orders SET status = 'open' WHERE id = 5");
    sql(legacyUrl, "UPDATE orders SET status = '  OPEN ' WHERE id = 6");
    // 7: empty vs NULL with emptyIsNull (match); 8: without it (changed)
    sql(legacyUrl, "UPDATE orders SET note = '' WHERE id = 7");
    sql(candidateUrl, "UPDATE orders SET remark = NULL WHERE id = 7");
    sql(legacyUrl, "UPDATE orders SET region = '' WHERE id = 8");
    sql(candidateUrl, "UPDATE orders SET region = NULL WHERE id = 8");
    // 9: within the second (match); 10: a second apart (changed)
    sql(legacyUrl, "UPDATE orders SET created = TIMESTAMP '2026-01-01 12:00:00.123' WHERE id = 9");
    sql(
        candidateUrl,
        "UPDATE orders SET created = TIMESTAMP '2026-01-01 12:00:00.999' WHERE id = 9",
        "UPDATE orders SET created = TIMESTAMP '2026-01-01 12:00:01' WHERE id = 10");
    // 11: the renamed column differs (changed)
    sql(candidateUrl, "UPDATE orders SET remark = 'm' WHERE id = 11");
  }

  @Test
  void everySeededDifferenceIsFoundAndNothingElse() throws Exception {
    seed();
    ReconcileResult r = Reconciler.run(spec(ORDERS), warnings::add);

    DatasetResult orders = r.datasets().get(0);
    assertThat(orders.name()).isEqualTo("orders");
    assertThat(orders.matched()).isEqualTo(7); // 1, 2, 3, 5, 6, 7, 9
    assertThat(orders.onlyLegacy()).isEqualTo(1); // 12
    assertThat(orders.onlyCandidate()).isEqualTo(2); // 13, 21
    assertThat(orders.changed()).isEqualTo(4); // 4, 8, 10, 11
    assertThat(orders.union()).isEqualTo(14);
    assertThat(orders.drift()).isEqualTo(7.0 / 14);
    assertThat(orders.changedByColumn())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("amount", 1L, "region", 1L, "created", 1L, "note", 1L));
    assertThat(orders.sample())
        .containsExactly(
            new RowDifference(
                Kind.CHANGED,
                List.of("4"),
                List.of(new ColumnDifference("amount", "100.00", "100.05"))),
            new RowDifference(
                Kind.CHANGED, List.of("8"), List.of(new ColumnDifference("region", "", null))),
            new RowDifference(
                Kind.CHANGED,
                List.of("10"),
                List.of(
                    new ColumnDifference("created", "2026-01-01T12:00", "2026-01-01T12:00:01"))),
            new RowDifference(
                Kind.CHANGED, List.of("11"), List.of(new ColumnDifference("note", "n", "m"))),
            new RowDifference(Kind.ONLY_LEGACY, List.of("12"), List.of()),
            new RowDifference(Kind.ONLY_CANDIDATE, List.of("13"), List.of()),
            new RowDifference(Kind.ONLY_CANDIDATE, List.of("21"), List.of()));

    // text keys in byte order: A1 < B2 < a1 < b2
    DatasetResult customers = r.datasets().get(1);
    assertThat(customers.matched()).isEqualTo(3);
    assertThat(customers.onlyLegacy()).isEqualTo(1);
    assertThat(customers.onlyCandidate()).isZero();
    assertThat(customers.changed()).isZero();
    assertThat(customers.sample())
        .containsExactly(new RowDifference(Kind.ONLY_LEGACY, List.of("b2"), List.of()));

    assertThat(r.union()).isEqualTo(18);
    assertThat(r.differing()).isEqualTo(8);
    assertThat(r.drift()).isEqualTo(8.0 / 18);
    assertThat(r.verdict()).isEqualTo(Verdict.PAUSE);

    // legacy 10 x 10.00 + 2 x 100.00 = 300.00; candidate 11 x 10.00 + 100.01 + 100.05 = 310.06
    assertThat(r.aggregates())
        .extracting(AggregateResult::name, AggregateResult::agrees)
        .containsExactly(
            tuple("total amount", false),
            tuple("amount of order 3", true),
            tuple("orders by region", true));
    assertThat(r.aggregates().get(0).groups())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.group()).isEmpty();
              assertThat(g.legacy()).isEqualByComparingTo("300.00");
              assertThat(g.candidate()).isEqualByComparingTo("310.06");
            });
    assertThat(r.aggregates().get(2).groups())
        .extracting(GroupResult::group, g -> g.legacy().intValue(), g -> g.candidate().intValue())
        .containsExactly(tuple("EU", 7, 7));
    assertThat(warnings).isEmpty();
  }

  @Test
  void twoHundredThousandRowsAreStreamedAndTheThresholdsApplied() throws Exception {
    for (String url : List.of(legacyUrl, candidateUrl)) {
      sql(
          url,
          "CREATE TABLE ledger (account VARCHAR(12), entry INT, amount DECIMAL(12,2),"
              + " PRIMARY KEY (account, entry))",
          "INSERT INTO ledger SELECT 'acct-' || MOD(X, 1000), X, X / 100.0 FROM SYSTEM_RANGE(1,"
              + " 200000)");
    }
    // 30 of 200,000 changed: 0.015%, above "investigate" (0.01%), below "pause" (0.1%)
    sql(
        candidateUrl,
        "UPDATE ledger SET amount = amount + 1 WHERE MOD(entry, 10000) = 5000 OR entry <= 10");
    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets:
                  - name: ledger
                    legacy: { table: ledger }
                    candidate: { table: ledger }
                    key: [account, entry]
                    columns: [amount]
                """),
            warnings::add);
    DatasetResult ledger = r.datasets().get(0);
    assertThat(ledger.matched()).isEqualTo(199_970);
    assertThat(ledger.changed()).isEqualTo(30);
    assertThat(ledger.onlyLegacy() + ledger.onlyCandidate()).isZero();
    assertThat(r.drift()).isEqualTo(30.0 / 200_000);
    assertThat(r.verdict()).isEqualTo(Verdict.INVESTIGATE);
    assertThat(ledger.sample()).hasSize(30);
  }

  /**
   * Timestamps are compared as stored, whatever the JVM's time zone: a local time that the JVM's
   * zone skips (spring forward) is not moved to the next hour.
   */
  @Test
  void timestampsDoNotDependOnTheJvmTimeZone() throws Exception {
    String table =
        "CREATE TABLE clock (id INT PRIMARY KEY, local_at TIMESTAMP, at TIMESTAMP WITH TIME ZONE)";
    sql(
        legacyUrl,
        table,
        "INSERT INTO clock VALUES (1, TIMESTAMP '2026-03-29 02:30:00', TIMESTAMP WITH TIME ZONE"
            + " '2026-01-01 00:00:00+00'), (2, TIMESTAMP '2026-01-01 00:00:00', TIMESTAMP WITH TIME"
            + " ZONE '2026-10-25 00:30:00+00')");
    sql(
        candidateUrl,
        table,
        "INSERT INTO clock VALUES (1, TIMESTAMP '2026-03-29 03:30:00', TIMESTAMP WITH TIME ZONE"
            + " '2026-01-01 00:00:00+00'), (2, TIMESTAMP '2026-01-01 00:00:00', TIMESTAMP WITH TIME"
            + " ZONE '2026-10-25 01:30:00+00')");
    ReconcileSpec spec =
        spec(
            """
            datasets:
              - name: clock
                legacy: { table: clock }
                candidate: { table: clock }
                key: [id]
                columns: [local_at, at]
            """);
    TimeZone zone = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("Europe/Paris"));
    ReconcileResult r;
    try {
      r = Reconciler.run(spec, warnings::add);
    } finally {
      TimeZone.setDefault(zone);
    }
    assertThat(r.datasets().get(0).sample())
        .containsExactly(
            new RowDifference(
                Kind.CHANGED,
                List.of("1"),
                List.of(new ColumnDifference("local_at", "2026-03-29T02:30", "2026-03-29T03:30"))),
            new RowDifference(
                Kind.CHANGED,
                List.of("2"),
                List.of(
                    new ColumnDifference("at", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"))));
  }

  @Test
  void identicalDataIsOk() throws Exception {
    seed();
    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets:
                  - name: same
                    legacy: { query: "SELECT id, amount FROM orders WHERE id <= 2 ORDER BY id" }
                    candidate: { query: "SELECT id, amount FROM orders WHERE id <= 2 ORDER BY id" }
                    key: [id]
                    columns: []
                    checksum: false
                  - name: nothing
                    legacy: { query: "SELECT id FROM orders WHERE id < 0" }
                    candidate: { query: "SELECT id FROM orders WHERE id < 0" }
                    key: [id]
                    columns: []
                """),
            warnings::add);
    assertThat(r.datasets().get(0).matched()).isEqualTo(2);
    assertThat(r.datasets().get(1).union()).isZero();
    assertThat(r.drift()).isZero();
    assertThat(r.verdict()).isEqualTo(Verdict.OK);
    assertThat(warnings)
        .containsExactly(
            where(5, "same", "legacy") + ": query returns columns not compared: amount",
            where(5, "same", "candidate") + ": query returns columns not compared: amount");
  }

  String where(int line, String dataset, String side) {
    return dir.resolve("reconcile.yaml") + ":" + line + ": dataset " + dataset + ": " + side;
  }

  @Test
  void rowsOutOfKeyOrderAreAnError() throws Exception {
    seed();
    ReconcileSpec spec =
        spec(
            """
            datasets:
              - name: orders
                legacy: { table: orders }
                candidate: { query: "SELECT id, amount FROM orders ORDER BY amount DESC, id" }
                key: [id]
                columns: [amount]
            """);
    assertThatThrownBy(() -> Reconciler.run(spec, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            where(5, "orders", "candidate")
                + ": key [3] comes after [4]: the rows are not ordered by the key byte-wise"
                + " (ORDER BY the key, COLLATE \"C\" on PostgreSQL text)");
  }

  @Test
  void aDuplicateKeyIsAnError() throws Exception {
    sql(
        legacyUrl,
        "CREATE TABLE t (id INT, v INT)",
        "INSERT INTO t VALUES (1, 1), (2, 2), (2, 3), (3, 3)");
    sql(
        candidateUrl,
        "CREATE TABLE t (id INT, v INT)",
        "INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)");
    ReconcileSpec spec =
        spec(
            """
            datasets:
              - name: t
                legacy: { table: t }
                candidate: { table: t }
                key: [id]
                columns: [v]
            """);
    assertThatThrownBy(() -> Reconciler.run(spec, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(where(5, "t", "legacy") + ": duplicate key [2]");
  }

  @Test
  void keysOfDifferentKindsOnTheTwoSidesAreAnError() throws Exception {
    sql(legacyUrl, "CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (9), (10)");
    sql(
        candidateUrl,
        "CREATE TABLE t (id VARCHAR(5) PRIMARY KEY)",
        "INSERT INTO t VALUES ('10'), ('9')");
    ReconcileSpec spec =
        spec(
            """
            datasets:
              - name: t
                legacy: { table: t }
                candidate: { table: t }
                key: [id]
                columns: []
                checksum: false
            """);
    assertThatThrownBy(() -> Reconciler.run(spec, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            dir.resolve("reconcile.yaml")
                + ":5: dataset t: key column id is a number on legacy and text on candidate (keys"
                + " [9] and [10]): cast one side in a query so that both order it alike");
  }

  @Test
  void aMissingColumnOrFailingQueryIsNamed() throws Exception {
    seed();
    ReconcileSpec missingTable =
        spec(
            """
            datasets:
              - name: orders
                legacy: { table: orders }
                candidate: { table: no_such_table }
                key: [id]
                columns: [amount]
            """);
    assertThatThrownBy(() -> Reconciler.run(missingTable, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(where(5, "orders", "candidate") + ": query failed: ")
        .hasMessageContaining("NO_SUCH_TABLE")
        .hasMessageEndingWith("(SQL: SELECT id, amount FROM no_such_table ORDER BY id)");
    ReconcileSpec missingColumn =
        spec(
            """
            datasets:
              - name: orders
                legacy: { table: orders }
                candidate: { query: "SELECT id FROM orders ORDER BY id" }
                key: [id]
                columns: [amount]
            """);
    assertThatThrownBy(() -> Reconciler.run(missingColumn, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            where(5, "orders", "candidate") + ": column amount is not in the result (it has id)");
    ReconcileSpec badAggregate =
        spec(
            """
            datasets: []
            aggregates:
              - name: broken
                legacy: "SELECT sum(amount) FROM orders"
                candidate: "SELECT sum(amount), 1, 2 FROM orders"
            """);
    assertThatThrownBy(() -> Reconciler.run(badAggregate, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            dir.resolve("reconcile.yaml")
                + ":6: aggregate broken: candidate: expected one value or rows of (group, value),"
                + " got 3 columns");
  }

  @Test
  void anUnreachableDatabaseIsNamed() throws Exception {
    candidateUrl = "jdbc:h2:file:" + dir.resolve("absent").toAbsolutePath() + ";IFEXISTS=TRUE";
    sql(legacyUrl, "CREATE TABLE t (id INT)");
    ReconcileSpec spec =
        spec(
            "datasets:\n  - { name: t, legacy: { table: t }, candidate: { table: t }, key: [id], columns: [] }\n");
    assertThatThrownBy(() -> Reconciler.run(spec, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("candidate: cannot connect to " + candidateUrl + ": ")
        .hasMessageContaining("not found");
    candidateUrl = "jdbc:nosuchdriver://host/db?password=hunter2";
    ReconcileSpec noDriver =
        spec(
            "datasets:\n  - { name: t, legacy: { table: t }, candidate: { table: t }, key: [id], columns: [] }\n");
    assertThatThrownBy(() -> Reconciler.run(noDriver, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith(
            "candidate: cannot connect to jdbc:nosuchdriver://host/db?password=***: ")
        .hasMessageNotContaining("hunter2");
  }

  static final String T_SPEC =
      """
      datasets:
        - name: t
          legacy: { table: t }
          candidate: { table: t }
          key: [id]
          columns: [v, { name: w, sensitive: true }]
      """;

  @Test
  void sidesThatAgreeAreConfirmedByTheirChecksumsWithoutStreaming() throws Exception {
    for (String url : List.of(legacyUrl, candidateUrl)) {
      sql(
          url,
          "CREATE TABLE t (id INT, v DECIMAL(10,2), w VARCHAR(10))",
          "INSERT INTO t SELECT X, X / 100.0, NULL FROM SYSTEM_RANGE(1, 5000)");
    }
    ReconcileResult r = Reconciler.run(spec(T_SPEC), warnings::add);
    DatasetResult t = r.datasets().get(0);
    assertThat(t.checksum()).isEqualTo(ReconcileResult.Checksum.AGREED);
    assertThat(t.matched()).isEqualTo(5000);
    assertThat(t.differing()).isZero();
  }

  @Test
  void sidesWhoseChecksumsDifferAreStreamedAndEveryDifferenceIsHeard() throws Exception {
    for (String url : List.of(legacyUrl, candidateUrl)) {
      sql(
          url,
          "CREATE TABLE t (id INT, v DECIMAL(10,2), w VARCHAR(10))",
          "INSERT INTO t SELECT X, X / 100.0, 'secret' FROM SYSTEM_RANGE(1, 5000)");
    }
    // a NULL only one side has: the checksum tells NULL from any text
    sql(
        candidateUrl,
        "UPDATE t SET v = NULL WHERE id = 7",
        "UPDATE t SET w = 'other' WHERE id = 8");
    sql(legacyUrl, "DELETE FROM t WHERE id = 9");
    List<String> heard = new ArrayList<>();
    ReconcileResult r =
        Reconciler.run(
            spec(T_SPEC),
            warnings::add,
            (dataset, row) ->
                heard.add(dataset + " " + row.kind() + " " + row.key() + " " + row.columns()));
    DatasetResult t = r.datasets().get(0);
    assertThat(t.checksum()).isEqualTo(ReconcileResult.Checksum.DIFFERED);
    assertThat(t.changed()).isEqualTo(2);
    assertThat(t.onlyCandidate()).isEqualTo(1);
    assertThat(t.matched()).isEqualTo(4997);
    // a sensitive column's values never leave the run; NULL stays NULL
    assertThat(heard)
        .containsExactly(
            "t CHANGED [7] [ColumnDifference[column=v, legacy=0.07, candidate=null]]",
            "t CHANGED [8] [ColumnDifference[column=w, legacy=***, candidate=***]]",
            "t ONLY_CANDIDATE [9] []");
  }

  @Test
  void repeatedKeysOnBothSidesAreStillAnErrorWhenTheChecksumsAgree() throws Exception {
    for (String url : List.of(legacyUrl, candidateUrl)) {
      sql(
          url,
          "CREATE TABLE t (id INT, v INT, w INT)",
          "INSERT INTO t VALUES (1, 1, 1), (2, 2, 2), (2, 2, 2)");
    }
    assertThatThrownBy(() -> Reconciler.run(spec(T_SPEC), warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(where(5, "t", "legacy") + ": duplicate key [2]");
    for (String url : List.of(legacyUrl, candidateUrl)) {
      sql(url, "DELETE FROM t WHERE id = 2", "INSERT INTO t VALUES (NULL, 1, 1)");
    }
    assertThatThrownBy(() -> Reconciler.run(spec(T_SPEC), warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(where(5, "t", "legacy") + ": a key column is NULL");
  }

  @Test
  void csvExportsAreLoadedAndReconciledLikeTables() throws Exception {
    Path legacyCsv = Files.createDirectories(dir.resolve("old"));
    Path candidateCsv = Files.createDirectories(dir.resolve("new"));
    Files.writeString(
        legacyCsv.resolve("orders.csv"),
        "\uFEFFid,amount,note\n1,10.00,a\n2,20.00,\"with, comma\"\n3,30.00,\n4,40.00,x\n");
    Files.writeString(
        candidateCsv.resolve("orders.csv"),
        "ID;Amount;Remark\r\n1;10.001;a\r\n2;20.00;with, comma\r\n3;30.00;\r\n5;50.00;y\r\n");
    Files.writeString(candidateCsv.resolve("unused.csv"), "not,read\n\"never closed\n");
    Path f = dir.resolve("csv.yaml");
    Files.writeString(
        f,
        """
        version: 1
        legacy: { csv: old }
        candidate: { csv: new, delimiter: ";" }
        datasets:
          - name: orders
            legacy: { table: orders }
            candidate: { table: orders }
            key: [id]
            columns:
              - { name: amount, tolerance: 0.01 }
              - { name: note, candidateColumn: remark, emptyIsNull: true }
        aggregates:
          - name: total
            legacy: "SELECT sum(CAST(amount AS DECIMAL(12,3))) FROM orders"
            candidate: "SELECT sum(CAST(amount AS DECIMAL(12,3))) FROM orders"
            tolerance: 0.01
        """);
    ReconcileResult r = Reconciler.run(ReconcileSpec.load(f, Map.of()), warnings::add);
    DatasetResult d = r.datasets().get(0);
    assertThat(d.checksum()).isEqualTo(ReconcileResult.Checksum.DIFFERED);
    assertThat(d.sample())
        .extracting(RowDifference::kind)
        .containsExactly(Kind.ONLY_LEGACY, Kind.ONLY_CANDIDATE);
    assertThat(d.matched()).isEqualTo(3);
    assertThat(d.onlyLegacy()).isEqualTo(1);
    assertThat(d.onlyCandidate()).isEqualTo(1);
    assertThat(d.changed()).isZero();
    assertThat(r.aggregates().get(0).groups().get(0).legacy()).isEqualByComparingTo("100.000");
    assertThat(r.aggregates().get(0).agrees()).isFalse(); // 110.001 on the candidate
    try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("shadow-reconcile-"));
    }
  }

  @Test
  void aCsvExportThatIsNotValidIsNamedWithItsLine() throws Exception {
    Path old = Files.createDirectories(dir.resolve("old"));
    Files.writeString(old.resolve("orders.csv"), "id,amount\n1,10\n2,20,extra\n");
    Path f = dir.resolve("csv.yaml");
    Files.writeString(
        f,
        """
        version: 1
        legacy: { csv: old }
        candidate: { csv: old }
        datasets:
          - { name: orders, legacy: { table: orders }, candidate: { table: orders }, key: [id], columns: [amount] }
        """);
    assertThatThrownBy(() -> Reconciler.run(ReconcileSpec.load(f, Map.of()), warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "legacy: "
                + old.resolve("orders.csv")
                + ":3: 3 fields, the header has 2 (delimiter ',')");
    Files.writeString(old.resolve("orders.csv"), "id,amount\n1,\"10\n");
    assertThatThrownBy(() -> Reconciler.run(ReconcileSpec.load(f, Map.of()), warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("legacy: " + old.resolve("orders.csv") + ": not valid CSV: ");
    Files.delete(old.resolve("orders.csv"));
    assertThatThrownBy(() -> Reconciler.run(ReconcileSpec.load(f, Map.of()), warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(f + ":5: dataset orders: legacy: no orders.csv in " + old);
  }

  @Test
  void checksumsNeverConfirmRowsThatDifferThroughTheirText() throws Exception {
    // without lengths, (x|vy, NULL) and (x, y|n) would be one text: v1|vx|vy|n
    sql(
        legacyUrl,
        "CREATE TABLE t (id INT, v VARCHAR(10), w VARCHAR(10))",
        "INSERT INTO t VALUES (1, 'x|vy', NULL)");
    sql(
        candidateUrl,
        "CREATE TABLE t (id INT, v VARCHAR(10), w VARCHAR(10))",
        "INSERT INTO t VALUES (1, 'x', 'y|n')");
    DatasetResult t = Reconciler.run(spec(T_SPEC), warnings::add).datasets().get(0);
    assertThat(t.checksum()).isEqualTo(ReconcileResult.Checksum.DIFFERED);
    assertThat(t.changed()).isEqualTo(1);
    // binary values are not told apart by their text: streamed, never checksummed
    for (String url : List.of(legacyUrl, candidateUrl)) {
      sql(url, "DROP TABLE t", "CREATE TABLE t (id INT, v VARBINARY(4), w VARCHAR(4))");
    }
    sql(legacyUrl, "INSERT INTO t VALUES (1, X'C0', 'a')");
    sql(candidateUrl, "INSERT INTO t VALUES (1, X'C1', 'a')");
    t = Reconciler.run(spec(T_SPEC), warnings::add).datasets().get(0);
    assertThat(t.checksum()).isEqualTo(ReconcileResult.Checksum.NOT_USED);
    assertThat(t.changed()).isEqualTo(1);
  }

  @Test
  void aCsvExportAgainstADatabaseComparesDatesTimesAndBooleansByValue() throws Exception {
    sql(
        legacyUrl,
        "CREATE TABLE t (id VARCHAR(5), at TIMESTAMP, d1 DATE, ok BOOLEAN, z TIMESTAMP WITH TIME ZONE)",
        "INSERT INTO t VALUES ('1', TIMESTAMP '2026-06-01 07:30:00', DATE '2026-06-01', TRUE,"
            + " TIMESTAMP WITH TIME ZONE '2026-06-01 10:00:00+01:00'),"
            + " ('2', TIMESTAMP '2026-06-01 07:30:00', DATE '2026-06-01', FALSE,"
            + " TIMESTAMP WITH TIME ZONE '2026-06-01 10:00:00+01:00')");
    Path csv = Files.createDirectories(dir.resolve("exports"));
    Files.writeString(
        csv.resolve("t.csv"),
        "id,at,d1,ok,z\n"
            + "1,2026-06-01 07:30:00,2026-06-01,t,2026-06-01 09:00:00+00\n"
            + "2,2026-06-01T07:30:01,2026-06-02,true,2026-06-01 09:00:01+00\n");
    Path f = dir.resolve("mixed.yaml");
    Files.writeString(
        f,
        "version: 1\n"
            + "legacy: { jdbc: \""
            + legacyUrl
            + "\", user: sa }\n"
            + "candidate: { csv: exports }\n"
            + "datasets:\n"
            + "  - { name: t, legacy: { table: t }, candidate: { table: t }, key: [id],"
            + " columns: [at, d1, ok, z] }\n");
    DatasetResult t =
        Reconciler.run(ReconcileSpec.load(f, Map.of()), warnings::add).datasets().get(0);
    assertThat(t.matched()).isEqualTo(1);
    assertThat(t.changed()).isEqualTo(1);
    assertThat(t.changedByColumn()).containsOnlyKeys("at", "d1", "ok", "z");
  }

  @Test
  void timesWithAnOffsetAreOneKeyWhateverTheOffset() throws Exception {
    sql(
        legacyUrl,
        "CREATE TABLE t (k TIMESTAMP WITH TIME ZONE, v INT)",
        "INSERT INTO t VALUES (TIMESTAMP WITH TIME ZONE '2026-06-01 10:00:00+01:00', 1)");
    sql(
        candidateUrl,
        "CREATE TABLE t (k TIMESTAMP WITH TIME ZONE, v INT)",
        "INSERT INTO t VALUES (TIMESTAMP WITH TIME ZONE '2026-06-01 09:00:00+00:00', 1)");
    DatasetResult t =
        Reconciler.run(
                spec(
                    """
                    datasets:
                      - { name: t, legacy: { table: t }, candidate: { table: t }, key: [k], columns: [v], checksum: false }
                    """),
                warnings::add)
            .datasets()
            .get(0);
    assertThat(t.matched()).isEqualTo(1);
    assertThat(t.differing()).isZero();
  }

  @Test
  void arraysNotANumberAndTextBeyondTheBasicPlaneAreCompared() throws Exception {
    for (String url : List.of(legacyUrl, candidateUrl)) {
      sql(
          url,
          "CREATE TABLE t (id VARCHAR(10), a INT ARRAY, d DOUBLE PRECISION)",
          // H2 orders text by UTF-16 unit: U+FF5E comes after the surrogates of U+1F600
          "INSERT INTO t VALUES ('\uD83D\uDE00', ARRAY[1, 2], CAST('NaN' AS DOUBLE PRECISION)),"
              + " ('\uFF5E', ARRAY[3], 1.5)");
    }
    sql(candidateUrl, "UPDATE t SET a = ARRAY[3, 4] WHERE id = '\uFF5E'");
    DatasetResult t =
        Reconciler.run(
                spec(
                    """
                    datasets:
                      - { name: t, legacy: { table: t }, candidate: { table: t }, key: [id], columns: [a, d] }
                    """),
                warnings::add)
            .datasets()
            .get(0);
    assertThat(t.matched()).isEqualTo(1);
    assertThat(t.changed()).isEqualTo(1);
    assertThat(t.sample().get(0).columns())
        .containsExactly(new ColumnDifference("a", "[3]", "[3, 4]"));
  }

  @Test
  void aSensitiveKeyIsShownAsAPseudonymEverywhere() throws Exception {
    sql(
        legacyUrl,
        "CREATE TABLE t (email VARCHAR(40), v INT)",
        "INSERT INTO t VALUES ('ann@example.com', 1)");
    sql(
        candidateUrl,
        "CREATE TABLE t (email VARCHAR(40), v INT)",
        "INSERT INTO t VALUES ('ann@example.com', 2)");
    String body =
        """
        datasets:
          - { name: t, legacy: { table: t }, candidate: { table: t }, key: [email], columns: [v], sensitiveKey: true }
        """;
    List<String> heard = new ArrayList<>();
    DatasetResult t =
        Reconciler.run(spec(body), warnings::add, (d, row) -> heard.add(row.key().toString()))
            .datasets()
            .get(0);
    assertThat(t.changed()).isEqualTo(1);
    assertThat(t.sample().get(0).key()).singleElement().asString().matches("#[0-9a-f]{16}");
    assertThat(heard).singleElement().asString().doesNotContain("ann");
    sql(candidateUrl, "INSERT INTO t VALUES ('ann@example.com', 2)");
    assertThatThrownBy(() -> Reconciler.run(spec(body), warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("duplicate key [#")
        .hasMessageNotContaining("ann");
  }
}
