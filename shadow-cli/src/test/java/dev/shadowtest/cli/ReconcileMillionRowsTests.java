package dev.shadowtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.reconcile.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * The acceptance: two PostgreSQL databases of 1,000,000 rows with seeded drift (rows
 * missing on each side, amounts changed within and beyond the tolerance, a column renamed between
 * the schemas, NULL vs empty, NULL vs a text) reconciled by {@code shadow reconcile} in a JVM of
 * 256 MB: every seeded difference is found and nothing else, and the drift is the seeded rate
 * exactly.
 */
@Timeout(300)
class ReconcileMillionRowsTests {

  static final long ROWS = 1_000_000;

  @TempDir Path dir;

  @Test
  void aMillionRowsWithSeededDriftIn256Megabytes() throws Exception {
    TestPostgres pg;
    try {
      pg = TestPostgres.start();
    } catch (TestAbortedException e) {
      Assumptions.abort(e.getMessage());
      return;
    }
    try (pg) {
      String legacy = pg.createDatabase("legacy");
      String candidate = pg.createDatabase("candidate");
      String rows =
          " SELECT i, 'owner-' || (i % 9973), (i % 100000) / 100.0, CASE WHEN i % 25000 = 3 THEN"
              + " '' ELSE 'n' || (i % 7) END, timestamp '2026-01-01' + i * interval '1 second'"
              + " FROM generate_series(1, "
              + ROWS
              + ") i";
      pg.sql(
          "legacy",
          "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text, balance numeric(14,2),"
              + " note text, opened timestamp)",
          "INSERT INTO accounts" + rows);
      pg.sql(
          "candidate",
          // the candidate's schema renamed balance to amount
          "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text, amount numeric(14,2),"
              + " note text, opened timestamp)",
          "INSERT INTO accounts" + rows,
          // 100 rows lost, 50 the legacy never had
          "DELETE FROM accounts WHERE id % 10000 = 7",
          "INSERT INTO accounts SELECT i, 'new', 1, 'n', now() FROM generate_series("
              + (ROWS + 1)
              + ", "
              + (ROWS + 50)
              + ") i",
          // 50 amounts beyond the cent's tolerance, 50 within it (not a difference)
          "UPDATE accounts SET amount = amount + 0.50 WHERE id % 20000 = 13",
          "UPDATE accounts SET amount = amount + 0.01 WHERE id % 20000 = 17",
          // 40 empty notes written as NULL (equal with emptyIsNull), 20 notes lost (a difference)
          "UPDATE accounts SET note = NULL WHERE id % 25000 = 3",
          "UPDATE accounts SET note = NULL WHERE id % 50000 = 19");
      Path spec = dir.resolve("reconcile.yaml");
      Files.writeString(
          spec,
          """
          version: 1
          legacy:    { jdbc: "%s", user: %s, passwordEnv: PG_PASSWORD }
          candidate: { jdbc: "%s", user: %s, passwordEnv: PG_PASSWORD }
          datasets:
            - name: accounts
              legacy: { table: accounts }
              candidate: { table: accounts }
              key: [id]
              columns:
                - owner
                - { name: balance, candidateColumn: amount, tolerance: 0.01 }
                - { name: note, emptyIsNull: true }
                - opened
          """
              .formatted(legacy, pg.user(), candidate, pg.user()));
      Path out = dir.resolve("out");
      ProcessBuilder b =
          ShadowCliTests.process(
                  "-Xmx256m", "reconcile", "--spec", spec.toString(), "--out", out.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("output.txt").toFile());
      b.environment().put("PG_PASSWORD", pg.password());
      Process p = b.start();
      assertThat(p.waitFor(240, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(dir.resolve("output.txt"));
      // 220 of 1,000,050: 0.022%, above "investigate" (0.01%), below "pause" (0.1%)
      assertThat(p.exitValue()).as(output).isEqualTo(4);

      JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
      JsonNode d = s.get("datasets").get(0);
      assertThat(d.get("onlyLegacy").asLong()).isEqualTo(100);
      assertThat(d.get("onlyCandidate").asLong()).isEqualTo(50);
      assertThat(d.get("changed").asLong()).isEqualTo(70);
      assertThat(d.get("matched").asLong()).isEqualTo(ROWS - 100 - 70);
      assertThat(d.get("changedByColumn").get("balance").asLong()).isEqualTo(50);
      assertThat(d.get("changedByColumn").get("note").asLong()).isEqualTo(20);
      assertThat(d.get("changedByColumn").size()).isEqualTo(2);
      assertThat(d.get("checksum").asText()).isEqualTo("DIFFERED");
      assertThat(s.get("drift").asDouble()).isEqualTo(220.0 / (ROWS + 50));
      assertThat(s.get("verdict").asText()).isEqualTo("INVESTIGATE");

      // every seeded difference, and nothing else, in differences.csv
      Set<String> expected = new TreeSet<>();
      LongStream.rangeClosed(1, ROWS)
          .forEach(
              i -> {
                if (i % 10000 == 7) {
                  expected.add("only-legacy " + i + " ");
                } else if (i % 20000 == 13) {
                  expected.add("changed " + i + " balance");
                } else if (i % 50000 == 19) {
                  expected.add("changed " + i + " note");
                }
              });
      LongStream.rangeClosed(ROWS + 1, ROWS + 50)
          .forEach(i -> expected.add("only-candidate " + i + " "));
      List<String> lines =
          Files.readAllLines(out.resolve("differences.csv"), StandardCharsets.UTF_8);
      Set<String> found =
          lines.stream()
              .skip(1)
              .map(l -> l.split(",", -1))
              .map(f -> unquote(f[1]) + " " + unquote(f[2]) + " " + unquote(f[3]))
              .collect(Collectors.toCollection(TreeSet::new));
      assertThat(lines).hasSize(1 + 220);
      assertThat(found).isEqualTo(expected);
    }
  }

  private static String unquote(String field) {
    return field.startsWith("\"") ? field.substring(1, field.length() - 1) : field;
  }
}
