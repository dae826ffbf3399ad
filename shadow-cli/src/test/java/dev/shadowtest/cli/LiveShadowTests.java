package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.shadowtest.diff.run.Trigger;
import dev.shadowtest.recorder.Recorder;
import dev.shadowtest.recorder.RecorderConfig;
import dev.shadowtest.testing.LoopbackServer;
import dev.shadowtest.testing.TestClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Live shadow testing ({@code shadow record --mirror}) as a full run: judged exactly like a batch
 * {@code shadow replay} of the same recording, one run per UTC day into the history.
 */
@Timeout(180)
class LiveShadowTests {

  @TempDir Path dir;

  /** Legacy (and secondary) and candidate: the same service, but for the seeded differences. */
  static void serve(HttpExchange ex, boolean candidate, AtomicBoolean failing) throws IOException {
    String path = ex.getRequestURI().getPath();
    if (failing != null && failing.get()) {
      LoopbackServer.send(ex, 503, "text/plain", "down");
      return;
    }
    if (path.startsWith("/api/items/")) {
      int id = Integer.parseInt(path.substring("/api/items/".length()));
      if (candidate && id % 11 == 0) {
        LoopbackServer.send(ex, 500, "application/json", "{\"error\":\"boom\"}");
        return;
      }
      // the nonce differs on every answer (noise, learned from the secondary); the price
      // differs for every 7th item on the candidate (a real discrepancy)
      int amount = id * 10 + (candidate && id % 7 == 0 ? 1 : 0);
      LoopbackServer.send(
          ex,
          200,
          "application/json",
          "{\"id\":"
              + id
              + ",\"name\":\"item-"
              + id
              + "\",\"price\":{\"amount\":"
              + amount
              + ",\"currency\":\"EUR\"},\"nonce\":\""
              + UUID.randomUUID()
              + "\",\"generatedAt\":\""
              + Instant.now()
              + "\"}");
    } else if (path.equals("/api/search")) {
      String q = ex.getRequestURI().getQuery();
      LoopbackServer.send(
          ex,
          200,
          "application/json",
          "{\"query\":\""
              + q
              + "\",\"hits\":["
              + (candidate && q.endsWith("3") ? "2,1" : "1,2")
              + "],\"nonce\":\""
              + UUID.randomUUID()
              + "\"}");
    } else if (path.equals("/api/orders")) {
      ex.getRequestBody().readAllBytes();
      LoopbackServer.send(ex, 201, "application/json", "{\"created\":true}");
    } else {
      LoopbackServer.send(ex, 200, "text/plain", "ok");
    }
  }

  /** The traffic mix: items, searches, health checks and (unsafe, never mirrored) orders. */
  static List<HttpRequest> traffic(URI base, int n, int offset) {
    List<HttpRequest> out = new ArrayList<>();
    for (int i = offset; i < offset + n; i++) {
      URI u =
          switch (i % 5) {
            case 0, 1, 2 -> base.resolve("/api/items/" + (i % 97));
            case 3 -> base.resolve("/api/search?q=term" + (i % 10));
            default -> base.resolve("/health");
          };
      out.add(HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(20)).build());
      if (i % 25 == 0) {
        out.add(
            HttpRequest.newBuilder(base.resolve("/api/orders"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":" + i + "}"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .build());
      }
    }
    return out;
  }

  static void send(HttpClient client, List<HttpRequest> requests) throws Exception {
    for (HttpRequest r : requests) {
      HttpResponse<String> live = client.send(r, HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isLessThan(300); // the client always gets the legacy answer
    }
  }

  /** The recorder's configuration as {@code shadow record ARGS} builds it. */
  static RecorderConfig recordConfig(Object... args) {
    RecordCommand command = new RecordCommand();
    new CommandLine(command).parseArgs(Stream.of(args).map(String::valueOf).toArray(String[]::new));
    return command.config(new PrintWriter(new StringWriter(), true));
  }

  static void awaitJudged(Recorder r, long n) throws InterruptedException {
    for (int i = 0; i < 600 && r.stats().mirrored() + r.stats().mirrorErrors() < n; i++) {
      Thread.sleep(50);
    }
    assertThat(r.stats().mirrored() + r.stats().mirrorErrors()).isEqualTo(n);
  }

  @Test
  void theLiveMirrorJudgesLikeABatchReplayOfItsRecording() throws Exception {
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(
        rules,
        "version: 1\n"
            + "defaults:\n"
            + "  ignore: [\"$.generatedAt\"]\n"
            + "endpoints:\n"
            + "  - match: \"GET /health\"\n"
            + "    skip: true\n");
    Path recording = dir.resolve("live.jsonl.gz");
    Path live = dir.resolve("live-run");
    try (LoopbackServer legacy = LoopbackServer.start(4, ex -> serve(ex, false, null));
        LoopbackServer secondary = LoopbackServer.start(4, ex -> serve(ex, false, null));
        LoopbackServer candidate = LoopbackServer.start(4, ex -> serve(ex, true, null))) {
      RecorderConfig config =
          recordConfig(
              "--listen",
              "127.0.0.1:0",
              "--upstream",
              legacy.uri(),
              "--out",
              recording,
              "--mirror",
              candidate.uri(),
              "--secondary",
              secondary.uri(),
              "--rules",
              rules,
              "--mirror-out",
              live);
      List<HttpRequest> requests;
      try (Recorder r = Recorder.start(config)) {
        requests = traffic(r.url(), 400, 0);
        send(HttpClient.newHttpClient(), requests);
        awaitJudged(r, 320); // 400 minus the skipped health checks
        r.stop(Duration.ofSeconds(30));
      }
      assertThat(recordingLines(recording)).isEqualTo(requests.size());
      Path replayed = dir.resolve("replayed");
      ShadowCliTests.Run run =
          shadow(
              "replay",
              "--recording",
              recording,
              "--candidate",
              candidate.uri(),
              "--secondary",
              secondary.uri(),
              "--rules",
              rules,
              "--out",
              replayed);
      assertThat(run.code()).as(run.err()).isEqualTo(1); // the seeded discrepancies fail the gate
      JsonNode mirrored = comparable(live.resolve("summary.json"));
      JsonNode batch = comparable(replayed.resolve("summary.json"));
      // the traffic has what it should: discrepancies, noise, 5xx, skips
      assertThat(mirrored.get("discrepant").asLong()).isPositive();
      assertThat(mirrored.get("noise").asLong()).isPositive();
      assertThat(mirrored.get("serverErrors").asLong()).isPositive();
      assertThat(mirrored.get("skipped").asLong()).isEqualTo(80 + 16);
      assertThat(mirrored.get("endpoints")).hasSize(4);
      assertThat(mirrored.toPrettyString()).isEqualTo(batch.toPrettyString());
      assertThat(live.resolve("report.html")).exists();
      assertThat(live.resolve("discrepancies.csv")).exists();
    }
  }

  static long recordingLines(Path recording) throws IOException {
    try (var in =
        new BufferedReader(
            new InputStreamReader(new GZIPInputStream(Files.newInputStream(recording))))) {
      return in.lines().count() - 1; // the header
    }
  }

  /** A summary without what differs between any two runs: times, targets, latencies, notes. */
  static JsonNode comparable(Path summary) throws IOException {
    ObjectNode n = (ObjectNode) new ObjectMapper().readTree(summary.toFile());
    for (String k :
        List.of(
            "startedAt",
            "finishedAt",
            "recording",
            "candidate",
            "primary",
            "secondary",
            "latency",
            "warnings",
            "liveDay")) {
      n.remove(k);
    }
    stripLatency(n);
    return n;
  }

  private static void stripLatency(JsonNode n) {
    if (n instanceof ObjectNode o) {
      o.remove("latency");
      o.remove("p99Ratio");
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        stripLatency(it.next().getValue());
      }
    } else if (n instanceof ArrayNode a) {
      a.forEach(LiveShadowTests::stripLatency);
    }
  }

  @Test
  void aLiveRunClosesOneRunPerUtcDayIntoTheHistoryAndARestartContinuesTheDay() throws Exception {
    Path history = dir.resolve("history");
    Path live = dir.resolve("live");
    TestClock clock = new TestClock(Instant.parse("2026-11-24T22:00:00Z"));
    AtomicBoolean regression = new AtomicBoolean();
    try (LoopbackServer legacy = LoopbackServer.start(4, ex -> serve(ex, false, null));
        LoopbackServer candidate =
            LoopbackServer.start(
                4,
                ex -> {
                  // on the 25th the candidate answers every search differently
                  if (regression.get() && ex.getRequestURI().getPath().equals("/api/search")) {
                    LoopbackServer.send(ex, 200, "application/json", "{\"hits\":[]}");
                  } else {
                    serve(ex, false, null);
                  }
                })) {
      Object[] args = {
        "--listen", "127.0.0.1:0",
        "--upstream", legacy.uri(),
        "--out", dir.resolve("day.jsonl.gz"),
        "--mirror", candidate.uri(),
        "--mirror-out", live,
        "--history", history,
        "--rules", rulesIgnoringNonces()
      };
      RecorderConfig config = recordConfig(args);
      config = config.withMirror(config.mirroring().withClock(clock, Duration.ofHours(1)));
      try (Recorder r = Recorder.start(config)) {
        URI base = r.url();
        HttpClient client = HttpClient.newHttpClient();
        send(client, get(base, 50));
        awaitJudged(r, 50);
        clock.set(Instant.parse("2026-11-25T00:00:05Z")); // past the first midnight
        regression.set(true);
        send(client, get(base, 50));
        awaitJudged(r, 100);
        regression.set(false);
        clock.set(Instant.parse("2026-11-26T09:30:00Z")); // past the second
        send(client, get(base, 50));
        awaitJudged(r, 150);
        r.stop(Duration.ofSeconds(30));
      }
      assertThat(historyEntries(history)).hasSize(3);
      assertThat(live.resolve("2026-11-24").resolve("summary.json")).exists();
      assertThat(live.resolve("2026-11-25").resolve("report.html")).exists();
      JsonNode first =
          new ObjectMapper().readTree(live.resolve("2026-11-24/summary.json").toFile());
      assertThat(first.get("finishedAt").asText()).startsWith("2026-11-24T23:59:59");
      assertThat(first.get("exchanges").asLong()).isEqualTo(50);
      assertThat(first.get("liveDay").asText()).isEqualTo("2026-11-24");

      // a restart the same day continues that day's run: one run of the day, counted exactly
      args[5] = dir.resolve("restarted.jsonl.gz"); // a recording is never overwritten
      RecorderConfig again = recordConfig(args);
      again = again.withMirror(again.mirroring().withClock(clock, Duration.ofHours(1)));
      clock.set(Instant.parse("2026-11-26T15:00:00Z"));
      try (Recorder r = Recorder.start(again)) {
        send(HttpClient.newHttpClient(), get(r.url(), 30));
        awaitJudged(r, 30);
        r.stop(Duration.ofSeconds(30));
      }
      assertThat(historyEntries(history)).hasSize(3);
      JsonNode today =
          new ObjectMapper().readTree(live.resolve("2026-11-26/summary.json").toFile());
      assertThat(today.get("exchanges").asLong()).isEqualTo(80);
      assertThat(today.get("startedAt").asText()).startsWith("2026-11-26T09:30");
    }
    // the gate reads the days from the history alone
    ShadowCliTests.Run pass =
        shadow("gate", "--history", history, "--days", 1, "--until", "2026-11-26");
    assertThat(pass.code()).as(pass.out() + pass.err()).isZero();
    ShadowCliTests.Run fail =
        shadow("gate", "--history", history, "--days", 2, "--until", "2026-11-26");
    assertThat(fail.code()).as(fail.out() + fail.err()).isEqualTo(1);
    assertThat(fail.out()).contains("2026-11-25");
    ShadowCliTests.Run missing =
        shadow("gate", "--history", history, "--days", 2, "--until", "2026-11-27");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.out()).contains("2026-11-27").contains("no run");
  }

  private Path rulesIgnoringNonces() throws IOException {
    Path rules = dir.resolve("day-rules.yaml");
    Files.writeString(rules, "version: 1\ndefaults:\n  ignore: [\"$.nonce\", \"$.generatedAt\"]\n");
    return rules;
  }

  static List<HttpRequest> get(URI base, int n) {
    List<HttpRequest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          HttpRequest.newBuilder(
                  base.resolve(i % 2 == 0 ? "/api/items/" + (i % 5 + 1) : "/api/search?q=a" + i))
              .timeout(Duration.ofSeconds(20))
              .build());
    }
    return out;
  }

  static List<Path> historyEntries(Path history) throws IOException {
    try (Stream<Path> s = Files.list(history)) {
      return s.filter(p -> p.getFileName().toString().startsWith("summary-")).sorted().toList();
    }
  }

  @Test
  void theLiveFlagsConfigureTheMirrorAndAreRefusedWithoutOne() {
    RecorderConfig c =
        recordConfig(
            "--listen", "127.0.0.1:0",
            "--upstream", "http://127.0.0.1:1",
            "--out", dir.resolve("flags.jsonl.gz"),
            "--mirror", "http://127.0.0.1:2",
            "--trigger", "errorRate>2%,for=1m",
            "--trigger", "latencyRatio(p99)>3,for=10m,name=slow",
            "--webhook", "http://127.0.0.1:3/hook",
            "--on-trigger", "true",
            "--mirror-concurrency", "8",
            "--admin-port", "0");
    assertThat(c.mirroring().inFlight()).isEqualTo(8);
    assertThat(c.mirroring().triggers())
        .extracting(Trigger::name)
        .containsExactly("errorRate", "slow");
    assertThat(c.mirroring().triggers().get(0).threshold()).isEqualTo(0.02);
    assertThat(c.mirroring().actions().webhook()).hasToString("http://127.0.0.1:3/hook");
    assertThat(c.mirroring().actions().command()).isEqualTo("true");
    assertThat(c.admin().bind().isLoopbackAddress()).isTrue();
    RecorderConfig none =
        recordConfig(
            "--listen", "127.0.0.1:0",
            "--upstream", "http://127.0.0.1:1",
            "--out", dir.resolve("none.jsonl.gz"),
            "--mirror", "http://127.0.0.1:2",
            "--trigger", "none");
    assertThat(none.mirroring().triggers()).isEmpty();
    // refused with exit 2 and the flag named, before anything listens
    String[][] refused = {
      {"--trigger", "errorRate>1%", "need --mirror"},
      {"--admin-port", "0", "--admin-bind", "0.0.0.0", "--admin-token-env"},
      {"--mirror", "http://127.0.0.1:2", "--mirror-concurrency", "0", "must be from 1 to 10000"},
      {"--mirror", "http://127.0.0.1:2", "--trigger", "errorRate>lots", "errorRate>lots"}
    };
    for (String[] flags : refused) {
      List<Object> args = new ArrayList<>();
      args.addAll(
          List.of(
              "record",
              "--listen",
              "127.0.0.1:0",
              "--upstream",
              "http://127.0.0.1:1",
              "--out",
              dir.resolve(UUID.randomUUID() + ".jsonl.gz")));
      args.addAll(List.of(flags).subList(0, flags.length - 1));
      ShadowCliTests.Run r = shadow(args.toArray());
      assertThat(r.code()).as(String.join(" ", flags)).isEqualTo(2);
      assertThat(r.err()).contains(flags[flags.length - 1]);
    }
  }
}
