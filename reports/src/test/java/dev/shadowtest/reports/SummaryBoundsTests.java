package dev.shadowtest.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.SummaryFile;
import dev.shadowtest.diff.run.SummaryJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** summary.json stays under 1 MiB for any run, and its endpoints still add up to its totals. */
class SummaryBoundsTests {

  @TempDir Path dir;

  @Test
  void aRunWithThousandsOfEndpointsAndFieldsWithLongNamesHasASummaryUnderOneMebibyte()
      throws IOException {
    int endpoints = 2_000;
    StringBuilder rules = new StringBuilder("version: 1\nendpoints:\n");
    for (int e = 0; e < endpoints; e++) {
      rules
          .append("  - match: \"GET /e")
          .append(e)
          .append("/")
          .append("s".repeat(200))
          .append("\"\n");
    }
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    Files.writeString(run.resolve(Reports.RULES), rules);
    // each bound exceeded: 2,000 endpoints (400 kept), 35 fields each (30 kept), field names of
    // 1,000 characters (300 kept); unbounded, the fields alone would be 70 MB
    int fields = 35;
    String longName = "k".repeat(1_000);
    try (ResultsFile results = ResultsFile.create(run.resolve(Reports.RESULTS))) {
      for (int e = 0; e < endpoints; e++) {
        List<Difference> diffs = new ArrayList<>();
        for (int f = 0; f < fields; f++) {
          String path = "$." + longName + f;
          diffs.add(new Difference(path, path, DifferenceType.VALUE, "1", "2"));
        }
        String endpoint = "GET /e" + e + "/" + "s".repeat(200);
        results.write(
            new ResultLine(
                "id-" + "x".repeat(1_000) + e,
                endpoint,
                "GET",
                "/e" + e,
                Verdict.DIFFERENT,
                200,
                null,
                200,
                1000L,
                null,
                1000L,
                null,
                diffs,
                Set.of(),
                false,
                false,
                List.of()));
      }
    }
    Reports.Written w =
        Reports.write(
            run,
            Reports.Options.defaults()
                .withRules(Rules.load(run.resolve(Reports.RULES)))
                .withGate(new Gate(0.005, null, null)));
    assertThat(Files.size(w.summary())).isLessThan(1L << 20);
    SummaryFile s = SummaryFile.read(w.summary());
    assertThat(s.endpoints()).hasSize(SummaryJson.MAX_ENDPOINTS + 1);
    SummaryFile.Endpoint other =
        s.endpoints().stream()
            .filter(x -> x.endpoint().equals(SummaryJson.OTHER_ENDPOINTS))
            .findFirst()
            .orElseThrow();
    assertThat(other.exchanges()).isEqualTo(endpoints - SummaryJson.MAX_ENDPOINTS);
    assertThat(s.endpoints().stream().mapToLong(SummaryFile.Endpoint::exchanges).sum())
        .isEqualTo(s.exchanges());
    assertThat(s.endpoints().stream().mapToLong(SummaryFile.Endpoint::discrepant).sum())
        .isEqualTo(s.discrepant());
    assertThat(s.exchanges()).isEqualTo(endpoints);
    // the multi-day gate reads it like any summary
    assertThat(new GateCheck(Gate.defaults(), null).summary(s).passed()).isFalse();
    // the CSV is bounded too: 70,000 rows would be written without a limit
    Reports.Written small =
        Reports.write(
            run,
            Reports.Options.defaults()
                .withOut(dir.resolve("small"))
                .withRules(Rules.load(run.resolve(Reports.RULES)))
                .withCsvMaxRows(1_000));
    List<String> rows = Files.readAllLines(small.csv());
    assertThat(rows).hasSize(1 + 1_000 + 1);
    assertThat(rows.get(rows.size() - 1))
        .contains("TRUNCATED")
        .contains("69000 more rows not written");
    assertThat(small.warnings())
        .anySatisfy(x -> assertThat(x).contains("69000 more were left out"));
  }
}
