package dev.shadowtest.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.reconcile.ReconcileSpec.Column;
import dev.shadowtest.reconcile.ReconcileSpec.Dataset;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecTests {

  @TempDir Path dir;

  static final String GOOD =
      """
      version: 1
      legacy: { jdbc: "jdbc:h2:mem:a", user: sa, passwordEnv: LEGACY_PW }
      candidate:
        jdbc: "jdbc:h2:mem:b"
        user: sa
      thresholds: { investigate: 0.05%, pause: 0.002 }
      datasets:
        - name: orders
          legacy: { table: orders }
          candidate: { query: "SELECT id, total FROM orders2 ORDER BY id" }
          key: [id]
          columns:
            - status
            - { name: amount, tolerance: 0.01, candidateColumn: total }
            - { name: note, trim: true, ignoreCase: true, emptyIsNull: true }
            - { name: created, timestampPrecision: seconds }
            - { name: updated_by, ignore: true }
      aggregates:
        - name: open amount
          legacy: "SELECT sum(amount) FROM orders"
          candidate: "SELECT sum(total) FROM orders2"
          tolerance: 0.5
      """;

  Path write(String yaml) throws IOException {
    Path f = dir.resolve("reconcile.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void aFullSpecIsRead() throws IOException {
    ReconcileSpec s = ReconcileSpec.load(write(GOOD), Map.of("LEGACY_PW", "secret"));
    assertThat(s.legacy().password()).isEqualTo("secret");
    assertThat(s.legacy().toString()).doesNotContain("secret");
    assertThat(s.candidate().password()).isNull();
    assertThat(s.thresholds().investigate()).isEqualTo(0.0005);
    assertThat(s.thresholds().pause()).isEqualTo(0.002);
    Dataset d = s.datasets().get(0);
    assertThat(d.name()).isEqualTo("orders");
    assertThat(d.line()).isEqualTo(8);
    assertThat(d.legacy().table()).isEqualTo("orders");
    assertThat(d.candidate().query()).startsWith("SELECT id, total");
    assertThat(d.key()).containsExactly("id");
    assertThat(d.columns())
        .containsExactly(
            new Column("status", null, false, null, false, false, null, false, false),
            new Column(
                "amount", "total", false, new BigDecimal("0.01"), false, false, null, false, false),
            new Column("note", null, false, null, true, true, null, true, false),
            new Column(
                "created", null, false, null, false, false, ChronoUnit.SECONDS, false, false),
            new Column("updated_by", null, true, null, false, false, null, false, false));
    assertThat(s.aggregates())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.name()).isEqualTo("open amount");
              assertThat(a.line()).isEqualTo(19);
              assertThat(a.tolerance()).isEqualByComparingTo("0.5");
            });
  }

  @Test
  void thresholdsDefaultToThePlaybooks() throws IOException {
    ReconcileSpec s =
        ReconcileSpec.load(
            write(GOOD.replace("thresholds: { investigate: 0.05%, pause: 0.002 }\n", "")),
            Map.of("LEGACY_PW", "x"));
    assertThat(s.thresholds()).isEqualTo(ReconcileSpec.Thresholds.DEFAULTS);
  }

  void fails(String yaml, Map<String, String> env, String message) throws IOException {
    Path f = write(yaml);
    assertThatThrownBy(() -> ReconcileSpec.load(f, env))
        .isInstanceOf(SpecException.class)
        .isInstanceOf(BadInputException.class)
        .hasMessage(f + message);
  }

  @Test
  void anUnknownKeyIsNamedWithItsLine() throws IOException {
    fails(
        GOOD.replace(
            "    - { name: amount, tolerance: 0.01,", "    - { name: amount, tolerence: 0.01,"),
        Map.of("LEGACY_PW", "x"),
        ":14: datasets[0].columns[1].tolerence: unknown key (expected name, candidateColumn,"
            + " ignore, tolerance, trim, ignoreCase, timestampPrecision, emptyIsNull, sensitive)");
  }

  @Test
  void aMissingKeyListIsNamed() throws IOException {
    fails(
        GOOD.replace("    key: [id]\n", ""),
        Map.of("LEGACY_PW", "x"),
        ":8: datasets[0].key: missing");
  }

  @Test
  void aKeyNamedNoIsToldToBeQuoted() throws IOException {
    fails(
        GOOD.replace("key: [id]", "key: [id, no]"),
        Map.of("LEGACY_PW", "x"),
        ":11: datasets[0].key[1]: expected a non-empty string, got false (YAML reads no, yes, on,"
            + " off, true and false unquoted as booleans: quote the name, \"no\")");
  }

  @Test
  void anEmptyKeyListIsNamed() throws IOException {
    fails(
        GOOD.replace("key: [id]", "key: []"),
        Map.of("LEGACY_PW", "x"),
        ":11: datasets[0].key: empty; name at least one key column");
  }

  @Test
  void aMissingEnvironmentVariableIsNamed() throws IOException {
    fails(GOOD, Map.of(), ":2: legacy.passwordEnv: environment variable LEGACY_PW is not set");
  }

  @Test
  void badYamlIsNamedWithItsLine() throws IOException {
    Path f = write(GOOD.replace("    key: [id]", "    key: [id"));
    assertThatThrownBy(() -> ReconcileSpec.load(f, Map.of("LEGACY_PW", "x")))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith(f + ":12: not valid YAML: ")
        .satisfies(e -> assertThat(((SpecException) e).line()).isEqualTo(12));
  }

  @Test
  void otherMistakesAreNamed() throws IOException {
    Map<String, String> env = Map.of("LEGACY_PW", "x");
    fails(
        GOOD.replace("version: 1", "version: 2"),
        env,
        ":1: version: unsupported version 2 (this Shadow reads version 1)");
    fails(GOOD.replace("version: 1\n", ""), env, ":1: version: missing (add \"version: 1\")");
    fails(
        GOOD.replace("legacy: { table: orders }", "legacy: { table: orders, query: x }"),
        env,
        ":9: datasets[0].legacy: expected exactly one of table and query");
    fails(
        GOOD.replace("legacy: { table: orders }", "legacy: { table: \"orders; drop\" }"),
        env,
        ":9: datasets[0].legacy.table: expected a plain SQL name (letters, digits, _;"
            + " schema.table), got orders; drop");
    fails(
        GOOD.replace("timestampPrecision: seconds", "timestampPrecision: weeks"),
        env,
        ":16: datasets[0].columns[3].timestampPrecision: expected days, hours, minutes, seconds,"
            + " millis or micros, got weeks");
    fails(
        GOOD.replace("tolerance: 0.5", "tolerance: -1"),
        env,
        ":22: aggregates[0].tolerance: expected a number 0 or above, got -1");
    fails(
        GOOD.replace("      - status\n", "      - status\n      - id\n"),
        env,
        ":14: datasets[0].columns[1]: column id is a key or named twice");
    fails(
        GOOD.replace("jdbc: \"jdbc:h2:mem:b\"", "jdbc: \"h2:mem:b\""),
        env,
        ":4: candidate.jdbc: expected a JDBC URL (jdbc:...), got h2:mem:b");
  }

  @Test
  void anEmptyOrMissingFileIsNamed() throws IOException {
    fails("", Map.of(), ":1: is empty; expected at least \"version: 1\"");
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> ReconcileSpec.load(missing, Map.of()))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith(missing + ": cannot read: ");
  }
}
