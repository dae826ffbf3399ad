package dev.shadowtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Statistics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real instances on loopback (primary, secondary, candidate), each building absolute URLs
 * from the Host it is sent, as real servers do. The regression: a candidate that dropped a
 * URL-bearing header passed the gate at 0.00%, every exchange "noise only", because the two
 * legacy instances' header values differed by their port and any header noise excused any
 * header difference.
 */
@Timeout(60)
class NoiseLearningTests {

  @TempDir Path dir;

  Path recording(List<Exchange> exchanges) {
    Path p = dir.resolve("rec.jsonl.gz");
    try (RecordingWriter w =
        RecordingWriter.create(p, RecordingHeader.now("test", Redaction.none()))) {
      exchanges.forEach(w::write);
    }
    return p;
  }

  static List<Exchange> pages(int n) {
    List<Exchange> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(
          ReplayerTests.exchange("p" + i, "GET", "/posts?_page=" + i, 200, "[{\"id\":" + i + "}]"));
    }
    return out;
  }

  /** json-server 0.17: a page, with a Link header built from the request's Host. */
  static TestServer.Reply page(TestServer.Seen s, boolean withLink) {
    int page = Integer.parseInt(s.target().replaceAll(".*_page=", ""));
    return TestServer.Reply.json(
        200,
        "[{\"id\":" + page + "}]",
        withLink
            ? Map.of(
                "Link",
                "<http://"
                    + s.host()
                    + "/posts?_page=1>; rel=\"first\", <http://"
                    + s.host()
                    + "/posts?_page="
                    + (page + 1)
                    + ">; rel=\"next\"")
            : Map.of());
  }

  ReplayResult replay(
      Path rec,
      TestServer primary,
      TestServer secondary,
      TestServer candidate,
      String rules,
      String out,
      boolean unsafe) {
    return new Replayer(
            ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve(out))
                .withPrimary(primary.uri(), secondary.uri())
                .withRules(Rules.parse(rules, "rules.yaml"))
                .withAllowUnsafe(unsafe))
        .run(ShadowListener.NONE);
  }

  static Statistics.FieldResult field(ReplayResult r, String path) {
    return r.result().endpoints().get(0).fields().stream()
        .filter(f -> f.field().equals(path))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aDroppedLinkHeaderFailsTheGateThoughEachLegacyInstanceLinksToItself() throws IOException {
    Function<TestServer.Seen, TestServer.Reply> legacy = s -> page(s, true);
    try (TestServer primary = new TestServer(legacy);
        TestServer secondary = new TestServer(legacy);
        TestServer candidate = new TestServer(s -> page(s, false))) {
      Path rec = recording(pages(60));
      for (String rules :
          List.of("version: 1\n", "version: 1\ndefaults:\n  normalizeOrigins: false\n")) {
        ReplayResult r =
            replay(rec, primary, secondary, candidate, rules, "out-" + rules.length(), false);
        assertThat(r.passed()).as(rules).isFalse();
        assertThat(r.result().discrepant()).as(rules).isEqualTo(60);
        assertThat(r.result().noise()).as(rules).isZero();
        Statistics.FieldResult link = field(r, "header:link");
        assertThat(link.type()).isEqualTo(DifferenceType.MISSING);
        assertThat(link.real()).isTrue();
      }
      // with origins normalised, the two legacy instances agree on Link: nothing is noise
      ReplayResult r =
          replay(rec, primary, secondary, candidate, "version: 1\n", "out-again", false);
      assertThat(r.result().endpoints().get(0).fields())
          .extracting(Statistics.FieldResult::noise)
          .containsOnly(0L);
    }
  }

  @Test
  void aCandidateThatLinksToItselfMatches() throws IOException {
    Function<TestServer.Seen, TestServer.Reply> server = s -> page(s, true);
    try (TestServer primary = new TestServer(server);
        TestServer secondary = new TestServer(server);
        TestServer candidate = new TestServer(server)) {
      ReplayResult r =
          replay(recording(pages(40)), primary, secondary, candidate, "version: 1\n", "out", false);
      assertThat(r.passed()).isTrue();
      assertThat(r.result().matched()).isEqualTo(40);
      assertThat(r.result().noise()).isZero();
    }
  }

  @Test
  void aDroppedLocationOnCreatedFailsTheGate() throws IOException {
    AtomicInteger ids = new AtomicInteger(100);
    Function<TestServer.Seen, TestServer.Reply> legacy =
        s ->
            TestServer.Reply.json(
                201,
                "{\"ok\":true}",
                Map.of("Location", "http://" + s.host() + "/posts/" + ids.incrementAndGet() % 7));
    try (TestServer primary = new TestServer(legacy);
        TestServer secondary = new TestServer(legacy);
        TestServer candidate =
            new TestServer(s -> TestServer.Reply.json(201, "{\"ok\":true}", Map.of()))) {
      List<Exchange> posts = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        posts.add(ReplayerTests.exchange("c" + i, "POST", "/posts", 201, "{\"ok\":true}"));
      }
      ReplayResult r =
          replay(recording(posts), primary, secondary, candidate, "version: 1\n", "out", true);
      assertThat(r.passed()).isFalse();
      assertThat(r.result().discrepant()).isEqualTo(40);
      Statistics.FieldResult location = field(r, "header:location");
      assertThat(location.type()).isEqualTo(DifferenceType.MISSING);
      assertThat(location.real()).isTrue();
    }
  }

  @Test
  void aStatusFlakeBetweenTheLegacyInstancesDoesNotExcuseACandidate5xx() throws IOException {
    AtomicInteger secondaryCalls = new AtomicInteger();
    try (TestServer primary = new TestServer(s -> TestServer.Reply.json("{\"id\":1}"));
        TestServer secondary =
            new TestServer(
                s ->
                    secondaryCalls.incrementAndGet() % 2 == 0
                        ? new TestServer.Reply(404, "application/json", "{\"id\":1}", 0)
                        : new TestServer.Reply(503, "application/json", "{\"id\":1}", 0));
        TestServer candidate =
            new TestServer(
                s ->
                    s.target().endsWith("0")
                        ? new TestServer.Reply(500, "application/json", "{\"id\":1}", 0)
                        : TestServer.Reply.json("{\"id\":1}"))) {
      List<Exchange> gets = new ArrayList<>();
      for (int i = 1; i <= 60; i++) {
        gets.add(ReplayerTests.exchange("g" + i, "GET", "/items/" + i, 200, "{\"id\":1}"));
      }
      ReplayResult r =
          replay(recording(gets), primary, secondary, candidate, "version: 1\n", "out", false);
      assertThat(r.result().discrepant()).isEqualTo(6); // /items/10, 20, ... 60 answered 500
      assertThat(r.result().serverErrors()).isEqualTo(6);
      assertThat(r.passed()).isFalse();
      Statistics.FieldResult status = field(r, "status 2xx->5xx");
      assertThat(status.real()).isTrue();
      assertThat(status.count()).isEqualTo(6);
    }
  }

  /** A page whose body carries a time that changes with every answer, and a price. */
  static String timed(int page, String price, long t) {
    return "{\"id\":" + page + ",\"price\":" + price + ",\"at\":\"t" + t + "\"}";
  }

  /**
   * The prices changed since the recording: the live legacy (the secondary) answers 10*i+5 where
   * the recording has 10*i, and the candidate agrees with it but for every 5th item (price 0).
   * The price is noise between the recording and the secondary, so the zeros cannot be told from
   * the drift without a live baseline: the run says so, and with --primary they count.
   */
  @Test
  void dataThatChangedSinceTheRecordingIsSaidAndAPrimaryJudgesIt() throws IOException {
    List<Exchange> recorded = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      recorded.add(
          ReplayerTests.exchange(
              "p" + i, "GET", "/items/" + i, 200, "{\"id\":" + i + ",\"price\":" + 10 * i + "}"));
    }
    Path rec = recording(recorded);
    Function<TestServer.Seen, TestServer.Reply> legacy =
        s -> {
          int i = Integer.parseInt(s.target().substring(s.target().lastIndexOf('/') + 1));
          return TestServer.Reply.json("{\"id\":" + i + ",\"price\":" + (10 * i + 5) + "}");
        };
    try (TestServer secondary = new TestServer(legacy);
        TestServer primary = new TestServer(legacy);
        TestServer candidate =
            new TestServer(
                s -> {
                  int i = Integer.parseInt(s.target().substring(s.target().lastIndexOf('/') + 1));
                  return TestServer.Reply.json(
                      "{\"id\":" + i + ",\"price\":" + (i % 5 == 0 ? 0 : 10 * i + 5) + "}");
                })) {
      ReplayResult drifted =
          new Replayer(
                  ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("drift"))
                      .withPrimary(null, secondary.uri()))
              .run(ShadowListener.NONE);
      assertThat(drifted.result().discrepant()).isZero(); // the zeros are excused as noise...
      assertThat(drifted.warnings()) // ...and the run says why it cannot tell
          .anyMatch(
              w ->
                  w.startsWith(
                      "32 exchanges were judged noise where the candidate answered exactly as the"
                          + " secondary"));
      ReplayResult live =
          new Replayer(
                  ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("live"))
                      .withPrimary(primary.uri(), secondary.uri()))
              .run(ShadowListener.NONE);
      assertThat(live.result().discrepant()).isEqualTo(8);
      assertThat(live.warnings()).noneMatch(w -> w.contains("judged noise where"));
    }
    // a per-response header (a request id) is noise, but no drift of the data: no warning
    java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    List<Exchange> same = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      same.add(
          ReplayerTests.exchange("s" + i, "GET", "/items/" + i, 200, "{\"id\":" + i + "}")
              .withResponse(
                  new dev.shadowtest.core.HttpResponse(
                      200,
                      "OK",
                      dev.shadowtest.core.Headers.of(
                          "Content-Type", "application/json", "X-Shop-Nonce", "r0"),
                      dev.shadowtest.core.Body.text("{\"id\":" + i + "}"))));
    }
    Path sameRec = dir.resolve("same.jsonl.gz");
    try (RecordingWriter w =
        RecordingWriter.create(sameRec, RecordingHeader.now("test", Redaction.none()))) {
      same.forEach(w::write);
    }
    Function<TestServer.Seen, TestServer.Reply> withIds =
        s -> {
          int i = Integer.parseInt(s.target().substring(s.target().lastIndexOf('/') + 1));
          return TestServer.Reply.json(
              200, "{\"id\":" + i + "}", Map.of("X-Shop-Nonce", "r" + ids.incrementAndGet()));
        };
    try (TestServer secondary = new TestServer(withIds);
        TestServer candidate = new TestServer(withIds)) {
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(sameRec), candidate.uri(), dir.resolve("ids"))
                      .withPrimary(null, secondary.uri()))
              .run(ShadowListener.NONE);
      assertThat(r.result().noise()).isEqualTo(40); // the header, learned (30 exchanges needed)
      assertThat(r.warnings()).noneMatch(w -> w.contains("judged noise where"));
    }
  }

  @Test
  void withoutAPrimaryTheSecondaryTeachesTheNoiseAgainstTheRecording() throws IOException {
    // the recording and every live answer differ in "at"; the candidate also changed the price of
    // every 10th page: that, not "at", is what must count
    List<Exchange> recorded = new ArrayList<>();
    for (int i = 1; i <= 60; i++) {
      recorded.add(ReplayerTests.exchange("p" + i, "GET", "/items/" + i, 200, timed(i, "10", 0)));
    }
    Path rec = recording(recorded);
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
    Function<TestServer.Seen, TestServer.Reply> legacy =
        s -> {
          int i = Integer.parseInt(s.target().substring(s.target().lastIndexOf('/') + 1));
          return TestServer.Reply.json(timed(i, "10", clock.incrementAndGet()));
        };
    try (TestServer secondary = new TestServer(legacy);
        TestServer candidate =
            new TestServer(
                s -> {
                  int i = Integer.parseInt(s.target().substring(s.target().lastIndexOf('/') + 1));
                  return TestServer.Reply.json(
                      timed(i, i % 10 == 0 ? "11" : "10", clock.incrementAndGet()));
                })) {
      ReplayResult r =
          new Replayer(
                  ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("out"))
                      .withPrimary(null, secondary.uri()))
              .run(ShadowListener.NONE);
      assertThat(r.result().compared()).isEqualTo(60);
      assertThat(r.result().discrepant()).isEqualTo(6); // the prices
      assertThat(r.result().noise()).isEqualTo(54); // "at" alone: learned from the secondary
      assertThat(field(r, "$.at").noise()).isEqualTo(60);
      assertThat(field(r, "$.price").real()).isTrue();
    }
    // without the secondary, "at" counts: the noise came from it
    try (TestServer candidate =
        new TestServer(s -> TestServer.Reply.json(timed(1, "10", clock.incrementAndGet())))) {
      ReplayResult r =
          new Replayer(ReplayConfig.of(List.of(rec), candidate.uri(), dir.resolve("out-2")))
              .run(ShadowListener.NONE);
      assertThat(r.result().discrepant()).isEqualTo(60);
    }
  }
}
