package dev.shadowtest.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.SamplesFile;
import dev.shadowtest.diff.run.TriggerEvent;
import dev.shadowtest.diff.run.TriggersFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1,000,000-exchange run with many endpoints, many differing fields and the largest samples the
 * replayer keeps still gives a report well under 20 MB (the report is bounded, not the run).
 */
class LargeRunTests {

  static final String[] WORDS = {
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliett",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar"
  };

  @TempDir Path dir;

  @Test
  void aFlappingTriggerGivesABoundedTimeline() throws IOException {
    Path run = Fixtures.goldenRun(dir);
    Instant at = Instant.parse("2026-11-24T02:00:00Z");
    try (TriggersFile file = TriggersFile.open(run)) {
      for (int i = 0; i < 2_000; i++) {
        file.append(
            ReportEscapingTests.triggerEvent(
                i % 2 == 0 ? TriggerEvent.Kind.FIRED : TriggerEvent.Kind.CLEARED,
                "errorRate",
                at.plusSeconds(10L * i),
                i % 2 == 0 ? 0.05 : 0.001));
      }
    }
    String html = Files.readString(Reports.write(run, Reports.Options.defaults()).html());
    assertThat(html.split("<tr class=\"(fired|cleared)\">", -1)).hasSize(500 + 1);
    assertThat(html).contains("Showing the first 500 of 2000 trigger events (see triggers.jsonl).");
  }

  @Test
  void hostileBodiesCannotInflateTheReport() throws IOException {
    Path run = dir.resolve("hostile");
    Files.createDirectories(run);
    String angle = "<".repeat(16 * 1024 - 10); // every character escapes to &lt;
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (var gz = new GZIPOutputStream(zipped)) {
      gz.write(("[" + "\"<<<<<<<<\",".repeat(200_000) + "0]").getBytes(StandardCharsets.UTF_8));
    }
    try (ResultsFile results = ResultsFile.create(run.resolve("results.jsonl.gz"));
        SamplesFile samples = SamplesFile.create(run)) {
      for (int e = 0; e < 200; e++) {
        String endpoint = "GET /api/" + WORDS[e % 15] + "/" + WORDS[e / 15 % 15] + "/x" + e / 225;
        for (int k = 0; k < 3; k++) {
          String id = "h" + e + "-" + k;
          results.write(
              new ResultLine(
                  id,
                  endpoint,
                  "GET",
                  "/x",
                  Verdict.DIFFERENT,
                  200,
                  null,
                  200,
                  1L,
                  null,
                  1L,
                  null,
                  List.of(new Difference("body", "body", DifferenceType.BODY, angle, angle)),
                  Set.of(),
                  false,
                  false,
                  List.of()));
          HttpRequest rq =
              new HttpRequest(
                  "GET", "/x?" + angle, "HTTP/1.1", Headers.of("X-A", angle), Body.none());
          HttpResponse text =
              new HttpResponse(
                  200,
                  "OK",
                  Headers.of("Content-Type", "text/plain"),
                  Body.text((angle.substring(0, 100) + "\n").repeat(160)));
          HttpResponse bomb =
              new HttpResponse(
                  200,
                  "OK",
                  Headers.of("Content-Type", "application/json", "Content-Encoding", "gzip"),
                  Body.binary(zipped.toByteArray()));
          samples.offer(
              endpoint,
              new Exchange(id, null, 1L, rq, text, null, Map.of()),
              "recorded",
              text,
              bomb);
        }
      }
    }
    Reports.Written w = Reports.write(run, Reports.Options.defaults());
    System.out.printf("hostile samples: report.html %,d bytes%n", Files.size(w.html()));
    assertThat(Files.size(w.html())).isLessThan(20L << 20);
    assertThat(Files.readString(w.html()))
        .contains("the report's size budget is spent")
        .contains("more lines not shown");
  }

  @Test
  void aMillionExchangeRunGivesABoundedReport() throws IOException {
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    Files.writeString(
        run.resolve("summary.json"),
        """
        {"version":1,"startedAt":"2026-11-24T02:00:00Z","finishedAt":"2026-11-24T03:00:00Z","recording":"big.jsonl.gz",
         "candidate":"http://127.0.0.1:9","endpoints":[]}""");
    // just under the samples' 16 KiB cut: valid JSON, pretty-printed to hundreds of lines
    String big =
        "{\"items\": ["
            + "{\"id\": 1, \"name\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"},".repeat(300)
            + "{}]}";
    long differences = 0;
    try (ResultsFile results = ResultsFile.create(run.resolve("results.jsonl.gz"));
        SamplesFile samples = SamplesFile.create(run)) {
      for (int i = 0; i < 1_000_000; i++) {
        // 225 endpoints that stay distinct (15 x 15: below the high-cardinality collapse)
        String endpoint = "GET /api/" + WORDS[i % 15] + "/" + WORDS[(i / 15) % 15] + "/items";
        boolean differs = i % 10 == 0;
        List<Difference> diffs =
            differs
                ? List.of(
                    new Difference(
                        "$.items[" + (i % 7) + "].f" + (i % 40),
                        "$.items[*].f" + (i % 40),
                        DifferenceType.VALUE,
                        "\"" + "e".repeat(300) + "\"",
                        "\"" + "a".repeat(300) + "\""))
                : List.of();
        differences += diffs.size();
        String id = String.format("x%07d", i);
        results.write(
            new ResultLine(
                id,
                endpoint,
                "GET",
                "/api/r" + (i % 300) + "/items?page=" + i,
                differs ? Verdict.DIFFERENT : Verdict.MATCH,
                200,
                null,
                200,
                1000L + i % 5000,
                null,
                1100L + i % 7000,
                null,
                diffs,
                Set.of(),
                false,
                false,
                List.of()));
        if (differs) {
          HttpRequest rq =
              new HttpRequest(
                  "GET",
                  "/api/r" + i,
                  "HTTP/1.1",
                  Headers.of("Accept", "application/json"),
                  Body.none());
          HttpResponse rs =
              new HttpResponse(
                  200, "OK", Headers.of("Content-Type", "application/json"), Body.text(big));
          samples.offer(
              endpoint, new Exchange(id, null, 1000L, rq, rs, null, Map.of()), "recorded", rs, rs);
        }
      }
    }
    Reports.Written w = Reports.write(run, Reports.Options.defaults());
    assertThat(w.result().exchanges()).isEqualTo(1_000_000);
    assertThat(w.result().discrepant()).isEqualTo(100_000);
    System.out.printf(
        "1M-exchange run: report.html %,d bytes, discrepancies.csv %,d bytes%n",
        Files.size(w.html()), Files.size(w.csv()));
    assertThat(w.result().endpoints()).hasSize(225);
    assertThat(Files.size(w.html()))
        .as("report.html bytes")
        .isBetween(2L << 20, 20L << 20); // samples are in it
    assertThat(Files.readString(w.html())).contains("Showing 3 of ");
    try (var lines = Files.lines(w.csv())) {
      assertThat(lines.count()).isEqualTo(differences + 1);
    }
  }
}
