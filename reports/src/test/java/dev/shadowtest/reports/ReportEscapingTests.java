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
import dev.shadowtest.diff.run.RunDirectory;
import dev.shadowtest.diff.run.SamplesFile;
import dev.shadowtest.diff.run.Trigger;
import dev.shadowtest.diff.run.TriggerEvent;
import dev.shadowtest.diff.run.TriggersFile;
import dev.shadowtest.diff.run.WindowFacts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reaches report.html from a run directory is escaped: recorded control characters never
 * reach it raw (it stays a valid document), nor does markup in triggers.jsonl.
 */
class ReportEscapingTests {

  @TempDir Path dir;

  static TriggerEvent triggerEvent(TriggerEvent.Kind kind, String name, Instant at, double value) {
    return new TriggerEvent(
        kind,
        name,
        Trigger.Metric.ERROR_RATE,
        value,
        0.005,
        Duration.ofMinutes(5),
        Duration.ofMinutes(5),
        at.minus(Duration.ofMinutes(5)),
        at,
        at,
        new WindowFacts(1200, 1100, 3, 60, 2, null, null, 0),
        null,
        null);
  }

  @Test
  void theRunsTriggerEventsAreATimelineOfEscapedRows() throws IOException {
    Path run = Fixtures.goldenRun(dir);
    Instant fired = Instant.parse("2026-11-24T02:08:30Z");
    try (TriggersFile file = TriggersFile.open(run)) {
      file.append(triggerEvent(TriggerEvent.Kind.FIRED, "errorRate", fired, 0.052));
      file.append(
          triggerEvent(
              TriggerEvent.Kind.FIRED, "<script>alert(1)</script>", fired.plusSeconds(10), 0.3));
      file.append(
          triggerEvent(TriggerEvent.Kind.CLEARED, "errorRate", fired.plusSeconds(600), 0.001));
    }
    Files.writeString(
        run.resolve(RunDirectory.TRIGGERS),
        "{\"event\":\"fir",
        StandardOpenOption.APPEND); // a crash while the next line was written

    Reports.Written w = Reports.write(run, Reports.Options.defaults());
    String html = Files.readString(w.html()).replaceAll(">\\s+<", "><");
    assertThat(html)
        .contains("<h2>Rollback triggers</h2>")
        .contains(
            "<tr class=\"fired\"><td>2026-11-24 02:08:30 UTC</td><td class=\"name\">errorRate</td>"
                + "<td class=\"kind\">fired</td><td>errorRate 5.20% &gt; 0.50%</td>"
                + "<td>5m (02:03:30–02:08:30)</td><td>5m</td></tr>")
        .contains(
            "<tr class=\"cleared\"><td>2026-11-24 02:18:30 UTC</td><td class=\"name\">errorRate</td>"
                + "<td class=\"kind\">cleared</td><td>errorRate 0.10% &lt;= 0.50%</td>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .doesNotContain("<script>alert(1)");
    assertThat(html.indexOf("02:08:30 UTC</td>"))
        .as("in the order they happened")
        .isLessThan(html.indexOf("02:18:30 UTC</td>"));
    assertThat(w.warnings()).anySatisfy(x -> assertThat(x).contains("the last line was cut off"));

    Files.delete(run.resolve(RunDirectory.TRIGGERS));
    assertThat(Files.readString(Reports.write(run, Reports.Options.defaults()).html()))
        .as("a run without trigger events has no timeline")
        .doesNotContain("Rollback triggers");
  }

  @Test
  void nulAndOtherControlCharactersBecomeReplacementCharacters() throws IOException {
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    // and the bidirectional controls: "/r/\u202Egnp.exe" would show as "/r/exe.png"
    String hostile = "a\u0000b\u0001c\u001b[2Jd\u007f/r/\u202Egnp.exe\u202C\u2066\u200F";
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
        .doesNotContain("\u007f")
        .doesNotContain("\u202E")
        .doesNotContain("\u202C")
        .doesNotContain("\u2066")
        .doesNotContain("\u200F");
    assertThat(html).contains("a\uFFFDb\uFFFDc\uFFFD[2Jd\uFFFD/r/\uFFFDgnp.exe\uFFFD\uFFFD\uFFFD");
  }
}
