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
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * Reconciliation against a real PostgreSQL server ({@link TestPostgres}): one server for the
 * class, a legacy and a candidate database, seeded with known differences. Each test uses its own
 * tables.
 */
class PostgresReconcileTests {

  static TestPostgres pg;
  static String legacyUrl;
  static String candidateUrl;

  /** Why there is no server (PostgreSQL not installed), or null. */
  static String skipped;

  @TempDir Path dir;
  List<String> warnings = new ArrayList<>();

  @BeforeAll
  static void server() throws Exception {
    try {
      pg = TestPostgres.start();
    } catch (TestAbortedException e) {
      // skipped test by test (below): a class skipped here is reported as no tests, without why
      skipped = e.getMessage();
      return;
    }
    legacyUrl = pg.createDatabase("legacy");
    candidateUrl = pg.createDatabase("candidate");
  }

  @BeforeEach
  void serverStarted() {
    Assumptions.assumeTrue(skipped == null, () -> skipped);
  }

  @AfterAll
  static void stop() {
    if (pg != null) {
      pg.close();
    }
  }

  static void legacy(String... statements) throws SQLException {
    pg.sql("legacy", statements);
  }

  static void candidate(String... statements) throws SQLException {
    pg.sql("candidate", statements);
  }

  ReconcileSpec spec(String body) throws IOException {
    return spec(legacyUrl, candidateUrl, pg.password(), body);
  }

  /** The spec's header is 3 lines: its first dataset starts on line 5 ("datasets:" on line 4). */
  ReconcileSpec spec(String legacy, String candidate, String password, String body)
      throws IOException {
    Path f = dir.resolve("reconcile.yaml");
    String header =
        """
        version: 1
        legacy: { jdbc: "%s", user: %s, passwordEnv: PG_PW }
        candidate: { jdbc: "%s", user: %s, passwordEnv: PG_PW }
        """
            .formatted(legacy, pg.user(), candidate, pg.user());
    Files.writeString(f, header + body);
    return ReconcileSpec.load(f, Map.of("PG_PW", password));
  }

  String where(int line, String dataset, String side) {
    return dir.resolve("reconcile.yaml") + ":" + line + ": dataset " + dataset + ": " + side;
  }

  static RowDifference onlyLegacy(String... key) {
    return new RowDifference(Kind.ONLY_LEGACY, List.of(key), List.of());
  }

  static RowDifference onlyCandidate(String... key) {
    return new RowDifference(Kind.ONLY_CANDIDATE, List.of(key), List.of());
  }

  static RowDifference changed(String key, ColumnDifference... columns) {
    return new RowDifference(Kind.CHANGED, List.of(key), List.of(columns));
  }

  static ColumnDifference column(String name, String legacy, String candidate) {
    return new ColumnDifference(name, legacy, candidate);
  }

  static void counts(
      DatasetResult d, long matched, long onlyLegacy, long onlyCandidate, long changed) {
    assertThat(List.of(d.matched(), d.onlyLegacy(), d.onlyCandidate(), d.changed()))
        .as("%s: matched, only legacy, only candidate, changed", d.name())
        .containsExactly(matched, onlyLegacy, onlyCandidate, changed);
  }

  /** Rows 1..5000 on each side, differing as the comments say: a column for each rule. */
  @Test
  void everySeededDifferenceIsCountedByKindAndColumn() throws Exception {
    String rows =
        " SELECT i, (i %% 1000) / 10.0, i * 1.25, CASE WHEN i %% 2 = 0 THEN 'OPEN' ELSE 'CLOSED'"
            + " END, 'note ' || i, (ARRAY['EU', 'US', 'APAC'])[i %% 3 + 1], timestamp"
            + " '2026-01-01 00:00:00.123456' + i * interval '1 minute', %s + i * interval '1"
            + " hour', %s FROM generate_series(1, 5000) i";
    legacy(
        "CREATE TABLE orders (id int PRIMARY KEY, amount numeric(12,2), price numeric(12,2),"
            + " status text, note text, region text, created timestamp(6), paid timestamptz,"
            + " updated_by text)",
        "INSERT INTO orders" + rows.formatted("timestamptz '2026-03-01 12:00:00.25+01'", "'bob'"));
    // renamed note to remark; a bigint key, numeric(14,4) prices, timestamps to the millisecond;
    // paid at the same instants written in UTC, half a second later
    candidate(
        "CREATE TABLE orders_v2 (id bigint PRIMARY KEY, amount numeric(12,2), price"
            + " numeric(14,4), status varchar(20), remark text, region text, created"
            + " timestamp(3), paid timestamptz, updated_by text)",
        "INSERT INTO orders_v2"
            + rows.formatted("timestamptz '2026-03-01 11:00:00.75+00'", "'eve'"));
    // only legacy: 1, 2500, 5000; only candidate: 777, 778, 5001, 6000
    candidate("DELETE FROM orders_v2 WHERE id IN (1, 2500, 5000)");
    legacy("DELETE FROM orders WHERE id IN (777, 778)");
    candidate(
        "INSERT INTO orders_v2 (id, amount, status, updated_by) VALUES (5001, 1, 'OPEN', 'eve'),"
            + " (6000, 1, 'OPEN', 'eve')");
    // equal by the rules: amounts within 0.01 (10, 11); status case and blanks (20, 21); empty,
    // blank and NULL notes (30, 31, 32); paid at one instant in two offsets (71)
    candidate("UPDATE orders_v2 SET amount = amount + 0.01 WHERE id = 10");
    candidate("UPDATE orders_v2 SET amount = amount - 0.01 WHERE id = 11");
    candidate("UPDATE orders_v2 SET status = 'open' WHERE id = 20");
    legacy("UPDATE orders SET status = '  CLOSED ' WHERE id = 21");
    legacy("UPDATE orders SET note = '' WHERE id = 30");
    candidate("UPDATE orders_v2 SET remark = NULL WHERE id = 30");
    legacy("UPDATE orders SET note = '   ' WHERE id = 31");
    candidate("UPDATE orders_v2 SET remark = NULL WHERE id = 31");
    legacy("UPDATE orders SET note = NULL WHERE id = 32");
    candidate("UPDATE orders_v2 SET remark = '' WHERE id = 32");
    legacy("UPDATE orders SET paid = '2026-06-01 09:30:00+02' WHERE id = 71");
    candidate("UPDATE orders_v2 SET paid = '2026-06-01 07:30:00.999+00' WHERE id = 71");
    // changed: amount beyond 0.01 (12, 13); a price in its fourth decimal (40); status (22); note
    // (33); region '' vs NULL, no emptyIsNull (50); created rounded up to the next second by
    // timestamp(3) (60); paid at the same wall-clock time in another offset (70); amount and
    // status (80)
    candidate("UPDATE orders_v2 SET amount = amount + 0.02 WHERE id = 12");
    candidate("UPDATE orders_v2 SET amount = amount - 5 WHERE id = 13");
    candidate("UPDATE orders_v2 SET price = price + 0.0001 WHERE id = 40");
    candidate("UPDATE orders_v2 SET status = 'CLOSED' WHERE id = 22");
    candidate("UPDATE orders_v2 SET remark = 'other' WHERE id = 33");
    legacy("UPDATE orders SET region = '' WHERE id = 50");
    candidate("UPDATE orders_v2 SET region = NULL WHERE id = 50");
    legacy("UPDATE orders SET created = '2026-01-01 01:00:59.9996' WHERE id = 60");
    candidate("UPDATE orders_v2 SET created = '2026-01-01 01:00:59.9996' WHERE id = 60");
    legacy("UPDATE orders SET paid = '2026-06-01 09:30:00+02' WHERE id = 70");
    candidate("UPDATE orders_v2 SET paid = '2026-06-01 09:30:00+00' WHERE id = 70");
    candidate("UPDATE orders_v2 SET amount = amount + 1, status = 'closed' WHERE id = 80");

    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets:
                  - name: orders
                    legacy: { table: orders }
                    candidate: { table: orders_v2 }
                    key: [id]
                    columns:
                      - { name: amount, tolerance: 0.01 }
                      - price
                      - { name: status, trim: true, ignoreCase: true }
                      - { name: note, candidateColumn: remark, trim: true, emptyIsNull: true }
                      - region
                      - { name: created, timestampPrecision: seconds }
                      - { name: paid, timestampPrecision: seconds }
                      - { name: updated_by, ignore: true }
                """),
            warnings::add);

    DatasetResult orders = r.datasets().get(0);
    counts(orders, 4986, 3, 4, 9);
    assertThat(orders.union()).isEqualTo(5002);
    assertThat(orders.changedByColumn())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "amount", 3L,
                "price", 1L,
                "status", 2L,
                "note", 1L,
                "region", 1L,
                "created", 1L,
                "paid", 1L));
    assertThat(orders.sample())
        .containsExactly(
            onlyLegacy("1"),
            changed("12", column("amount", "1.20", "1.22")),
            changed("13", column("amount", "1.30", "-3.70")),
            changed("22", column("status", "OPEN", "CLOSED")),
            changed("33", column("note", "note 33", "other")),
            changed("40", column("price", "50.00", "50.0001")),
            changed("50", column("region", "", null)),
            changed("60", column("created", "2026-01-01T01:00:59.999600", "2026-01-01T01:01")),
            changed("70", column("paid", "2026-06-01T07:30:00Z", "2026-06-01T09:30:00Z")),
            changed("80", column("amount", "8.00", "9.00"), column("status", "OPEN", "closed")),
            onlyCandidate("777"),
            onlyCandidate("778"),
            onlyLegacy("2500"),
            onlyLegacy("5000"),
            onlyCandidate("5001"),
            onlyCandidate("6000"));
    assertThat(orders.drift()).isEqualTo(16.0 / 5002);
    assertThat(r.drift()).isEqualTo(16.0 / 5002);
    assertThat(r.verdict()).isEqualTo(Verdict.PAUSE);
    assertThat(warnings).isEmpty();
  }

  /** The server's ICU collation for the root locale (or English), or a skip. */
  static String icuCollation() throws SQLException {
    try (Connection c = pg.connect("legacy");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT collname FROM pg_collation WHERE collprovider = 'i' AND collname IN"
                    + " ('und-x-icu', 'en-x-icu') ORDER BY collname DESC")) {
      if (!rs.next()) {
        return Assumptions.abort("this PostgreSQL has no ICU collations (built without ICU)");
      }
      return rs.getString(1);
    }
  }

  static List<String> column(String database, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pg.connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  static int compareBytes(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  static final List<String> WORDS =
      List.of(
          "a", "A", "b", "B", "e", "é", "E", "f", "z", "Z", "_x", "-x", "10", "9", "a b", "ab",
          "a-b", "a_b", "Ä", "ß", "ss", "ｚ", "😀", "~", "");

  /**
   * Text keys in a column whose collation (ICU) orders them unlike their bytes: a table side is
   * read COLLATE "C" and reconciles exactly; a query ordering by the column's own collation is an
   * out-of-order error, never a miscount.
   */
  @Test
  void textKeysInANonByteWiseCollation() throws Exception {
    String icu = icuCollation();
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < WORDS.size(); i++) {
      values.append(i == 0 ? "" : ", ").append("('").append(WORDS.get(i)).append("', ").append(i);
      values.append(")");
    }
    legacy(
        "CREATE TABLE words (code text COLLATE \"" + icu + "\" PRIMARY KEY, n int)",
        "INSERT INTO words VALUES " + values);
    candidate(
        "CREATE TABLE words (code varchar(40) COLLATE \"" + icu + "\" PRIMARY KEY, n int)",
        "INSERT INTO words VALUES " + values,
        "DELETE FROM words WHERE code IN ('Ä', 'ß')",
        "INSERT INTO words VALUES ('Zz', 100), ('é2', 101)",
        "UPDATE words SET n = -1 WHERE code = 'ss'");
    // the column's own order is not the bytes' order (else this test would prove nothing)
    List<String> collated = column("candidate", "SELECT code FROM words ORDER BY code");
    List<String> byBytes = new ArrayList<>(collated);
    byBytes.sort(PostgresReconcileTests::compareBytes);
    assertThat(collated).containsExactlyInAnyOrderElementsOf(byBytes).isNotEqualTo(byBytes);

    String datasets =
        """
        datasets:
          - name: words
            legacy: { table: words }
            candidate: %s
            key: [code]
            columns: [n]
        """;
    for (String candidateSide :
        List.of(
            "{ table: words }",
            "{ query: 'SELECT code, n FROM words ORDER BY code COLLATE \"C\"' }")) {
      ReconcileResult r = Reconciler.run(spec(datasets.formatted(candidateSide)), warnings::add);
      DatasetResult words = r.datasets().get(0);
      counts(words, WORDS.size() - 3, 2, 2, 1);
      // in byte order: Z < s < Ä (c3 84) < ß (c3 9f) < é (c3 a9)
      assertThat(words.sample())
          .as(candidateSide)
          .containsExactly(
              onlyCandidate("Zz"),
              changed("ss", column("n", "20", "-1")),
              onlyLegacy("Ä"),
              onlyLegacy("ß"),
              onlyCandidate("é2"));
    }

    // ordered by the ICU collation: refused at the first row out of byte order
    int at = 1;
    while (compareBytes(collated.get(at - 1), collated.get(at)) < 0) {
      at++;
    }
    ReconcileSpec icuOrdered =
        spec(datasets.formatted("{ query: \"SELECT code, n FROM words ORDER BY code\" }"));
    assertThatThrownBy(() -> Reconciler.run(icuOrdered, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            where(5, "words", "candidate")
                + ": key ["
                + collated.get(at)
                + "] comes after ["
                + collated.get(at - 1)
                + "]: the rows are not ordered by the key byte-wise (ORDER BY the key, COLLATE"
                + " \"C\" on PostgreSQL text)");
    assertThat(warnings).isEmpty();
  }

  /** UUIDs ordered by their bytes on both sides, high bit set or not. */
  @Test
  void uuidKeys() throws Exception {
    String rows =
        "INSERT INTO tokens SELECT md5(i::text)::uuid, i FROM generate_series(1, 2000) i"
            + " UNION ALL VALUES ('00000000-0000-0000-0000-000000000000'::uuid, -1),"
            + " ('7fffffff-ffff-ffff-ffff-ffffffffffff'::uuid, -2),"
            + " ('80000000-0000-0000-0000-000000000000'::uuid, -3),"
            + " ('ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid, -4)";
    legacy("CREATE TABLE tokens (id uuid PRIMARY KEY, v int)", rows);
    candidate(
        "CREATE TABLE tokens (id uuid PRIMARY KEY, v int)",
        rows,
        "DELETE FROM tokens WHERE v IN (5, -3)",
        "INSERT INTO tokens VALUES (md5('x')::uuid, 0)",
        "UPDATE tokens SET v = 0 WHERE v IN (7, -4)");
    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets:
                  - name: tokens
                    legacy: { table: tokens }
                    candidate: { query: "SELECT id, v FROM tokens ORDER BY id" }
                    key: [id]
                    columns: [v]
                """),
            warnings::add);
    DatasetResult tokens = r.datasets().get(0);
    counts(tokens, 2000, 2, 1, 2);
    String five = column("legacy", "SELECT md5('5')::uuid").get(0);
    String seven = column("legacy", "SELECT md5('7')::uuid").get(0);
    String x = column("legacy", "SELECT md5('x')::uuid").get(0);
    List<RowDifference> expected =
        new ArrayList<>(
            List.of(
                onlyLegacy(five),
                changed(seven, column("v", "7", "0")),
                onlyCandidate(x),
                onlyLegacy("80000000-0000-0000-0000-000000000000"),
                changed("ffffffff-ffff-ffff-ffff-ffffffffffff", column("v", "-4", "0"))));
    expected.sort((a, b) -> compareBytes(a.key().get(0), b.key().get(0)));
    assertThat(tokens.sample()).containsExactlyElementsOf(expected);
  }

  /** bigint keys on legacy, numeric(20,0) on candidate: compared by value, past 2^53. */
  @Test
  void bigintKeys() throws Exception {
    String rows =
        "INSERT INTO big_keys VALUES (-9223372036854775808, 'min'), (-9007199254740993, 'a'),"
            + " (-1, 'b'), (0, 'c'), (1, 'd'), (9, 'e'), (10, 'f'), (9007199254740992, 'g'),"
            + " (9007199254740993, 'h'), (9223372036854775807, 'max')";
    legacy("CREATE TABLE big_keys (id bigint PRIMARY KEY, v text)", rows);
    candidate(
        "CREATE TABLE big_keys (id numeric(20,0) PRIMARY KEY, v text)",
        rows,
        "DELETE FROM big_keys WHERE id = 9007199254740993",
        "INSERT INTO big_keys VALUES (9007199254740994, 'i')",
        "UPDATE big_keys SET v = 'B' WHERE id = -1");
    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets:
                  - name: big
                    legacy: { table: big_keys }
                    candidate: { table: big_keys }
                    key: [id]
                    columns: [v]
                """),
            warnings::add);
    DatasetResult big = r.datasets().get(0);
    counts(big, 8, 1, 1, 1);
    assertThat(big.sample())
        .containsExactly(
            changed("-1", column("v", "b", "B")),
            onlyLegacy("9007199254740993"),
            onlyCandidate("9007199254740994"));
  }

  /** A key of text (in an ICU collation where there is one) and int: text by bytes, int by value. */
  @Test
  void compositeKeys() throws Exception {
    String collate = "";
    try (Connection c = pg.connect("legacy");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT collname FROM pg_collation WHERE collname = 'und-x-icu'")) {
      if (rs.next()) {
        collate = " COLLATE \"und-x-icu\"";
      }
    }
    String rows =
        "INSERT INTO lines SELECT a, l, l * 1.5 FROM unnest(ARRAY['acct-9', 'acct-10', 'Acct-2',"
            + " 'acct-é', 'acct_1', 'ACCT']) a, generate_series(1, 100) l";
    legacy(
        "CREATE TABLE lines (account text"
            + collate
            + ", line int, amount numeric(10,2),"
            + " PRIMARY KEY (account, line))",
        rows);
    candidate(
        "CREATE TABLE lines (account text"
            + collate
            + ", line bigint, amount numeric(10,2),"
            + " PRIMARY KEY (account, line))",
        rows,
        "DELETE FROM lines WHERE account = 'acct-10' AND line = 100",
        "INSERT INTO lines VALUES ('acct-9', 101, 0)",
        "UPDATE lines SET amount = 0 WHERE account = 'Acct-2' AND line = 9");
    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets:
                  - name: lines
                    legacy: { table: lines }
                    candidate: { table: lines }
                    key: [account, line]
                    columns: [amount]
                """),
            warnings::add);
    DatasetResult lines = r.datasets().get(0);
    counts(lines, 598, 1, 1, 1);
    assertThat(lines.sample())
        .containsExactly(
            new RowDifference(
                Kind.CHANGED, List.of("Acct-2", "9"), List.of(column("amount", "13.50", "0.00"))),
            onlyLegacy("acct-10", "100"),
            onlyCandidate("acct-9", "101"));
  }

  @Test
  void aggregates() throws Exception {
    legacy(
        "CREATE TABLE sales (region text, amount numeric(12,2))",
        "INSERT INTO sales SELECT 'EU', 10 FROM generate_series(1, 100)",
        "INSERT INTO sales SELECT 'US', 20 FROM generate_series(1, 50)",
        "INSERT INTO sales SELECT 'APAC', 5 FROM generate_series(1, 10)");
    candidate(
        "CREATE TABLE sales (region text, amount numeric(12,3))",
        "INSERT INTO sales SELECT 'EU', 10 FROM generate_series(1, 100)",
        "INSERT INTO sales SELECT 'US', 20 FROM generate_series(1, 49)",
        "INSERT INTO sales VALUES ('US', 20.004)",
        "INSERT INTO sales SELECT 'LATAM', 1 FROM generate_series(1, 3)");
    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets: []
                aggregates:
                  - name: EU and US
                    legacy: "SELECT sum(amount) FROM sales WHERE region IN ('EU', 'US')"
                    candidate: "SELECT sum(amount) FROM sales WHERE region IN ('EU', 'US')"
                    tolerance: 0.01
                  - name: EU and US to the tenth of a cent
                    legacy: "SELECT sum(amount) FROM sales WHERE region IN ('EU', 'US')"
                    candidate: "SELECT sum(amount) FROM sales WHERE region IN ('EU', 'US')"
                    tolerance: 0.001
                  - name: sales by region
                    legacy: "SELECT region, count(*) FROM sales GROUP BY region"
                    candidate: "SELECT region, count(*) FROM sales GROUP BY region"
                """),
            warnings::add);
    assertThat(r.aggregates())
        .extracting(AggregateResult::name, AggregateResult::agrees)
        .containsExactly(
            tuple("EU and US", true),
            tuple("EU and US to the tenth of a cent", false),
            tuple("sales by region", false));
    GroupResult total = r.aggregates().get(0).groups().get(0);
    assertThat(total.group()).isEmpty();
    assertThat(total.legacy()).isEqualByComparingTo("2000.00");
    assertThat(total.candidate()).isEqualByComparingTo("2000.004");
    assertThat(r.aggregates().get(2).groups())
        .extracting(
            GroupResult::group,
            g -> g.legacy() == null ? null : g.legacy().longValueExact(),
            g -> g.candidate() == null ? null : g.candidate().longValueExact(),
            GroupResult::agrees)
        .containsExactly(
            tuple("APAC", 10L, null, false),
            tuple("EU", 100L, 100L, true),
            tuple("LATAM", null, 3L, false),
            tuple("US", 50L, 50L, true));
    assertThat(r.drift()).isZero();
    assertThat(r.verdict()).isEqualTo(Verdict.INVESTIGATE);
  }

  static final String ONE_TABLE =
      """
      datasets:
        - name: t
          legacy: { table: t }
          candidate: { table: t }
          key: [id]
          columns: []
      """;

  @Test
  void aWrongPasswordIsNamedWithoutThePassword() throws Exception {
    String wrong = "not-" + pg.password();
    ReconcileSpec spec = spec(legacyUrl, candidateUrl, wrong, ONE_TABLE);
    assertThatThrownBy(() -> Reconciler.run(spec, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("legacy: cannot connect to " + legacyUrl + ": ")
        .hasMessageContaining("password authentication failed for user \"" + pg.user() + "\"")
        .hasMessageNotContaining(wrong)
        .hasMessageNotContaining(pg.password());
  }

  @Test
  void anUnreachableServerIsNamed() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    String unreachable = "jdbc:postgresql://127.0.0.1:" + closed + "/candidate";
    ReconcileSpec spec = spec(legacyUrl, unreachable, pg.password(), ONE_TABLE);
    long started = System.nanoTime();
    assertThatThrownBy(() -> Reconciler.run(spec, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("candidate: cannot connect to " + unreachable + ": ")
        .hasMessageContaining("refused");
    assertThat(System.nanoTime() - started).as("nanoseconds to fail").isLessThan(10_000_000_000L);
    // a password in the URL is not repeated
    String withPassword = unreachable + "?password=hunter2";
    ReconcileSpec spec2 = spec(legacyUrl, withPassword, pg.password(), ONE_TABLE);
    assertThatThrownBy(() -> Reconciler.run(spec2, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("candidate: cannot connect to " + unreachable + "?password=***: ")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void aFailingQueryNamesTheDatasetAndSide() throws Exception {
    legacy("CREATE TABLE present (id int PRIMARY KEY, amount numeric)");
    candidate("CREATE TABLE present (id int PRIMARY KEY, amount numeric)");
    ReconcileSpec missingTable =
        spec(
            """
            datasets:
              - name: orders
                legacy: { table: present }
                candidate: { table: no_such_table }
                key: [id]
                columns: [amount]
            """);
    assertThatThrownBy(() -> Reconciler.run(missingTable, warnings::add))
        .isInstanceOf(BadInputException.class)
        // on PostgreSQL a table side's key types are looked up first (for COLLATE "C"): that fails
        .hasMessage(
            where(5, "orders", "candidate")
                + ": cannot query: ERROR: relation \"no_such_table\" does not exist");
    ReconcileSpec missingInQuery =
        spec(
            """
            datasets:
              - name: orders
                legacy: { query: "SELECT id, amount FROM nowhere ORDER BY id" }
                candidate: { table: present }
                key: [id]
                columns: [amount]
            """);
    assertThatThrownBy(() -> Reconciler.run(missingInQuery, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            where(5, "orders", "legacy")
                + ": query failed: ERROR: relation \"nowhere\" does not exist"
                + " (SQL: SELECT id, amount FROM nowhere ORDER BY id)");
    ReconcileSpec missingInAggregate =
        spec(
            """
            datasets: []
            aggregates:
              - name: total
                legacy: "SELECT sum(amount) FROM present"
                candidate: "SELECT sum(amount) FROM absent"
            """);
    assertThatThrownBy(() -> Reconciler.run(missingInAggregate, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            dir.resolve("reconcile.yaml")
                + ":6: aggregate total: candidate: query failed: ERROR: relation \"absent\" does"
                + " not exist (SQL: SELECT sum(amount) FROM absent)");
  }

  @Test
  void aDuplicateKeyIsAnError() throws Exception {
    legacy("CREATE TABLE dup (id int, v int)", "INSERT INTO dup VALUES (1, 1), (2, 2), (3, 3)");
    candidate(
        "CREATE TABLE dup (id int, v int)",
        "INSERT INTO dup VALUES (1, 1), (2, 2), (2, 3), (3, 3)");
    ReconcileSpec spec =
        spec(
            """
            datasets:
              - name: dup
                legacy: { table: dup }
                candidate: { table: dup }
                key: [id]
                columns: [v]
            """);
    assertThatThrownBy(() -> Reconciler.run(spec, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(where(5, "dup", "candidate") + ": duplicate key [2]");
  }

  /**
   * Rows are fetched as they are compared, not all at once: a row that fails far into the result
   * fails while reading (with every result read up front, the query itself would fail).
   */
  @Test
  void rowsAreStreamed() throws Exception {
    String rows =
        "SELECT id, CASE WHEN id = 150000 THEN 1 / (id - id) ELSE 0 END AS v FROM (SELECT"
            + " generate_series(1, 200000) AS id) s";
    ReconcileSpec spec =
        spec(
            """
            datasets:
              - name: lazy
                legacy: { query: "SELECT generate_series(1, 200000) AS id, 0 AS v" }
                candidate: { query: "%s" }
                key: [id]
                columns: [v]
            """
                .formatted(rows));
    assertThatThrownBy(() -> Reconciler.run(spec, warnings::add))
        .isInstanceOf(BadInputException.class)
        .hasMessage(where(5, "lazy", "candidate") + ": reading failed: ERROR: division by zero");
  }

  /** 200,000 rows a side, made in SQL; a handful of differences, counted exactly. */
  @Test
  void twoHundredThousandRows() throws Exception {
    String rows =
        "INSERT INTO ledger SELECT i, 'acct-' || (i % 997), (i % 10000) / 100.0, timestamptz"
            + " '2026-01-01 00:00:00+00' + i * interval '1 second' FROM generate_series(1,"
            + " 200000) i";
    String table =
        "CREATE TABLE ledger (id bigint PRIMARY KEY, account text, amount numeric(12,2), booked"
            + " timestamptz)";
    legacy(table, rows);
    candidate(
        table,
        rows,
        "DELETE FROM ledger WHERE id IN (1, 100000, 200000)",
        "INSERT INTO ledger VALUES (200001, 'acct-x', 1, now()), (200002, 'acct-y', 1, now())",
        "UPDATE ledger SET amount = amount + 0.01 WHERE id IN (2, 50000, 150000)",
        "UPDATE ledger SET account = 'ACCT-' || (id % 997) WHERE id = 123456",
        "UPDATE ledger SET booked = booked + interval '1 millisecond' WHERE id = 199999");
    long started = System.nanoTime();
    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets:
                  - name: ledger
                    legacy: { table: ledger }
                    candidate: { table: ledger }
                    key: [id]
                    columns: [account, amount, booked]
                """),
            warnings::add);
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.println("PostgresReconcileTests: 2 x 200,000 rows reconciled in " + millis + " ms");
    DatasetResult ledger = r.datasets().get(0);
    counts(ledger, 199_992, 3, 2, 5);
    assertThat(ledger.changedByColumn())
        .containsExactlyInAnyOrderEntriesOf(Map.of("amount", 3L, "account", 1L, "booked", 1L));
    assertThat(ledger.sample())
        .extracting(d -> d.kind() + " " + d.key().get(0))
        .containsExactly(
            "ONLY_LEGACY 1",
            "CHANGED 2",
            "CHANGED 50000",
            "ONLY_LEGACY 100000",
            "CHANGED 123456",
            "CHANGED 150000",
            "CHANGED 199999",
            "ONLY_LEGACY 200000",
            "ONLY_CANDIDATE 200001",
            "ONLY_CANDIDATE 200002");
    // 10 in 200,002: 0.005%, below "investigate" (0.01%)
    assertThat(r.drift()).isEqualTo(10.0 / 200_002);
    assertThat(r.verdict()).isEqualTo(Verdict.OK);
  }

  /**
   * Identical tables are confirmed by PostgreSQL's counts and checksums without streaming; one
   * changed value streams and is exact; a column typed differently (its text would differ) is
   * never checksummed.
   */
  @Test
  void checksumsConfirmAgreeingTablesAndOnlyThem() throws Exception {
    String rows =
        "INSERT INTO sums SELECT i, 'acct-' || (i % 97), (i % 1000) / 10.0 FROM"
            + " generate_series(1, 50000) i";
    legacy("CREATE TABLE sums (id bigint PRIMARY KEY, account text, amount numeric(12,2))", rows);
    candidate(
        "CREATE TABLE sums (id bigint PRIMARY KEY, account text, amount numeric(12,2))", rows);
    String body =
        """
        datasets:
          - name: sums
            legacy: { table: sums }
            candidate: { query: "SELECT id, account, amount FROM sums ORDER BY id" }
            key: [id]
            columns: [account, amount]
        """;
    DatasetResult same = Reconciler.run(spec(body), warnings::add).datasets().get(0);
    assertThat(same.checksum()).isEqualTo(ReconcileResult.Checksum.AGREED);
    counts(same, 50_000, 0, 0, 0);

    candidate("UPDATE sums SET account = 'other' WHERE id = 4242");
    DatasetResult one = Reconciler.run(spec(body), warnings::add).datasets().get(0);
    assertThat(one.checksum()).isEqualTo(ReconcileResult.Checksum.DIFFERED);
    counts(one, 49_999, 0, 0, 1);

    // numeric(14,4) writes 1.5000 where numeric(12,2) writes 1.50: equal values, other text
    candidate(
        "UPDATE sums SET account = 'acct-' || (id % 97) WHERE id = 4242",
        "ALTER TABLE sums ALTER COLUMN amount TYPE numeric(14,4)");
    DatasetResult typed = Reconciler.run(spec(body), warnings::add).datasets().get(0);
    assertThat(typed.checksum()).isEqualTo(ReconcileResult.Checksum.NOT_USED);
    counts(typed, 50_000, 0, 0, 0);
  }

  /**
   * timestamp and timestamptz values are compared as stored, whatever the JVM's time zone: a local
   * time that the JVM's zone skips (spring forward) and two instants an hour apart that the JVM's
   * zone shows as one local time (fall back) still differ.
   */
  @Test
  void timestampsDoNotDependOnTheJvmTimeZone() throws Exception {
    String table = "CREATE TABLE clock (id int PRIMARY KEY, local_at timestamp, at timestamptz)";
    legacy(
        table,
        "INSERT INTO clock VALUES (1, '2026-03-29 02:30:00', '2026-01-01 00:00:00+00'),"
            + " (2, '2026-01-01 00:00:00', '2026-10-25 00:30:00+00'),"
            + " (3, '2026-03-29 02:30:00', '2026-10-25 00:30:00+00')");
    candidate(
        table,
        "INSERT INTO clock VALUES (1, '2026-03-29 03:30:00', '2026-01-01 00:00:00+00'),"
            + " (2, '2026-01-01 00:00:00', '2026-10-25 01:30:00+00'),"
            + " (3, '2026-03-29 02:30:00', '2026-10-25 00:30:00+00')");
    ReconcileSpec spec =
        spec(
            """
            datasets:
              - name: clock
                legacy: { table: clock }
                candidate: { table: clock }
                key: [id]
                columns:
                  - local_at
                  - { name: at, timestampPrecision: minutes }
            """);
    TimeZone zone = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("Europe/Paris"));
    ReconcileResult r;
    try {
      r = Reconciler.run(spec, warnings::add);
    } finally {
      TimeZone.setDefault(zone);
    }
    DatasetResult clock = r.datasets().get(0);
    assertThat(clock.sample())
        .containsExactly(
            changed("1", column("local_at", "2026-03-29T02:30", "2026-03-29T03:30")),
            changed("2", column("at", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z")));
    counts(clock, 1, 0, 0, 2);
  }

  /**
   * PostgreSQL's other date and time types keep what the database compares: the fractions of a
   * {@code time} and a {@code timetz} (the JDBC Time drops them), the era of a {@code date} (the
   * JDBC Date drops it), and {@code 24:00} is not midnight. A {@code timetz} compares as the
   * database does, by its instant of the day.
   */
  @Test
  void timesKeepTheirFractionsAndDatesTheirEra() throws Exception {
    String create = "CREATE TABLE tm (id int PRIMARY KEY, t time, tt timetz, d date)";
    legacy(
        create,
        "INSERT INTO tm VALUES (1, '10:00:00.1', '10:00:00.1+00', '2026-11-29'),"
            + " (2, '10:00:00', '10:00:00+00', '0044-03-15 BC'),"
            + " (3, '24:00:00', '11:00:00+01', '2026-11-29'),"
            + " (4, '23:59:59.999999', '10:00:00+00', '2026-11-29')");
    candidate(
        create,
        "INSERT INTO tm VALUES (1, '10:00:00.9', '10:00:00.9+00', '2026-11-29'),"
            + " (2, '10:00:00', '10:00:00+00', '0044-03-15'),"
            + " (3, '00:00:00', '10:00:00+00', '2026-11-29'),"
            + " (4, '23:59:59.999999', '10:00:00+00', '2026-11-29')");
    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets:
                  - name: tm
                    legacy: { table: tm }
                    candidate: { table: tm }
                    key: [id]
                    columns: [t, tt, d]
                """),
            warnings::add);
    DatasetResult tm = r.datasets().get(0);
    assertThat(tm.sample())
        .containsExactly(
            changed(
                "1",
                column("t", "10:00:00.100", "10:00:00.900"),
                column("tt", "10:00:00.100Z", "10:00:00.900Z")),
            changed("2", column("d", "-0043-03-15", "0044-03-15")),
            changed("3", column("t", "23:59:59.999999999", "00:00")));
    counts(tm, 1, 0, 0, 3);
  }

  /**
   * A {@code money} value is read as the number it is, whatever its size (the driver's double
   * reading refuses {@code 987,654.32}), and compares with a numeric column by value; a value
   * the driver cannot read names its column, and withholds the value of a sensitive one.
   */
  @Test
  void moneyIsANumberAndArraysCompareByValue() throws Exception {
    legacy(
        "CREATE TABLE m (id int PRIMARY KEY, cash money, parts numeric[])",
        "INSERT INTO m VALUES (1, 987654.32, '{1.0,2}'), (2, -1234.5, '{1}'), (3, 1, '{1,2}')");
    candidate(
        "CREATE TABLE m (id int PRIMARY KEY, cash numeric(12,2), parts numeric[])",
        "INSERT INTO m VALUES (1, 987654.32, '{1,2.00}'), (2, -1234.50, '{1.004}'),"
            + " (3, 2, '{1,2}')");
    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets:
                  - name: m
                    legacy: { table: m }
                    candidate: { table: m }
                    key: [id]
                    columns: [cash, { name: parts, tolerance: 0.01 }]
                """),
            warnings::add);
    DatasetResult m = r.datasets().get(0);
    assertThat(m.sample()).containsExactly(changed("3", column("cash", "1.00", "2.00")));
    counts(m, 2, 0, 0, 1);
  }

  /**
   * A timestamp migrated to a timestamptz ({@code USING ts AT TIME ZONE 'UTC'}) and a json column
   * migrated to jsonb (key order and white space gone) hold the same values: no difference; a
   * changed instant or value still differs.
   */
  @Test
  void aTimestampAgainstATimestamptzAndJsonAgainstJsonbCompareByValue() throws Exception {
    legacy(
        "CREATE TABLE e (id int PRIMARY KEY, at timestamp, doc json)",
        "INSERT INTO e VALUES (1, '2026-06-01 07:30:00', '{\"b\": 1,  \"a\": [1, 2]}'),"
            + " (2, '2026-06-01 08:00:00', '{\"a\": 1}'),"
            + " (3, '2026-06-01 09:00:00', '{\"a\": 1}'),"
            + " (4, '2026-06-01 10:00:00', '{\"x\": 12345678901234567.89}'),"
            + " (5, '2026-06-01 11:00:00', '{\"x\": 1e2, \"y\": 1.50}')");
    candidate(
        "SET TIME ZONE 'Europe/Paris'",
        "CREATE TABLE e (id int PRIMARY KEY, at timestamptz, doc jsonb)",
        "INSERT INTO e VALUES (1, '2026-06-01 07:30:00+00', '{\"a\":[1,2],\"b\":1}'),"
            + " (2, '2026-06-01 09:00:00+00', '{\"a\": 1}'),"
            + " (3, '2026-06-01 09:00:00+00', '{\"a\": 2}'),"
            + " (4, '2026-06-01 10:00:00+00', '{\"x\": 12345678901234567.88}'),"
            + " (5, '2026-06-01 11:00:00+00', '{\"x\": 100, \"y\": 1.5}')");
    ReconcileResult r =
        Reconciler.run(
            spec(
                """
                datasets:
                  - name: e
                    legacy: { table: e }
                    candidate: { table: e }
                    key: [id]
                    columns: [at, doc]
                """),
            warnings::add);
    DatasetResult e = r.datasets().get(0);
    assertThat(e.sample())
        .containsExactly(
            changed("2", column("at", "2026-06-01T08:00", "2026-06-01T09:00:00Z")),
            changed("3", column("doc", "{\"a\":1}", "{\"a\":2}")),
            // numbers exact, as jsonb keeps them: a change in the 19th digit counts, 1e2 is 100
            changed(
                "4",
                column("doc", "{\"x\":12345678901234567.89}", "{\"x\":12345678901234567.88}")));
    counts(e, 2, 0, 0, 3);
  }
}
