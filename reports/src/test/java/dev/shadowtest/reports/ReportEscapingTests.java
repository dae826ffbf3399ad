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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recorded control characters never reach report.html raw: it stays a valid document. */
class ReportEscapingTests {

  @TempDir Path dir;

  @Test
  void nulAndOtherControlCharactersBecomeReplacementCharacters() throws IOException {
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    String hostile = "a\u0000b\u0001c\u001b[2Jd\u007f";
    try (ResultsFile results = ResultsFile.create(run.resolve(Reports.RESULTS));
        SamplesFile samples = SamplesFile.create(run)) {
      List<Difference> diffs =
          List.of(
              new Difference("$.t", "$.t", DifferenceType.VALUE, "\"" + hostile + "\"", "\"x\""));
      results.write(
          new ResultLine(
              "e\u00001",
              "GET /x",
              "GET",
              "/x?q=" + hostile,
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
      HttpResponse body =
          new HttpResponse(
              200,
              "OK",
              Headers.of("Content-Type", "text/plain", "X-H", hostile),
              Body.text(hostile + "\n" + hostile));
      samples.offer(
          "GET /x",
          new Exchange(
              "e\u00001",
              null,
              1000L,
              HttpRequest.of("GET", "/x?q=" + hostile),
              body,
              null,
              Map.of()),
          "recorded",
          body,
          body);
    }
    Reports.Written w = Reports.write(run, Reports.Options.defaults());
    String html = Files.readString(w.html());
    assertThat(html)
        .doesNotContain("\u0000")
        .doesNotContain("\u0001")
        .doesNotContain("\u001b")
        .doesNotContain("\u007f");
    assertThat(html).contains("a\uFFFDb\uFFFDc\uFFFD[2Jd\uFFFD");
  }
}
