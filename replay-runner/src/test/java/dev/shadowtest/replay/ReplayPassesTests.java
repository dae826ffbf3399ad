package dev.shadowtest.replay;

import static dev.shadowtest.replay.ReplayerTests.exchange;
import static dev.shadowtest.replay.ReplayerTests.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.SummaryFile;
import dev.shadowtest.diff.run.SummaryJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --loop} and {@code --duration}: the recordings replayed pass after pass, counted exactly. */
@Timeout(60)
class ReplayPassesTests {

  @TempDir Path dir;

  Path recording(List<Exchange> exchanges) {
    return ReplayerTests.recording(dir.resolve("r.jsonl.gz"), exchanges);
  }

  /** Five GETs (one answered differently by the candidate) and a POST that is not sent. */
  List<Exchange> shop() {
    List<Exchange> l = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      l.add(exchange("e" + i, "GET", "/items/" + i, 200, "{\"id\":" + i + "}"));
    }
    l.add(exchange("e6", "POST", "/carts", 200, "{}"));
    return l;
  }

  static TestServer.Reply items(TestServer.Seen s) {
    String id = s.target().substring("/items/".length());
    return TestServer.Reply.json(id.equals("5") ? "{\"id\":55}" : "{\"id\":" + id + "}");
  }

  @Test
  void loopThreeSendsEveryExchangeThreeTimesAndCountsThemExactly() throws Exception {
    try (TestServer candidate = new TestServer(ReplayPassesTests::items)) {
      Path out = dir.resolve("out");
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(recording(shop())), candidate.uri(), out)
                      .withPasses(Passes.loop(3)))
              .run(ShadowListener.NONE);
      Map<String, Long> perTarget =
          candidate.seen.stream()
              .collect(Collectors.groupingBy(TestServer.Seen::target, Collectors.counting()));
      assertThat(perTarget)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "/items/1", 3L, "/items/2", 3L, "/items/3", 3L, "/items/4", 3L, "/items/5", 3L));
      assertThat(r.incomplete()).isFalse();
      assertThat(r.result().exchanges()).isEqualTo(18);
      assertThat(r.result().skipped()).isEqualTo(3); // the POST, in every pass
      assertThat(r.result().compared()).isEqualTo(15);
      assertThat(r.result().matched()).isEqualTo(12);
      assertThat(r.result().discrepant()).isEqualTo(3);
      List<ResultLine> lines = lines(out);
      assertThat(lines).hasSize(18);
      assertThat(lines)
          .extracting(ResultLine::id)
          .doesNotHaveDuplicates()
          .contains("e1#1", "e1#2", "e1#3", "e6#3");
      assertThat(lines)
          .filteredOn(l -> l.verdict() == Verdict.DIFFERENT)
          .extracting(ResultLine::id)
          .containsExactlyInAnyOrder("e5#1", "e5#2", "e5#3");
    }
  }

  @Test
  void oneLoopKeepsTheRecordedIds() throws Exception {
    try (TestServer candidate = new TestServer(ReplayPassesTests::items)) {
      Path out = dir.resolve("out");
      new Replayer(
              ReplayConfig.of(List.of(recording(shop())), candidate.uri(), out)
                  .withPasses(Passes.loop(1)))
          .run(ShadowListener.NONE);
      assertThat(lines(out)).extracting(ResultLine::id).contains("e1", "e6");
    }
  }

  @Test
  void shardsOfALoopedRunMergeIntoTheLoopedRun() throws Exception {
    try (TestServer candidate = new TestServer(ReplayPassesTests::items)) {
      Path rec = recording(shop());
      Function<Shard, ReplayConfig> shard =
          s ->
              ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("s" + s.index()))
                  .withShard(s)
                  .withPasses(Passes.loop(2));
      new Replayer(shard.apply(new Shard(1, 2))).run(ShadowListener.NONE);
      new Replayer(shard.apply(new Shard(2, 2))).run(ShadowListener.NONE);
      ReplayResult merged =
          Summaries.merge(
              dir.resolve("merged"),
              List.of(dir.resolve("s1"), dir.resolve("s2")),
              null,
              Gate.defaults());
      assertThat(merged.result().exchanges()).isEqualTo(12);
      assertThat(SummaryFile.read(dir.resolve("merged").resolve("summary.json")).meta().passes())
          .isEqualTo(new SummaryJson.PassSettings(2, null));
      assertThat(merged.result().discrepant()).isEqualTo(2);
      assertThat(lines(dir.resolve("merged")))
          .extracting(ResultLine::id)
          .hasSize(12)
          .doesNotHaveDuplicates();
    }
  }

  @Test
  void theSummaryRecordsThePassesAndMergeRefusesRunsOfOtherPasses() throws Exception {
    try (TestServer candidate = new TestServer(ReplayPassesTests::items)) {
      Path rec = recording(shop());
      new Replayer(
              ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("s1"))
                  .withShard(new Shard(1, 2))
                  .withPasses(Passes.loop(3)))
          .run(ShadowListener.NONE);
      new Replayer(
              ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("s2"))
                  .withShard(new Shard(2, 2)))
          .run(ShadowListener.NONE);
      assertThat(SummaryFile.read(dir.resolve("s1").resolve("summary.json")).meta().passes())
          .isEqualTo(new SummaryJson.PassSettings(3, null));
      assertThat(Files.readString(dir.resolve("s1").resolve("summary.json")))
          .contains("\"passes\" : {\n    \"loop\" : 3\n  }");
      // one pass, as every summary written before the field: none
      assertThat(SummaryFile.read(dir.resolve("s2").resolve("summary.json")).meta().passes())
          .isNull();
      assertThat(Files.readString(dir.resolve("s2").resolve("summary.json")))
          .doesNotContain("passes");
      assertThatThrownBy(
              () ->
                  Summaries.merge(
                      dir.resolve("merged"),
                      List.of(dir.resolve("s1"), dir.resolve("s2")),
                      null,
                      Gate.defaults()))
          .isInstanceOf(BadInputException.class)
          .hasMessage(
              dir.resolve("s2")
                  + " was replayed in one pass, "
                  + dir.resolve("s1")
                  + " with --loop 3: merged, their passes would not add up to one run; merge runs"
                  + " replayed with the same --loop or --duration");
      assertThat(dir.resolve("merged")).doesNotExist();
      Path bad = Files.createDirectories(dir.resolve("bad")).resolve("summary.json");
      Files.writeString(
          bad,
          Files.readString(dir.resolve("s1").resolve("summary.json"))
              .replace("\"loop\" : 3", "\"loop\" : 0"));
      assertThatThrownBy(() -> SummaryFile.read(bad))
          .hasMessageContaining(
              "field \"passes\": expected {\"loop\": N} (N at least 1) or {\"duration\":"
                  + " \"PT…\"}, got {\"loop\":0}");
    }
  }

  @Test
  void durationReplaysPassAfterPassUntilTheTimeIsUpAndTheRunIsComplete() throws Exception {
    try (TestServer candidate = new TestServer(ReplayPassesTests::items)) {
      Path out = dir.resolve("out");
      long t0 = System.nanoTime();
      Replayer replayer =
          new Replayer(
              ReplayConfig.of(List.of(recording(shop().subList(0, 2))), candidate.uri(), out)
                  .withPacing(new Pacing.Rate(20))
                  .withPasses(Passes.forDuration(Duration.ofSeconds(2))));
      ReplayResult r = replayer.run(ShadowListener.NONE);
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(seconds).isBetween(1.9, 10.0);
      assertThat(replayer.endsAt()).isNotNull();
      assertThat(r.incomplete()).as("the time being up is the plan, not an interruption").isFalse();
      // 20/s for 2 s: about 40 exchanges, 2 per pass; each one sent is counted, none other
      assertThat(r.result().exchanges()).isBetween(30L, 42L);
      assertThat(r.result().exchanges()).isEqualTo(candidate.seen.size());
      assertThat(lines(out))
          .extracting(ResultLine::id)
          .doesNotHaveDuplicates()
          .contains("e1#1", "e2#1", "e1#10", "e2#10");
    }
  }

  @Test
  void durationStopsAfterAPassWithNothingToSend() throws Exception {
    try (TestServer candidate = new TestServer(ReplayPassesTests::items)) {
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(
                          List.of(recording(shop().subList(5, 6))),
                          candidate.uri(),
                          dir.resolve("out"))
                      .withPasses(Passes.forDuration(Duration.ofMinutes(10))))
              .run(ShadowListener.NONE);
      assertThat(r.result().exchanges()).isEqualTo(1);
      assertThat(r.warnings())
          .anySatisfy(w -> assertThat(w).startsWith("--duration: pass 1 had no exchange to send"));
    }
  }

  @Test
  void theRecordingsTimingRepeatsInEveryPassAtItsSpeed() throws Exception {
    try (TestServer candidate = new TestServer(ReplayPassesTests::items)) {
      long t0 = System.nanoTime();
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(
                          List.of(recording(timed(2, 300))), candidate.uri(), dir.resolve("out"))
                      .withPacing(new Pacing.Speed(1))
                      .withPasses(Passes.loop(3)))
              .run(ShadowListener.NONE);
      double seconds = (System.nanoTime() - t0) / 1e9;
      // 0 and 0.3 s; each pass lasts its span and one mean gap (0.3 s): 0.6 and 0.9, 1.2 and 1.5
      assertThat(seconds).isBetween(1.45, 5.0);
      assertThat(r.result().compared()).isEqualTo(6);
      assertThat(r.late()).isZero();
    }
  }

  /** {@code n} GETs of /items/1.., {@code millis} apart in the recording. */
  static List<Exchange> timed(int n, long millis) {
    Instant t = Instant.parse("2026-11-24T10:00:00Z");
    List<Exchange> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(
          new Exchange(
              "t" + i,
              t.plusMillis(millis * i),
              1000L,
              HttpRequest.of("GET", "/items/" + (i + 1)),
              new HttpResponse(
                  200,
                  "OK",
                  Headers.of("Content-Type", "application/json"),
                  Body.text("{\"id\":" + (i + 1) + "}")),
              null,
              Map.of()));
    }
    return l;
  }

  @Test
  void aRecordingOfOneExchangeIsRepeatedOnceASecondAtItsSpeed() throws Exception {
    try (TestServer candidate = new TestServer(ReplayPassesTests::items)) {
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(
                          List.of(recording(timed(1, 0))), candidate.uri(), dir.resolve("out"))
                      .withPacing(new Pacing.Speed(1))
                      .withPasses(Passes.forDuration(Duration.ofSeconds(2))))
              .run(ShadowListener.NONE);
      // a span of 0: one second between passes, at 0 and 1 s (and 2 s, if it makes it in time)
      assertThat(candidate.seen.size()).isBetween(2, 3);
      assertThat(r.result().exchanges()).isEqualTo(candidate.seen.size());
      assertThat(r.late()).isZero();
    }
  }

  @Test
  void aSlowCandidateGetsNoExchangeAfterTheDurationWhileTheRunWaitedForAFreeSlot()
      throws Exception {
    try (TestServer candidate =
        new TestServer(s -> new TestServer.Reply(200, "application/json", "{\"id\":1}", 2500))) {
      long t0 = System.nanoTime();
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(
                          List.of(recording(shop().subList(0, 3))),
                          candidate.uri(),
                          dir.resolve("out"))
                      .withConcurrency(1)
                      .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10))
                      .withPasses(Passes.forDuration(Duration.ofSeconds(1))))
              .run(ShadowListener.NONE);
      double seconds = (System.nanoTime() - t0) / 1e9;
      // the first exchange holds the only slot past the end of the second: nothing more is sent
      assertThat(candidate.seen).hasSize(1);
      assertThat(r.result().exchanges()).isEqualTo(1);
      assertThat(r.incomplete()).isFalse();
      assertThat(seconds).isLessThan(4.9);
    }
  }

  @Test
  void nonsenseIsRefused() {
    assertThatThrownBy(() -> Passes.loop(0))
        .isInstanceOf(BadInputException.class)
        .hasMessage("--loop must be between 1 and 1000000 passes, got 0");
    assertThatThrownBy(() -> new Passes(3, Duration.ofMinutes(10)))
        .hasMessageStartingWith("--loop and --duration contradict each other");
    assertThatThrownBy(() -> Passes.forDuration(Duration.ZERO))
        .hasMessage("--duration must be between 1s and 30 days, got 0");
    assertThatThrownBy(() -> Passes.forDuration(Duration.ofDays(31)))
        .hasMessage("--duration must be between 1s and 30 days, got 744h");
    assertThat(Passes.once().repeating()).isFalse();
    assertThat(Passes.loop(2).id("e1", 2)).isEqualTo("e1#2");
    assertThat(Passes.once().id("e1", 1)).isEqualTo("e1");
  }
}
