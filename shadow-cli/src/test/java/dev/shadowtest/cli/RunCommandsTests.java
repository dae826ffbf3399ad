package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.SourcePositions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user meets around a run on the command line: outputs never overwritten, a new history
 * directory, the worst-first table, CSV layouts, help texts, inspect of a samples file, re-judging
 * refused, and diff of two recorders' recordings.
 */
@Timeout(120)
class RunCommandsTests {

  @TempDir Path dir;

  HttpServer server;

  /** A candidate: /a answers like the recording; /b/{n} differs on even n; /c differs always. */
  @BeforeEach
  void startCandidate() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          boolean differs =
              path.equals("/c")
                  || path.startsWith("/b/") && Integer.parseInt(path.substring(3)) % 2 == 0;
          byte[] body = (differs ? "{\"v\":2}" : "{\"v\":1}").getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String candidate() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static Exchange exchange(String id, String target) {
    return new Exchange(
        id,
        Instant.parse("2026-11-24T10:00:00Z"),
        1000L,
        new HttpRequest("GET", target, "HTTP/1.1", Headers.of("Host", "legacy:8080"), Body.none()),
        new HttpResponse(
            200, "OK", Headers.of("Content-Type", "application/json"), Body.text("{\"v\":1}")),
        null,
        Map.of());
  }

  Path recording(String name, String idPrefix) {
    List<Exchange> ex = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ex.add(exchange(idPrefix + "a" + i, "/a"));
      ex.add(exchange(idPrefix + "b" + i, "/b/" + i));
    }
    ex.add(exchange(idPrefix + "c", "/c"));
    Path p = dir.resolve(name);
    try (RecordingWriter w =
        RecordingWriter.create(p, RecordingHeader.now("test", Redaction.none()))) {
      ex.forEach(w::write);
    }
    return p;
  }

  @Test
  void anExistingRunDirectoryIsNeverOverwrittenWithoutForce() throws IOException {
    Path rec = recording("r.jsonl", "");
    Path out = dir.resolve("run");
    assertThat(
            shadow("replay", "--recording", rec, "--candidate", candidate(), "--out", out).code())
        .isEqualTo(1);
    byte[] summary = Files.readAllBytes(out.resolve("summary.json"));
    ShadowCliTests.Run again =
        shadow("replay", "--recording", rec, "--candidate", candidate(), "--out", out);
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err())
        .contains(out + ": already holds a run (summary.json)")
        .contains("--force");
    assertThat(Files.readAllBytes(out.resolve("summary.json"))).isEqualTo(summary);
    ShadowCliTests.Run forced =
        shadow("replay", "--recording", rec, "--candidate", candidate(), "--out", out, "--force");
    assertThat(forced.code()).as(forced.err()).isEqualTo(1);
    assertThat(Files.readAllBytes(out.resolve("summary.json")))
        .isNotEqualTo(summary); // a new run, new times
    // an empty or new directory is fine
    Files.createDirectories(dir.resolve("empty"));
    assertThat(
            shadow(
                    "replay",
                    "--recording",
                    rec,
                    "--candidate",
                    candidate(),
                    "--out",
                    dir.resolve("empty"))
                .code())
        .isEqualTo(1);
  }

  @Test
  void mergeNeverOverwritesARunEither() {
    Path rec = recording("r.jsonl", "");
    shard(rec, "1/2", "s1");
    shard(rec, "2/2", "s2");
    assertThat(
            shadow("merge", "--out", dir.resolve("all"), dir.resolve("s1"), dir.resolve("s2"))
                .code())
        .isEqualTo(1);
    ShadowCliTests.Run again =
        shadow("merge", "--out", dir.resolve("all"), dir.resolve("s1"), dir.resolve("s2"));
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("already holds a run");
    assertThat(
            shadow(
                    "merge",
                    "--out",
                    dir.resolve("all"),
                    dir.resolve("s1"),
                    dir.resolve("s2"),
                    "--force")
                .code())
        .isEqualTo(1);
  }

  ShadowCliTests.Run shard(Path rec, String shard, String out) {
    return shadow(
        "replay",
        "--recording",
        rec,
        "--candidate",
        candidate(),
        "--out",
        dir.resolve(out),
        "--shard",
        shard);
  }

  /**
   * A merge counts every exchange once and all of them, or says it does not: shards missing make
   * it incomplete (exit 1, never a gate pass, and kept out of the history's days), shards that
   * overlap are refused; an incomplete merge merges again with the shards it lacks.
   */
  @Test
  void mergeCountsEveryExchangeOnceAndAllOfThemOrSaysItDoesNot() throws IOException {
    Path rec = recording("r.jsonl", "");
    for (int i = 1; i <= 3; i++) {
      shard(rec, i + "/3", "s" + i);
    }
    shard(rec, "1/2", "h1");
    shadow("replay", "--recording", rec, "--candidate", candidate(), "--out", dir.resolve("whole"));
    ShadowCliTests.Run all =
        shadow(
            "merge",
            "--out",
            dir.resolve("all"),
            dir.resolve("s1"),
            dir.resolve("s2"),
            dir.resolve("s3"),
            "--max-discrepancy",
            "100%");
    assertThat(all.code()).as(all.err()).isZero();
    JsonNode whole = new ObjectMapper().readTree(dir.resolve("whole/summary.json").toFile());
    JsonNode merged = new ObjectMapper().readTree(dir.resolve("all/summary.json").toFile());
    assertThat(merged.get("exchanges")).isEqualTo(whole.get("exchanges"));
    assertThat(merged.has("shard")).isFalse();

    // a shard missing: incomplete, the shards it holds named, out of the history
    ShadowCliTests.Run part =
        shadow(
            "merge",
            "--out",
            dir.resolve("part"),
            dir.resolve("s1"),
            dir.resolve("s3"),
            "--max-discrepancy",
            "100%",
            "--history",
            dir.resolve("history"));
    assertThat(part.code()).as(part.err()).isEqualTo(1);
    assertThat(part.err())
        .contains(
            "warning: the merged run is incomplete: shard 2/3 of r.jsonl is missing (merge this"
                + " run again with it when done)");
    JsonNode partial = new ObjectMapper().readTree(dir.resolve("part/summary.json").toFile());
    assertThat(partial.get("shard").asText()).isEqualTo("1,3/3");
    assertThat(part.out()).contains("INCOMPLETE");
    assertThat(partial.get("incomplete").asBoolean()).isTrue();
    assertThat(partial.get("aborted").asText())
        .isEqualTo("shards missing: 2/3 of r.jsonl (merge this run again with them)");
    ShadowCliTests.Run gated =
        shadow("gate", "--summary", dir.resolve("part/summary.json"), "--max-discrepancy", "100%");
    assertThat(gated.code()).isEqualTo(1);
    assertThat(gated.out()).contains("the summary is of shard 1,3/3, part of a run");
    ShadowCliTests.Run gate =
        shadow(
            "gate",
            "--history",
            dir.resolve("history"),
            "--days",
            "1",
            "--max-discrepancy",
            "100%");
    assertThat(gate.code()).as(gate.out()).isEqualTo(1);
    // ...and merged again with the one it lacks, it is the whole run
    ShadowCliTests.Run completed =
        shadow(
            "merge",
            "--out",
            dir.resolve("completed"),
            dir.resolve("part"),
            dir.resolve("s2"),
            "--max-discrepancy",
            "100%");
    assertThat(completed.code()).as(completed.err()).isZero();
    JsonNode c = new ObjectMapper().readTree(dir.resolve("completed/summary.json").toFile());
    assertThat(c.get("exchanges")).isEqualTo(whole.get("exchanges"));
    assertThat(c.get("discrepant")).isEqualTo(whole.get("discrepant"));

    // overlaps: refused, naming both
    assertThat(
            shadow("merge", "--out", dir.resolve("x1"), dir.resolve("s1"), dir.resolve("h1")).err())
        .contains("shards of different counts overlap");
    assertThat(
            shadow("merge", "--out", dir.resolve("x2"), dir.resolve("whole"), dir.resolve("s1"))
                .err())
        .contains("one of them whole (not a --shard): its exchanges would count twice");
    assertThat(
            shadow(
                    "merge",
                    "--out",
                    dir.resolve("x3"),
                    dir.resolve("all"),
                    dir.resolve("s2"),
                    "--max-discrepancy",
                    "1%")
                .err())
        .contains("its exchanges would count twice");
    assertThat(
            shadow(
                    "merge",
                    "--out",
                    dir.resolve("x4"),
                    dir.resolve("part"),
                    dir.resolve("s3"),
                    "--max-discrepancy",
                    "1%")
                .err())
        .contains("holds shard 3/3 of the same recording as another directory");
    Path copy = dir.resolve("whole2");
    shadow("replay", "--recording", rec, "--candidate", candidate(), "--out", copy);
    assertThat(shadow("merge", "--out", dir.resolve("x5"), dir.resolve("whole"), copy).err())
        .contains("both replayed r.jsonl, whole: its exchanges would count twice");
  }

  /** The merged run is judged by the thresholds its shards were: its verdict is the whole run's. */
  @Test
  void mergeJudgesByTheShardsThresholds() throws IOException {
    Path rec = recording("r.jsonl", "");
    for (int i = 1; i <= 2; i++) {
      shadow(
          "replay",
          "--recording",
          rec,
          "--candidate",
          candidate(),
          "--out",
          dir.resolve("s" + i),
          "--shard",
          i + "/2",
          "--max-discrepancy",
          "90%",
          "--max-error-rate",
          "5%");
    }
    ShadowCliTests.Run m =
        shadow("merge", "--out", dir.resolve("m"), dir.resolve("s1"), dir.resolve("s2"));
    assertThat(m.code()).as(m.out() + m.err()).isZero();
    JsonNode gate = new ObjectMapper().readTree(dir.resolve("m/summary.json").toFile()).get("gate");
    assertThat(gate.get("maxDiscrepancyRate").asDouble()).isEqualTo(0.9);
    assertThat(gate.get("maxErrorRate").asDouble()).isEqualTo(0.05);
    // given here, they win
    assertThat(
            shadow(
                    "merge",
                    "--out",
                    dir.resolve("m2"),
                    dir.resolve("s1"),
                    dir.resolve("s2"),
                    "--max-discrepancy",
                    "1%")
                .code())
        .isEqualTo(1);
    // shards judged by other thresholds: say which
    shadow(
        "replay",
        "--recording",
        rec,
        "--candidate",
        candidate(),
        "--out",
        dir.resolve("o2"),
        "--shard",
        "2/2");
    ShadowCliTests.Run mixed =
        shadow("merge", "--out", dir.resolve("m3"), dir.resolve("s1"), dir.resolve("o2"));
    assertThat(mixed.code()).isEqualTo(2);
    assertThat(mixed.err())
        .contains(
            "was judged by other gate thresholds than "
                + dir.resolve("s1")
                + " (max discrepancy 0.50%, not max discrepancy 90.00%, max error rate 5.00%)");
  }

  /** A worker of a Kafka run: it replayed {@code offsets} of {@code partition} and confirmed them. */
  Path worker(String name, int partition, int from, int until) {
    List<Exchange> ex = new ArrayList<>();
    for (int o = from; o < until; o++) {
      ex.add(exchange(SourcePositions.id(partition, o), "/a"));
    }
    Path rec = dir.resolve(name + ".jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(rec, RecordingHeader.now("test", Redaction.none()))) {
      ex.forEach(w::write);
    }
    Path out = dir.resolve(name);
    shadow("replay", "--recording", rec, "--candidate", candidate(), "--out", out);
    List<SourcePositions.Range> done = List.of(new SourcePositions.Range(from, until));
    new SourcePositions(
            "orders", "nightly", 2, List.of(new SourcePositions.Partition(partition, 0, 10, done)))
        .write(out);
    return out;
  }

  @Test
  void mergeOfKafkaWorkersExitsOneWhileOffsetsNoWorkerFinishedRemain() {
    Path w1 = worker("w1", 0, 0, 10);
    Path w2 = worker("w2", 1, 0, 5);
    ShadowCliTests.Run part = shadow("merge", "--out", dir.resolve("part"), w1, w2);
    assertThat(part.code()).as(part.err()).isEqualTo(1);
    assertThat(part.err())
        .contains(
            "warning: the merged run is incomplete: offsets no worker finished: partition 1:"
                + " offsets 5-9");
    assertThat(part.out()).contains("INCOMPLETE");

    Path w3 = worker("w3", 1, 5, 10);
    ShadowCliTests.Run all = shadow("merge", "--out", dir.resolve("all"), dir.resolve("part"), w3);
    assertThat(all.code()).as(all.err()).isZero();
    assertThat(all.err()).isEmpty();
    assertThat(dir.resolve("all/positions.json")).exists();
    // a run replaced by a merge of recording runs keeps no positions of the run it replaced
    Path plain = dir.resolve("plain");
    shadow(
        "replay",
        "--recording",
        recording("r.jsonl", ""),
        "--candidate",
        candidate(),
        "--out",
        plain);
    shadow("merge", "--out", dir.resolve("all"), plain, "--force");
    assertThat(dir.resolve("all/positions.json")).doesNotExist();
  }

  @Test
  void mergeNeverDestroysItsInputHoweverTheOutputIsSpelled() throws IOException {
    Path rec = recording("r.jsonl", "");
    Path fresh = dir.resolve("fresh");
    shadow("replay", "--recording", rec, "--candidate", candidate(), "--out", fresh);
    byte[] results = Files.readAllBytes(fresh.resolve("results.jsonl.gz"));
    byte[] samples = Files.readAllBytes(fresh.resolve("samples.jsonl.gz"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), fresh);
    for (Path out : List.of(fresh, dir.resolve("sub/../fresh"), link)) {
      for (String force : List.of("", "--force")) {
        ShadowCliTests.Run r =
            force.isEmpty()
                ? shadow("merge", "--out", out, fresh)
                : shadow("merge", "--out", out, fresh, force);
        assertThat(r.code()).as(out + " " + force).isEqualTo(2);
        assertThat(r.err()).contains("cannot also be an input");
      }
    }
    assertThat(Files.readAllBytes(fresh.resolve("results.jsonl.gz"))).isEqualTo(results);
    assertThat(Files.readAllBytes(fresh.resolve("samples.jsonl.gz"))).isEqualTo(samples);
    // an input given twice through a symlink counts twice: refused
    assertThat(shadow("merge", "--out", dir.resolve("all"), fresh, link).err())
        .contains("is given twice");
    // a merge that fails half-way leaves no output directory behind
    Path broken = dir.resolve("broken");
    shadow(
        "replay",
        "--recording",
        recording("r2.jsonl", "2-"),
        "--candidate",
        candidate(),
        "--out",
        broken);
    Files.write(broken.resolve("results.jsonl.gz"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
    ShadowCliTests.Run failed = shadow("merge", "--out", dir.resolve("half"), fresh, broken);
    assertThat(failed.code()).as(failed.err()).isEqualTo(2);
    assertThat(dir.resolve("half")).doesNotExist();
    try (var left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith(".shadow-merging-"));
    }
  }

  @Test
  void recordedControlCharactersNeverReachTheTerminalRaw() throws IOException {
    Path rec = dir.resolve("esc.jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(rec, RecordingHeader.now("test", Redaction.none()))) {
      w.write(exchange("e1", "/c\u001b[2J\u001b]0;pwned\u0007\u202e"));
    }
    ShadowCliTests.Run inspect = shadow("inspect", rec);
    assertThat(inspect.code()).isZero();
    ShadowCliTests.Run replay =
        shadow(
            "replay", "--recording", rec, "--candidate", candidate(), "--out", dir.resolve("run"));
    for (String text : List.of(inspect.out(), inspect.err(), replay.out(), replay.err())) {
      assertThat(
              text.chars()
                  .filter(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x202e)
                  .count())
          .as(text)
          .isZero();
    }
    assertThat(inspect.out()).contains("/c\\u001b[2J\\u001b]0;pwned\\u0007\\u202e");
  }

  @Test
  void aRunThatMetUnreadableLinesIsIncompleteUnlessAccepted() throws IOException {
    Path rec = recording("r.jsonl", "");
    List<String> lines = new ArrayList<>(Files.readAllLines(rec));
    lines.add(5, "{\"id\": \"broken\", \"request\": "); // a line no reader can take, in the middle
    Files.write(rec, lines);
    ShadowCliTests.Run strict =
        shadow(
            "replay",
            "--recording",
            rec,
            "--candidate",
            candidate(),
            "--out",
            dir.resolve("a"),
            "--max-discrepancy",
            "100%");
    assertThat(strict.code()).isEqualTo(1);
    assertThat(strict.err()).contains(rec + ":6: ").contains("skipped this line");
    assertThat(strict.out()).contains("1 unreadable recording line(s) skipped");
    JsonNode s = new ObjectMapper().readTree(dir.resolve("a/summary.json").toFile());
    assertThat(s.get("unreadable").asLong()).isEqualTo(1);
    assertThat(s.get("incomplete").asBoolean()).isTrue();
    assertThat(s.get("exchanges").asLong())
        .isEqualTo(21); // everything after the bad line was replayed
    ShadowCliTests.Run accepted =
        shadow(
            "replay",
            "--recording",
            rec,
            "--candidate",
            candidate(),
            "--out",
            dir.resolve("b"),
            "--max-discrepancy",
            "100%",
            "--skip-bad-lines");
    assertThat(accepted.code()).as(accepted.out() + accepted.err()).isZero();
    ShadowCliTests.Run diff = shadow("diff", rec, recording("clean.jsonl", ""));
    assertThat(diff.code()).isEqualTo(2);
    assertThat(diff.err()).contains("1 recording line(s) could not be read");
  }

  @Test
  void aNewHistoryDirectoryIsCreatedWithoutAWarning() {
    Path history = dir.resolve("nightly/history");
    ShadowCliTests.Run r =
        shadow(
            "replay",
            "--recording",
            recording("r.jsonl", ""),
            "--candidate",
            candidate(),
            "--out",
            dir.resolve("run"),
            "--history",
            history,
            "--max-discrepancy",
            "100%");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).doesNotContain("warning");
    assertThat(r.out())
        .contains("history: stored as " + history)
        .contains("(new history directory)");
    assertThat(history.toFile().list()).hasSize(1);
  }

  @Test
  void aHistoryThatCannotBeUsedIsBadInputBeforeAnythingIsSent() throws IOException {
    Path notADirectory = Files.writeString(dir.resolve("history.txt"), "x");
    ShadowCliTests.Run r =
        shadow(
            "replay",
            "--recording",
            recording("r.jsonl", ""),
            "--candidate",
            candidate(),
            "--out",
            dir.resolve("run"),
            "--history",
            notADirectory);
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(notADirectory + ": the --history given is not a directory");
    assertThat(r.out()).doesNotContain("GATE");
    assertThat(dir.resolve("run").resolve("summary.json")).doesNotExist();
  }

  @Test
  void theTableIsWorstFirstAndSaysWhoseLatenciesItShows() {
    ShadowCliTests.Run r =
        shadow(
            "replay",
            "--recording",
            recording("r.jsonl", ""),
            "--candidate",
            candidate(),
            "--out",
            dir.resolve("run"));
    List<String> lines = r.out().lines().toList();
    int header =
        lines.indexOf(
            lines.stream().filter(l -> l.startsWith("endpoint")).findFirst().orElseThrow());
    assertThat(lines.get(header)).contains("cand p50 ms").contains("cand p99 ms");
    assertThat(lines.subList(header + 1, header + 4))
        .extracting(l -> l.split("\\s+")[1])
        .containsExactly("/c", "/b/{id}", "/a"); // 100%, 50%, 0%
    assertThat(r.out()).contains("worst first; p50/p99: the candidate's latencies");
  }

  @Test
  void theCsvCanBeGrouped() throws IOException {
    Path out = dir.resolve("run");
    shadow(
        "replay",
        "--recording",
        recording("r.jsonl", ""),
        "--candidate",
        candidate(),
        "--out",
        out,
        "--csv",
        "grouped");
    List<String> rows = Files.readAllLines(out.resolve("discrepancies.csv"));
    assertThat(rows.get(0)).contains("\"count\"").contains("\"first_path\"");
    assertThat(rows).hasSize(1 + 6); // 5 of /b/{n} and /c, one field each
    ShadowCliTests.Run exact =
        shadow("report", "--results", out, "--out", dir.resolve("exact"), "--csv", "exact");
    assertThat(exact.code()).isZero();
    assertThat(Files.readAllLines(dir.resolve("exact/discrepancies.csv")).get(0))
        .doesNotContain("first_path");
    ShadowCliTests.Run bad = shadow("report", "--results", out, "--csv", "pivot");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("expected exact or grouped, got \"pivot\"");
  }

  @Test
  void reportReJudgesTheRunWithRulesThatJudgeDifferently() throws IOException {
    Path out = dir.resolve("run");
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(
        rules, "version: 1\nendpoints:\n  - match: \"GET /c\"\n    maxDiscrepancyRate: 100%\n");
    shadow(
        "replay",
        "--recording",
        recording("r.jsonl", ""),
        "--candidate",
        candidate(),
        "--out",
        out,
        "--rules",
        rules);
    Path thresholds = dir.resolve("thresholds.yaml");
    Files.writeString(
        thresholds,
        "version: 1\n# only a threshold changed\nendpoints:\n  - {match: \"GET /c\", maxDiscrepancyRate: 50%}\n");
    assertThat(shadow("report", "--results", out, "--rules", thresholds).code()).isZero();
    Path other = dir.resolve("other.yaml");
    Files.writeString(
        other, "version: 1\nendpoints:\n  - match: \"GET /c\"\n    ignore: [\"$.v\"]\n");
    ShadowCliTests.Run rejudged = shadow("report", "--results", out, "--rules", other);
    assertThat(rejudged.code()).as(rejudged.err()).isZero();
    assertThat(rejudged.out()).contains("re-judged").contains("now hold the new judgement");
    assertThat(Files.readString(out.resolve("rules.yaml"))).contains("$.v");
    // a run that kept no responses cannot be re-judged: refused, with the reason
    Path bare = dir.resolve("bare");
    shadow(
        "replay",
        "--recording",
        recording("r2.jsonl", ""),
        "--candidate",
        candidate(),
        "--out",
        bare,
        "--rejudge-budget",
        "0");
    ShadowCliTests.Run refused = shadow("report", "--results", bare, "--rules", other);
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("keeps no responses");
  }

  @Test
  void inspectCountsTheSamplesOfARunAndRefusesWhatIsNotARecording() {
    Path out = dir.resolve("run");
    shadow(
        "replay",
        "--recording",
        recording("r.jsonl", ""),
        "--candidate",
        candidate(),
        "--out",
        out);
    ShadowCliTests.Run samples = shadow("inspect", out.resolve("samples.jsonl.gz"));
    assertThat(samples.code()).as(samples.err()).isZero();
    assertThat(samples.out())
        .contains("the samples of a run (not a recording of traffic): 4 sample exchange(s)")
        .contains("1  GET /c")
        .contains("3  GET /b/{id}");
    ShadowCliTests.Run results = shadow("inspect", out.resolve("results.jsonl.gz"));
    assertThat(results.code()).isEqualTo(2);
    assertThat(results.err()).startsWith("error: " + out.resolve("results.jsonl.gz"));
  }

  @Test
  void diffPairsTwoRecordersRecordingsByRequestOrOrder() {
    Path a = recording("a.jsonl", "rec1-");
    Path b = recording("b.jsonl", "rec2-");
    ShadowCliTests.Run byId = shadow("diff", a, b);
    assertThat(byId.code()).isEqualTo(1);
    assertThat(byId.out())
        .contains("0 compared")
        .contains("nothing paired: no exchange id appears in both recordings")
        .contains("--match-by request");
    ShadowCliTests.Run byRequest = shadow("diff", a, b, "--match-by", "request");
    assertThat(byRequest.code()).as(byRequest.out()).isZero();
    assertThat(byRequest.out()).contains("21 compared, 0 different, 0 only in");
    ShadowCliTests.Run byOrder = shadow("diff", a, b, "--match-by", "order");
    assertThat(byOrder.code()).isZero();
    assertThat(byOrder.out()).contains("21 compared, 0 different");
    assertThat(shadow("diff", a, b, "--match-by", "color").code()).isEqualTo(2);
  }

  @Test
  void everyHelpRendersWithoutFormatWarningsAndEveryCommandSummaryIsASentence() {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    List<String> outs = new ArrayList<>();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (String c :
          List.of(
              "",
              "record",
              "import",
              "export",
              "inspect",
              "diff",
              "replay",
              "merge",
              "report",
              "gate",
              "reconcile",
              "demo")) {
        ShadowCliTests.Run r = c.isEmpty() ? shadow("--help") : shadow(c, "--help");
        assertThat(r.code()).isZero();
        outs.add(r.out() + r.err());
      }
    } finally {
      System.setErr(saved);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("Could not format");
    assertThat(String.join("\n", outs)).doesNotContain("Could not format").doesNotContain("%n");
    String top = outs.get(0);
    List<String> summaries =
        top.substring(top.indexOf("Commands:"))
            .lines()
            .skip(1)
            .takeWhile(l -> !l.isBlank())
            .filter(l -> l.startsWith("  ") && !l.startsWith("    "))
            .toList();
    assertThat(summaries).hasSize(12);
    for (String s : summaries) {
      String text = s.strip().replaceFirst("^\\S+\\s+", "");
      String whole =
          top.substring(top.indexOf(text))
              .split("\n\\s*\n|\n  \\S")[0]
              .replaceAll("\\s+", " ")
              .strip();
      assertThat(whole).as(s).matches("[A-Z].*\\.");
    }
  }
}
