package dev.shadowtest.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.FieldKey;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every output judges alike: the exchange verdicts (examples, CSV rows), the field rows of
 * summary.json, the CSV and the HTML report. The case: an endpoint whose one field differed
 * between the legacy instances in each of its 22 exchanges, fewer than the 30 noise samples
 * needed to excuse anything; each exchange looked "noise only" on its own, and must count.
 */
class ReportJudgementTests {

  @TempDir Path dir;

  static ResultLine line(
      String id,
      String endpoint,
      String method,
      Verdict provisional,
      List<Difference> diffs,
      Set<FieldKey> noise) {
    return new ResultLine(
        id,
        endpoint,
        method,
        "/x/" + id,
        provisional,
        201,
        201,
        201,
        1000L,
        900L,
        1100L,
        null,
        diffs,
        noise,
        true,
        false,
        List.of());
  }

  Path run() throws IOException {
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    Difference createdAt =
        new Difference("$.createdAt", "$.createdAt", DifferenceType.VALUE, "1", "3");
    Difference lastSeen =
        new Difference("$.lastSeen", "$.lastSeen", DifferenceType.VALUE, "1", "3");
    Difference accepted =
        new Difference(
            "header:X-Powered-By",
            "header:x-powered-by",
            DifferenceType.MISSING,
            "Express",
            null,
            "the new stack does not advertise itself");
    try (ResultsFile results = ResultsFile.create(run.resolve(Reports.RESULTS))) {
      for (int i = 0; i < 22; i++) {
        results.write(
            line(
                String.format("p%02d", i),
                "POST /posts",
                "POST",
                Verdict.NOISE_ONLY,
                List.of(createdAt),
                Set.of(FieldKey.of(createdAt))));
      }
      for (int i = 0; i < 40; i++) { // enough samples, the same rate on both sides: really noise
        results.write(
            line(
                String.format("u%02d", i),
                "GET /users",
                "GET",
                Verdict.NOISE_ONLY,
                List.of(lastSeen, accepted),
                Set.of(FieldKey.of(lastSeen))));
      }
      for (int i = 0; i < 5; i++) { // only accepted differences: a match, counted as accepted
        results.write(
            line(
                String.format("a%02d", i),
                "GET /about",
                "GET",
                Verdict.MATCH,
                List.of(accepted),
                Set.of()));
      }
    }
    return run;
  }

  @Test
  void summaryCsvHtmlAndExamplesGiveTheSameVerdicts() throws IOException {
    Reports.Written w = Reports.write(run(), Reports.Options.defaults());

    JsonNode s = new ObjectMapper().readTree(w.summary().toFile());
    JsonNode posts = endpoint(s, "POST /posts");
    assertThat(posts.get("discrepant").asLong()).isEqualTo(22);
    assertThat(posts.get("noise").asLong()).isZero();
    assertThat(posts.get("fields").get(0).get("real").asBoolean()).isTrue();
    assertThat(posts.get("fields").get(0).get("noise").asLong()).isEqualTo(22);
    JsonNode users = endpoint(s, "GET /users");
    assertThat(users.get("discrepant").asLong()).isZero();
    assertThat(users.get("noise").asLong()).isEqualTo(40);
    assertThat(users.get("fields").get(0).get("real").asBoolean()).isFalse();
    JsonNode about = endpoint(s, "GET /about");
    assertThat(about.get("matched").asLong()).isEqualTo(5);
    assertThat(about.get("accepted").asLong()).isEqualTo(5);
    assertThat(about.get("acceptedFields").get(0).get("reason").asText())
        .isEqualTo("the new stack does not advertise itself");
    assertThat(s.get("discrepant").asLong()).isEqualTo(22);
    assertThat(s.get("compared").asLong()).isEqualTo(67);

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
        .hasSize(22)
        .allSatisfy(
            row -> {
              assertThat(row.get("endpoint")).isEqualTo("POST /posts");
              assertThat(row.get("verdict")).isEqualTo("DIFFERENT");
              assertThat(row.get("noise")).isEqualTo("false");
            });

    assertThat(w.examples()).containsOnlyKeys("POST /posts");
    String html = Files.readString(w.html());
    assertThat(html)
        .contains("22 discrepant of 22 compared, 0 errors, 0 noise only")
        .contains("0 discrepant of 40 compared, 0 errors, 40 noise only")
        .contains("5 matched only because of accepted differences")
        .contains("the new stack does not advertise itself");
    assertThat(html.replaceAll("\\s+", " "))
        .contains("<td>VALUE</td><td>22</td><td>22</td><td>discrepancy</td>")
        .contains("<td>VALUE</td><td>40</td><td>40</td><td>noise</td>");
  }

  @Test
  void groupedCsvHasOneRowPerFieldAndKindPerExchange() throws IOException {
    Path run = dir.resolve("arrays");
    Files.createDirectories(run);
    try (ResultsFile results = ResultsFile.create(run.resolve(Reports.RESULTS))) {
      for (int i = 0; i < 3; i++) {
        List<Difference> diffs = new ArrayList<>();
        for (int k = 0; k < 100; k++) {
          diffs.add(
              new Difference(
                  "$.items[" + k + "].price", "$.items[*].price", DifferenceType.VALUE, "1", "2"));
        }
        diffs.add(new Difference("header:ETag", "header:etag", DifferenceType.VALUE, "a", "b"));
        results.write(
            new ResultLine(
                "e" + i,
                "GET /cart",
                "GET",
                "/cart",
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
    Reports.Written exact =
        Reports.write(run, Reports.Options.defaults().withOut(dir.resolve("exact")));
    Reports.Written grouped =
        Reports.write(
            run,
            Reports.Options.defaults()
                .withOut(dir.resolve("grouped"))
                .withCsvRows(Reports.CsvRows.GROUPED));
    assertThat(Files.readAllLines(exact.csv())).hasSize(1 + 3 * 101);
    List<CSVRecord> rows;
    try (Reader r = Files.newBufferedReader(grouped.csv())) {
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
    assertThat(rows).hasSize(6);
    assertThat(rows.get(0).get("field")).isEqualTo("$.items[*].price");
    assertThat(rows.get(0).get("count")).isEqualTo("100");
    assertThat(rows.get(0).get("first_path")).isEqualTo("$.items[0].price");
    assertThat(rows.get(1).get("field")).isEqualTo("header:etag");
    assertThat(rows.get(1).get("count")).isEqualTo("1");
  }

  static JsonNode endpoint(JsonNode summary, String name) {
    for (JsonNode e : summary.get("endpoints")) {
      if (e.get("endpoint").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no endpoint " + name);
  }
}
