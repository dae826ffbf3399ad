package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.cli.ShadowCliTests.Run;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shadow reconcile} and {@code shadow gate --reconciliation} on two embedded databases. */
class ReconcileCommandTests {

  @TempDir Path dir;
  String legacy;
  String candidate;

  @BeforeEach
  void databases() throws SQLException {
    legacy = "jdbc:h2:file:" + dir.resolve("legacy").toAbsolutePath();
    candidate = "jdbc:h2:file:" + dir.resolve("candidate").toAbsolutePath();
    for (String url : List.of(legacy, candidate)) {
      sql(
          url,
          "CREATE TABLE accounts (id INT PRIMARY KEY, balance DECIMAL(12,2), owner VARCHAR(40),"
              + " email VARCHAR(60))",
          "INSERT INTO accounts SELECT X, X * 10.00, 'owner ' || X, 'u' || X || '@example.com'"
              + " FROM SYSTEM_RANGE(1, 20000)");
    }
  }

  static void sql(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        Statement s = c.createStatement()) {
      for (String st : statements) {
        s.execute(st);
      }
    }
  }

  /** The spec's first lines: its version and the two test databases. */
  String sides() {
    return "version: 1\n"
        + "legacy: { jdbc: \""
        + legacy
        + "\", user: sa }\n"
        + "candidate: { jdbc: \""
        + candidate
        + "\", user: sa }\n";
  }

  Path spec(String extra) throws IOException {
    Path f = dir.resolve("reconcile.yaml");
    Files.writeString(
        f,
        sides()
            + "datasets:\n"
            + "  - name: accounts\n"
            + "    legacy: { table: accounts }\n"
            + "    candidate: { table: accounts }\n"
            + "    key: [id]\n"
            + "    columns:\n"
            + "      - { name: balance, tolerance: 0.01 }\n"
            + "      - owner\n"
            + "      - { name: email, sensitive: true }\n"
            + "aggregates:\n"
            + "  - name: total balance\n"
            + "    legacy: \"SELECT sum(balance) FROM accounts\"\n"
            + "    candidate: \"SELECT sum(balance) FROM accounts\"\n"
            + "    tolerance: 1.00\n"
            + extra);
    return f;
  }

  @Test
  void agreeingDatabasesExit0AndAreConfirmedByChecksum() throws Exception {
    Path out = dir.resolve("out");
    Run r = shadow("reconcile", "--spec", spec(""), "--out", out);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("RECONCILE OK: drift 0% is within 0.01%");
    assertThat(r.out()).contains("confirmed by the databases' counts and checksums");
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertThat(s.get("verdict").asText()).isEqualTo("OK");
    assertThat(s.get("datasets").get(0).get("checksum").asText()).isEqualTo("AGREED");
    assertThat(s.get("datasets").get(0).get("matched").asLong()).isEqualTo(20_000);
    for (String f : List.of("summary.json", "differences.csv", "report.html")) {
      assertThat(Files.getPosixFilePermissions(out.resolve(f)))
          .containsExactlyInAnyOrder(
              PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }
    // a second run into the same directory is refused, unless forced
    Run again = shadow("reconcile", "--spec", spec(""), "--out", out);
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("already holds a run").contains("--force");
    assertThat(shadow("reconcile", "--spec", spec(""), "--out", out, "--force").code()).isZero();
  }

  @Test
  void driftDecidesTheExitCodeAndEveryDifferingRowIsInTheCsv() throws Exception {
    // 1 changed row in 20,000: 0.005%, within 0.01%
    sql(candidate, "UPDATE accounts SET balance = balance + 0.5 WHERE id = 7");
    Path history = dir.resolve("history");
    Run ok =
        shadow("reconcile", "--spec", spec(""), "--out", dir.resolve("r1"), "--history", history);
    assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).startsWith("RECONCILE OK: drift 0.005% is within 0.01%");

    // 3 of 20,000 (0.015%): investigate, exit 4; a NULL and a sensitive value in the CSV
    sql(candidate, "UPDATE accounts SET owner = NULL WHERE id = 8");
    sql(legacy, "UPDATE accounts SET email = '=cmd|calc' WHERE id = 9");
    Run investigate =
        shadow("reconcile", "--spec", spec(""), "--out", dir.resolve("r2"), "--history", history);
    assertThat(investigate.code()).as(investigate.out() + investigate.err()).isEqualTo(4);
    assertThat(investigate.out())
        .startsWith("RECONCILE INVESTIGATE: drift 0.015% is above 0.01% (3 of 20000 rows differ)")
        .contains("balance 1, owner 1, email 1");
    List<String> csv =
        Files.readAllLines(dir.resolve("r2/differences.csv"), StandardCharsets.UTF_8);
    assertThat(csv)
        .containsExactly(
            "\uFEFF\"dataset\",\"kind\",\"key\",\"column\",\"legacy\",\"candidate\"",
            "\"accounts\",\"changed\",\"7\",\"balance\",\"70.00\",\"70.50\"",
            "\"accounts\",\"changed\",\"8\",\"owner\",\"owner 8\",",
            "\"accounts\",\"changed\",\"9\",\"email\",\"***\",\"***\"");

    // 30 missing of 20,000 (0.165%): pause, exit 1; the aggregate disagrees too
    sql(candidate, "DELETE FROM accounts WHERE id > 19970");
    Run pause =
        shadow("reconcile", "--spec", spec(""), "--out", dir.resolve("r3"), "--history", history);
    assertThat(pause.code()).isEqualTo(1);
    assertThat(pause.out())
        .startsWith(
            "RECONCILE PAUSE: drift 0.165% is above 0.1% (33 of 20000 rows differ); 1 aggregate(s) out of tolerance")
        .contains("aggregate total balance: DISAGREES");
    JsonNode s = new ObjectMapper().readTree(dir.resolve("r3/summary.json").toFile());
    assertThat(s.get("drift").asDouble()).isEqualTo(33.0 / 20_000);
    assertThat(s.get("datasets").get(0).get("onlyLegacy").asLong()).isEqualTo(30);
    assertThat(s.get("differences").asLong()).isEqualTo(33);

    // the gate over the history: today's three runs, one of them within 0.01%
    Run gate = shadow("gate", "--reconciliation", history, "--days", "1");
    assertThat(gate.code()).isEqualTo(1);
    assertThat(gate.out())
        .contains("FAILED: 1 of 1 days")
        .contains("dataset accounts: drift 0.015% (3 of 20000) is above 0.01%")
        .contains("aggregate total balance disagrees");
    Run loose = shadow("gate", "--reconciliation", history, "--days", "1", "--max-drift", "0.2%");
    assertThat(loose.code()).isEqualTo(1); // the aggregate still disagrees
    // one run's summary: "100% consistency" fails on the 0.005% run
    Run first =
        shadow("gate", "--reconciliation", dir.resolve("r1/summary.json"), "--max-drift", "0");
    assertThat(first.code()).isEqualTo(1);
    assertThat(first.out()).contains("FAILED: drift 0.005% is above 0%");
    Run within = shadow("gate", "--reconciliation", dir.resolve("r1/summary.json"));
    assertThat(within.code()).as(within.out() + within.err()).isZero();
    assertThat(within.out())
        .contains("PASSED: drift 0.005% is within 0.01%, every aggregate agrees");
    // a night that fails is kept as failed: a passing run the same day does not pass the day
    Path h2 = dir.resolve("history2");
    Run bad =
        shadow(
            "reconcile",
            "--spec",
            dir.resolve("nope.yaml"),
            "--out",
            dir.resolve("r5"),
            "--history",
            h2);
    assertThat(bad.code()).isEqualTo(2);
    Path small = dir.resolve("small.yaml");
    Files.writeString(
        small,
        sides()
            + "datasets:\n"
            + "  - { name: few, legacy: { query: \"SELECT id FROM accounts WHERE id < 3 ORDER BY"
            + " id\" }, candidate: { query: \"SELECT id FROM accounts WHERE id < 3 ORDER BY id\" },"
            + " key: [id], columns: [] }\n");
    Run good = shadow("reconcile", "--spec", small, "--out", dir.resolve("r6"), "--history", h2);
    assertThat(good.code()).as(good.out() + good.err()).isZero();
    Run after = shadow("gate", "--reconciliation", h2, "--days", "1");
    assertThat(after.code()).isEqualTo(1);
    assertThat(after.out()).contains("the run failed: ").contains("nope.yaml");

    Run week = shadow("gate", "--reconciliation", history, "--days", "7");
    assertThat(week.code()).isEqualTo(1);
    assertThat(week.out()).contains("no run");
  }

  @Test
  void aDriftTriggerRunsTheCommandAndPostsTheWebhook() throws Exception {
    sql(candidate, "DELETE FROM accounts WHERE id > 19900");
    BlockingQueue<String> posted = new ArrayBlockingQueue<>(4);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        x -> {
          posted.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          x.sendResponseHeaders(204, -1);
          x.close();
        });
    server.start();
    try {
      Path env = dir.resolve("env.txt");
      Run r =
          shadow(
              "reconcile",
              "--spec",
              spec(""),
              "--out",
              dir.resolve("out"),
              "--webhook",
              "http://127.0.0.1:" + server.getAddress().getPort() + "/hook",
              "--on-trigger",
              "env | grep '^SHADOW_' | sort > '" + env + "'");
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err())
          .contains("trigger reconcile-pause fired: drift 0.5% > 0.1% (100 of 20000 rows");
      String json = posted.poll(10, TimeUnit.SECONDS);
      assertThat(json).isNotNull();
      JsonNode e = new ObjectMapper().readTree(json);
      assertThat(e.get("trigger").asText()).isEqualTo("reconcile-pause");
      assertThat(e.get("value").asDouble()).isEqualTo(0.005);
      assertThat(e.get("datasets").get(0).get("differing").asLong()).isEqualTo(100);
      assertThat(e.get("aggregatesDisagreeing").get(0).asText()).isEqualTo("total balance");
      assertThat(Files.readString(env))
          .contains("SHADOW_TRIGGER=reconcile-pause")
          .contains("SHADOW_EVENT=fired")
          .contains("SHADOW_VERDICT=PAUSE")
          .contains("SHADOW_VALUE=0.005")
          .contains("SHADOW_REPORT=" + dir.resolve("out/report.html").toAbsolutePath());

      // a run that fails fires reconcile-error: the nightly job's failure is told, not silent
      sql(
          legacy,
          "ALTER TABLE accounts DROP PRIMARY KEY",
          "INSERT INTO accounts VALUES (5, 1, 'x', 'y')");
      Run failed =
          shadow(
              "reconcile",
              "--spec",
              spec(""),
              "--out",
              dir.resolve("failed"),
              "--webhook",
              "http://127.0.0.1:" + server.getAddress().getPort() + "/hook",
              "--on-trigger",
              "env | grep '^SHADOW_' | sort > '" + env + "'");
      assertThat(failed.code()).isEqualTo(2);
      assertThat(failed.err()).contains("trigger reconcile-error fired: the run failed: ");
      JsonNode error = new ObjectMapper().readTree(posted.poll(10, TimeUnit.SECONDS));
      assertThat(error.get("trigger").asText()).isEqualTo("reconcile-error");
      assertThat(error.get("error").asText()).contains("duplicate key [5]");
      assertThat(Files.readString(env))
          .contains("SHADOW_TRIGGER=reconcile-error")
          .contains("SHADOW_METRIC=error")
          .contains("SHADOW_ERROR=")
          .contains("duplicate key [5]");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void badInputExits2WithAClearMessage() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "version: 1\nlegacy: { jdbc: x }\n");
    Run r = shadow("reconcile", "--spec", bad, "--out", dir.resolve("o1"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo("error: " + bad + ":2: legacy.jdbc: expected a JDBC URL (jdbc:...), got x\n");

    Path unreachable = dir.resolve("unreachable.yaml");
    Files.writeString(
        unreachable,
        Files.readString(spec(""))
            .replace(candidate, "jdbc:postgresql://127.0.0.1:1/shop?password=hunter2"));
    r = shadow("reconcile", "--spec", unreachable, "--out", dir.resolve("o2"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .startsWith(
            "error: candidate: cannot connect to jdbc:postgresql://127.0.0.1:1/shop?password=***")
        .doesNotContain("hunter2");

    Files.writeString(
        dir.resolve("failing.yaml"),
        Files.readString(spec(""))
            .replace(
                "SELECT sum(balance) FROM accounts\"\n    tolerance",
                "SELECT sum(balanse) FROM accounts\"\n    tolerance"));
    r = shadow("reconcile", "--spec", dir.resolve("failing.yaml"), "--out", dir.resolve("o3"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains(":14: aggregate total balance: candidate: query failed: ")
        .contains("BALANSE");

    sql(
        legacy,
        "ALTER TABLE accounts DROP PRIMARY KEY",
        "INSERT INTO accounts VALUES (5, 1, 'x', 'y')");
    r = shadow("reconcile", "--spec", spec(""), "--out", dir.resolve("o4"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(":5: dataset accounts: legacy: duplicate key [5]");
    assertThat(dir.resolve("o4/summary.json")).doesNotExist();
  }

  @Test
  void theGateWantsEvidenceAndAForcedRunThatFailsLeavesNoStaleSummary() throws Exception {
    Path out = dir.resolve("out");
    assertThat(shadow("reconcile", "--spec", spec(""), "--out", out).code()).isZero();
    // a run's directory is read as its summary
    Run gate = shadow("gate", "--reconciliation", out);
    assertThat(gate.code()).as(gate.out() + gate.err()).isZero();
    assertThat(gate.out()).contains("PASSED: drift 0% is within 0.01%");

    // forced again with a spec that cannot be read: the earlier run's outputs are gone
    Path unreadable = dir.resolve("unreadable.yaml");
    Files.writeString(unreadable, Files.readString(spec("")).replace("version: 1", "version: 9"));
    Run bad = shadow("reconcile", "--spec", unreadable, "--out", out, "--force");
    assertThat(bad.code()).as(bad.err()).isEqualTo(2);
    assertThat(out.resolve("summary.json")).doesNotExist();
    assertThat(out.resolve("report.html")).doesNotExist();
    assertThat(out.resolve("differences.csv")).doesNotExist();
    assertThat(shadow("reconcile", "--spec", spec(""), "--out", out, "--force").code()).isZero();

    // forced again, and failing: the earlier run's outputs are gone, the gate has nothing to pass
    sql(
        legacy,
        "ALTER TABLE accounts DROP PRIMARY KEY",
        "INSERT INTO accounts VALUES (5, 1, 'x', 'y')");
    assertThat(shadow("reconcile", "--spec", spec(""), "--out", out, "--force").code())
        .isEqualTo(2);
    assertThat(out.resolve("summary.json")).doesNotExist();
    assertThat(out.resolve("report.html")).doesNotExist();
    assertThat(shadow("gate", "--reconciliation", out.resolve("summary.json")).code()).isEqualTo(2);

    // empty tables prove nothing: the gate fails a run that compared nothing
    sql(legacy, "DELETE FROM accounts");
    sql(candidate, "DELETE FROM accounts");
    Files.writeString(
        dir.resolve("empty.yaml"),
        Files.readString(spec("")).substring(0, Files.readString(spec("")).indexOf("aggregates:")));
    Run empty = shadow("reconcile", "--spec", dir.resolve("empty.yaml"), "--out", dir.resolve("e"));
    assertThat(empty.code()).isZero();
    Run none = shadow("gate", "--reconciliation", dir.resolve("e"), "--max-drift", "0");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.out()).contains("nothing was compared");
    // nor does a sum over them: NULL on both sides agrees about nothing
    assertThat(shadow("reconcile", "--spec", spec(""), "--out", dir.resolve("e2")).code()).isZero();
    Run nulls = shadow("gate", "--reconciliation", dir.resolve("e2"), "--max-drift", "0");
    assertThat(nulls.code()).as(nulls.out()).isEqualTo(1);
    assertThat(nulls.out()).contains("nothing was compared");
  }

  @Test
  void aPasswordInAUrlIsHiddenEverywhere() throws Exception {
    Path f = dir.resolve("userinfo.yaml");
    Files.writeString(
        f,
        Files.readString(spec(""))
            .replace(candidate, "jdbc:postgresql://shop:s3cret@127.0.0.1:1/shop"));
    Run r = shadow("reconcile", "--spec", f, "--out", dir.resolve("o"));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("//shop:***@127.0.0.1:1/shop").doesNotContain("s3cret");
    // a password parameter is hidden whole, up to the next parameter: PostgreSQL does not split
    // parameters at ';', and a password may hold one
    Files.writeString(
        f,
        Files.readString(spec(""))
            .replace(candidate, "jdbc:postgresql://127.0.0.1:1/shop?password=s3c;ret&ssl=false"));
    Run param = shadow("reconcile", "--spec", f, "--out", dir.resolve("o2"));
    assertThat(param.code()).isEqualTo(2);
    assertThat(param.err()).contains("password=***&ssl=false").doesNotContain(";ret");
  }
}
