package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.testing.LoopbackServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** shadow report and shadow gate through the command line: outputs, verdicts and exit codes. */
class ReportAndGateCommandTests {

  @TempDir Path dir;

  static String summary(String finished, long compared, long discrepant) {
    return String.format(
        Locale.ROOT,
        """
        {"version": 1, "startedAt": "%1$s", "finishedAt": "%1$s", "recording": "r.jsonl", "candidate": "http://c",
         "incomplete": false, "exchanges": %2$d, "compared": %2$d, "skipped": 0, "discrepant": %3$d, "errors": 0,
         "serverErrors": 0, "endpoints": [{"endpoint": "GET /a", "exchanges": %2$d, "compared": %2$d, "skipped": 0,
         "discrepant": %3$d, "errors": 0, "serverErrors": 0, "latency": {"p99Ratio": 1.5}}]}
        """,
        finished,
        compared,
        discrepant);
  }

  Path history(int badDay, boolean gap) throws IOException {
    Path h = Files.createDirectories(dir.resolve("history"));
    for (int d = 19; d <= 25; d++) {
      if (gap && d == badDay) {
        continue;
      }
      Files.writeString(
          h.resolve("summary-2026-11-" + d + "T02-00-00Z.json"),
          summary("2026-11-" + d + "T02:00:00Z", 1000, d == badDay ? 6 : 2));
    }
    return h;
  }

  @Test
  void gatePassesSevenGoodDays() throws IOException {
    ShadowCliTests.Run r =
        shadow("gate", "--history", history(0, false), "--days", "7", "--until", "2026-11-25");
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .startsWith("GATE PASSED: 7 of 7 days (2026-11-19 .. 2026-11-25) below 0.50%")
        .contains("2026-11-19")
        .contains("0.20%");
  }

  @Test
  void gateFailsNamingTheBadDayAndTheMissingDay() throws IOException {
    ShadowCliTests.Run bad =
        shadow(
            "gate",
            "--history",
            history(23, false),
            "--until",
            "2026-11-25",
            "--max-discrepancy",
            "0.5%");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.out())
        .contains("GATE FAILED")
        .contains("2026-11-23 (discrepancy rate 0.60% is above 0.50%");
    Files.delete(dir.resolve("history/summary-2026-11-23T02-00-00Z.json"));
    ShadowCliTests.Run gap =
        shadow("gate", "--history", dir.resolve("history"), "--until", "2026-11-25");
    assertThat(gap.code()).isEqualTo(1);
    assertThat(gap.out()).contains("2026-11-23 (no run)");
  }

  @Test
  void gateLatencyTriggerOnlyWhenGiven() throws IOException {
    Path h = history(0, false);
    assertThat(
            shadow("gate", "--history", h, "--until", "2026-11-25", "--max-latency-ratio", "2x")
                .code())
        .isZero();
    ShadowCliTests.Run r =
        shadow("gate", "--history", h, "--until", "2026-11-25", "--max-latency-ratio", "1.2");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("GET /a: candidate p99 is 1.50x the baseline's, above 1.20x");
  }

  @Test
  void gateOnOneSummary() throws IOException {
    Path s = dir.resolve("summary.json");
    Files.writeString(s, summary("2026-11-25T02:00:00Z", 1000, 4));
    assertThat(shadow("gate", "--summary", s).code()).isZero();
    ShadowCliTests.Run r = shadow("gate", "--summary", s, "--max-discrepancy", "0.003");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out())
        .contains("GATE FAILED: discrepancy rate 0.40% is above 0.30% (4 of 1000 compared)");
  }

  @Test
  void aSummaryWhoseCountsContradictEachOtherIsRefusedNotJudged() throws IOException {
    Path s = dir.resolve("summary.json");
    // the top-level count edited down: its endpoint still says 60 discrepant
    Files.writeString(
        s,
        summary("2026-11-25T02:00:00Z", 1000, 60)
            .replaceFirst("\"discrepant\": 60, \"errors\"", "\"discrepant\": 1, \"errors\""));
    ShadowCliTests.Run edited = shadow("gate", "--summary", s);
    assertThat(edited.code()).isEqualTo(2);
    assertThat(edited.err())
        .contains("summary.json")
        .contains("field \"discrepant\" is 1 but its endpoints add up to 60");
    // both edited the same way, but more discrepant than compared
    Files.writeString(s, summary("2026-11-25T02:00:00Z", 10, 60));
    assertThat(shadow("gate", "--summary", s).err())
        .contains("in \"endpoints[0]\": discrepant (60) is more than compared (10)");
    // compared more than the exchanges
    Files.writeString(
        s,
        summary("2026-11-25T02:00:00Z", 1000, 1)
            .replace("\"exchanges\": 1000,", "\"exchanges\": 5,"));
    assertThat(shadow("gate", "--summary", s).err())
        .contains("compared + skipped + errors (1000) is more than exchanges (5)");
  }

  @Test
  void anAbortedRunFailsTheGateEvenWhenItsSummarySaysComplete() throws IOException {
    Path s = dir.resolve("summary.json");
    Files.writeString(
        s,
        summary("2026-11-25T02:00:00Z", 1000, 0)
            .replace(
                "\"incomplete\": false,",
                "\"incomplete\": false, \"aborted\": \"out of memory\","));
    ShadowCliTests.Run r = shadow("gate", "--summary", s);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("the run is incomplete: out of memory");
  }

  @Test
  void badInputIsExit2WithAPreciseMessage() throws IOException {
    Path h = history(0, false);
    ShadowCliTests.Run syntax = shadow("gate", "--history", h, "--max-discrepancy", "half");
    assertThat(syntax.code()).isEqualTo(2);
    assertThat(syntax.err()).contains("--max-discrepancy: expected a rate like 0.5% or 0.005");
    assertThat(shadow("gate", "--history", h, "--max-discrepancy", "150%").code()).isEqualTo(2);
    assertThat(shadow("gate", "--history", h, "--max-latency-ratio", "-1").err())
        .contains("--max-latency-ratio");
    assertThat(shadow("gate", "--history", h, "--until", "25/11/2026").err())
        .contains("--until must be a date");
    assertThat(shadow("gate", "--history", h, "--days", "0").code()).isEqualTo(2);
    assertThat(shadow("gate", "--history", dir.resolve("nope")).err())
        .contains("no such history directory");
    assertThat(shadow("gate").code()).isEqualTo(2); // --summary or --history is required
    Files.writeString(h.resolve("summary-2026-11-20T05-00-00Z.json"), "{\"version\": 1,");
    ShadowCliTests.Run broken = shadow("gate", "--history", h);
    assertThat(broken.code()).isEqualTo(2);
    assertThat(broken.err())
        .contains("summary-2026-11-20T05-00-00Z.json")
        .contains("not valid JSON");
  }

  @Test
  void reportRegeneratesTheOutputsAndStoresHistory() throws IOException {
    Path rec = dir.resolve("r.jsonl");
    assertThat(
            shadow(
                    "import",
                    "--from",
                    "har",
                    ShadowCliTests.EXAMPLES.resolve("shop.har"),
                    "--out",
                    rec)
                .code())
        .isZero();
    // a run against nothing: every exchange is a candidate error, still a run directory
    Path run = dir.resolve("run");
    shadow(
        "replay",
        "--recording",
        rec,
        "--candidate",
        "http://127.0.0.1:9",
        "--connect-timeout",
        "1",
        "--out",
        run);
    Files.delete(run.resolve("report.html"));
    Files.delete(run.resolve("discrepancies.csv"));
    Path out = dir.resolve("review");
    ShadowCliTests.Run r =
        shadow("report", "--results", run, "--out", out, "--history", dir.resolve("h"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("report: " + out.resolve("report.html").toAbsolutePath())
        .contains("history: stored as");
    assertThat(out.resolve("report.html")).exists();
    assertThat(out.resolve("discrepancies.csv")).exists();
    assertThat(out.resolve("summary.json"))
        .content()
        .isEqualTo(Files.readString(run.resolve("summary.json")));
    assertThat(Files.list(dir.resolve("h")).count()).isEqualTo(1);
    ShadowCliTests.Run missing = shadow("report", "--results", dir.resolve("nothing"));
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("no such run directory");
  }

  @Test
  void reportReadsAResultsFileACrashCutOffUpToTheCutAndSaysSo() throws IOException {
    Path rec = dir.resolve("r.jsonl");
    shadow("import", "--from", "har", ShadowCliTests.EXAMPLES.resolve("shop.har"), "--out", rec);
    Path run = dir.resolve("run");
    try (LoopbackServer candidate =
        LoopbackServer.start(2, ex -> LoopbackServer.send(ex, 200, "application/json", "{}"))) {
      shadow("replay", "--recording", rec, "--candidate", candidate.uri(), "--out", run);
    }
    long lines =
        new ObjectMapper().readTree(run.resolve("summary.json").toFile()).get("exchanges").asLong();
    assertThat(lines).isGreaterThan(2);
    // a crash (kill -9) leaves a gzip without its end and a last line cut mid-write: rewrite the
    // file as a stream flushed after every line, then cut it in the middle of the last one
    ByteArrayOutputStream flushed = new ByteArrayOutputStream();
    List<Long> ends = new ArrayList<>();
    try (var in =
            new BufferedReader(
                new InputStreamReader(
                    new GZIPInputStream(Files.newInputStream(run.resolve("results.jsonl.gz")))));
        var gz = new GZIPOutputStream(flushed, true)) {
      String line;
      while ((line = in.readLine()) != null) {
        gz.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        gz.flush();
        ends.add((long) flushed.size());
      }
      byte[] all = flushed.toByteArray();
      long cut = (ends.get(ends.size() - 2) + ends.get(ends.size() - 1)) / 2;
      Files.write(run.resolve("results.jsonl.gz"), Arrays.copyOf(all, (int) cut));
    }
    ShadowCliTests.Run r = shadow("report", "--results", run);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("cut off").contains("the outputs cover the exchanges before it");
    assertThat(
            new ObjectMapper()
                .readTree(run.resolve("summary.json").toFile())
                .get("exchanges")
                .asLong())
        .isEqualTo(lines - 1);
  }
}
