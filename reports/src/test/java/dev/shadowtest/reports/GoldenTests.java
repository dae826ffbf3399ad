package dev.shadowtest.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.diff.run.SummaryFile;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * summary.json and discrepancies.csv of a fixed results file, byte for byte. To accept an intended
 * change of output: {@code mvn -pl reports test -Dtest=GoldenTests -Dshadow.golden.update=true},
 * then review the diff of the expected files.
 */
class GoldenTests {

  @TempDir Path dir;

  Reports.Written written() throws IOException {
    return Reports.write(Fixtures.goldenRun(dir), Reports.Options.defaults());
  }

  @Test
  void summaryJsonMatchesTheGoldenFile() throws IOException {
    check(written().summary(), "expected-summary.json");
  }

  @Test
  void csvMatchesTheGoldenFile() throws IOException {
    check(written().csv(), "expected-discrepancies.csv");
  }

  @Test
  void theGoldenSummaryHasTheCountsOfTheFixture() throws IOException {
    Reports.Written w = written();
    // 24 lines: 2 skipped, 1 error, 1 without baseline: 20 compared; discrepant: 2 products, 2
    // users
    // (the email and the 500; lastLogin is noise), 1 order
    assertThat(w.result().exchanges()).isEqualTo(24);
    assertThat(w.result().compared()).isEqualTo(20);
    assertThat(w.result().discrepant()).isEqualTo(5);
    assertThat(w.result().noise()).isEqualTo(6);
    SummaryFile s = SummaryFile.read(w.summary());
    assertThat(s.discrepancyRate()).isEqualTo(5 / 20.0);
    assertThat(s.finishedAt()).hasToString("2026-11-24T02:01:30.500Z");
    // the gate the run recorded is kept: 0.5% and a 5% error rate
    assertThat(w.gateFailures())
        .anySatisfy(f -> assertThat(f).startsWith("discrepancy rate 25.00% is above 0.50%"));
    assertThat(w.gateFailures()).anySatisfy(f -> assertThat(f).startsWith("error rate"));
    assertThat(w.gateFailures())
        .noneSatisfy(
            f -> assertThat(f).startsWith("GET /api/orders")); // 50%, not above its rule's 50%
  }

  @Test
  void csvParsesBackWithQuotesCommasAndFormulasNeutralised() throws IOException {
    Reports.Written w = written();
    assertThat(Files.getPosixFilePermissions(w.csv()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    byte[] bytes = Files.readAllBytes(w.csv());
    assertThat(new String(bytes, 0, 3, StandardCharsets.ISO_8859_1))
        .isEqualTo("\u00EF\u00BB\u00BF"); // BOM for spreadsheets
    List<CSVRecord> rows;
    try (Reader r = Files.newBufferedReader(w.csv())) {
      r.skip(1);
      rows =
          CSVFormat.RFC4180
              .builder()
              .setHeader()
              .setSkipHeaderRecord(true)
              .get()
              .parse(r)
              .getRecords();
    }
    assertThat(rows)
        .extracting(x -> x.get("exchange_id"))
        .containsExactly("p-03", "p-07", "u-02", "u-02", "u-05", "u-05", "o-01", "o-03", "o-03");
    CSVRecord quoted = rows.get(1);
    assertThat(quoted.get("target")).isEqualTo("/api/products/7?ref=a,b");
    assertThat(quoted.get("expected")).isEqualTo("\"say \"\"hi\"\", then, bye\"");
    assertThat(quoted.get("actual")).isEqualTo("'=HYPERLINK(\"http://x\")");
    assertThat(rows.get(2).get("noise"))
        .isEqualTo("true"); // lastLogin: noise, listed with the real email difference
    assertThat(rows.get(3).get("actual"))
        .isEqualTo("\"-ann@example.com\""); // quoted JSON: not a formula
    assertThat(rows.get(5).get("expected")).isEqualTo("\"Ünïcødé ☃\"");
    assertThat(rows.get(6).get("verdict")).isEqualTo("CANDIDATE_ERROR");
    assertThat(rows.get(6).get("actual")).isEqualTo("timeout: no response within 30 s");
    assertThat(rows.get(0).get("recorded_ms")).isEqualTo("1.300");
  }

  private static void check(Path actual, String golden) throws IOException {
    Path expected = Fixtures.GOLDEN.resolve(golden);
    if (Boolean.getBoolean("shadow.golden.update")) {
      Files.copy(actual, expected, StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(Files.readString(actual))
        .as("%s (update with -Dshadow.golden.update=true)", golden)
        .isEqualTo(Files.readString(expected));
  }
}
