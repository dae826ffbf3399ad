package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Trigger;
import dev.shadowtest.diff.run.TriggerActions;
import dev.shadowtest.diff.run.TriggerEvent;
import dev.shadowtest.diff.run.TriggersFile;
import dev.shadowtest.recorder.internal.Promtool;
import dev.shadowtest.recorder.internal.ScrapedSamples;
import dev.shadowtest.testing.LoopbackServer;
import dev.shadowtest.testing.TestClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollback triggers of the live mirror with a test clock: a candidate that starts failing fires
 * {@code errorRate} once after its duration, its actions run once, recovery clears it once, too
 * little traffic never fires; {@code /metrics} agrees with the summary.
 */
@Timeout(180)
class LiveTriggersTests {

  static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  @TempDir Path dir;

  /** Recordings started: each recorder writes its own file. */
  private int recordings;

  /** A live run: legacy and candidate on loopback, the candidate answering 503 while failing. */
  /** A JSON answer with a nonce: it differs on every call, as a request id or a timestamp does. */
  static String nonce() {
    return "{\"ok\":true,\"nonce\":\"" + UUID.randomUUID() + "\"}";
  }

  private final class Live implements AutoCloseable {
    final AtomicBoolean failing = new AtomicBoolean();
    final LoopbackServer legacy =
        LoopbackServer.start(4, ex -> LoopbackServer.send(ex, 200, "application/json", nonce()));
    final LoopbackServer secondary =
        LoopbackServer.start(4, ex -> LoopbackServer.send(ex, 200, "application/json", nonce()));
    final LoopbackServer candidate =
        LoopbackServer.start(
            4,
            ex -> {
              if (failing.get()) {
                LoopbackServer.send(ex, 503, "text/plain", "unavailable");
              } else {
                LoopbackServer.send(ex, 200, "application/json", nonce());
              }
            });
    final TestClock clock = new TestClock(T0);
    final HttpClient client = HttpClient.newHttpClient();
    final Path run;
    Recorder recorder;
    long sent;

    Live(String name, List<Trigger> triggers, TriggerActions.Options actions) throws Exception {
      this(name, triggers, actions, T0, false);
    }

    Live(
        String name,
        List<Trigger> triggers,
        TriggerActions.Options actions,
        Instant start,
        boolean daily)
        throws Exception {
      run = dir.resolve(name);
      clock.set(start);
      RecorderConfig config =
          RecorderConfig.of(
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                  legacy.uri(),
                  dir.resolve(name + "-" + (++recordings) + ".jsonl.gz"))
              .withAdminPort(0)
              .withMirror(
                  daily(
                      new RecorderConfig.Mirroring(candidate.uri(), run, Rules.defaults(), List::of)
                          .withSecondary(secondary.uri()) // the nonce is noise, learned live
                          .withClock(clock, Duration.ofHours(1)) // evaluated by the test only
                          .withTriggers(triggers, actions),
                      daily));
      recorder = Recorder.start(config);
    }

    /** {@code n} live requests at the current instant, judged, then the clock moves on and the run is evaluated. */
    void step(int n, Duration then) throws Exception {
      for (int i = 0; i < n; i++) {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create(recorder.url() + "/api/items/" + (sent++ % 9)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200); // live traffic never sees the candidate
      }
      for (int i = 0; i < 400 && judged() < sent; i++) {
        Thread.sleep(25);
      }
      assertThat(judged()).isEqualTo(sent);
      clock.advance(then);
      recorder.evaluateNow();
    }

    private RecorderConfig.Mirroring daily(RecorderConfig.Mirroring m, boolean daily) {
      return daily ? m.withDays(d -> {}) : m;
    }

    long judged() {
      RecorderStats s = recorder.stats();
      return s.mirrored() + s.mirrorErrors();
    }

    String scrape() throws Exception {
      return client
          .send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + recorder.adminPort() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    }

    @Override
    public void close() {
      if (recorder != null) {
        recorder.close();
      }
      legacy.close();
      secondary.close();
      candidate.close();
    }
  }

  @Test
  void aFailingCandidateFiresErrorRateOnceAfterFiveMinutesAndRecoveryClearsItOnce()
      throws Exception {
    List<String> posts = new CopyOnWriteArrayList<>();
    List<String> logged = new CopyOnWriteArrayList<>();
    Path commandOut = dir.resolve("command.txt");
    String scrape;
    JsonNode summary;
    try (LoopbackServer webhook =
            LoopbackServer.start(
                2,
                ex -> {
                  posts.add(
                      ex.getRequestMethod()
                          + " "
                          + ex.getRequestHeaders().getFirst("Content-Type")
                          + " "
                          + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                  LoopbackServer.send(ex, 204, "text/plain", "");
                });
        Live live =
            new Live(
                "live",
                Trigger.defaults(),
                TriggerActions.Options.none()
                    .withLog(logged::add)
                    .withWebhook(webhook.uri().resolve("/hooks/shadow"))
                    .withCommand(
                        "printf '%s %s %s %s\\n' \"$SHADOW_TRIGGER\" \"$SHADOW_EVENT\""
                            + " \"$SHADOW_METRIC\" \"$SHADOW_RUN_DIR\" >> '"
                            + commandOut
                            + "'"))) {
      Duration step = Duration.ofSeconds(30);
      for (int k = 0; k < 46; k++) {
        // a full window of healthy traffic, then failing from minute 5 to minute 12
        live.failing.set(k >= 10 && k < 24);
        live.step(12, step);
      }
      scrape = live.scrape();
      live.recorder.stop(Duration.ofSeconds(30)); // waits for the actions
      summary = new ObjectMapper().readTree(live.run.resolve("summary.json").toFile());
      webhook.close();
    }
    // the webhook: one POST per event, the documented JSON
    List<JsonNode> errorRate = new ArrayList<>();
    for (String p : posts) {
      assertThat(p).startsWith("POST application/json ");
      JsonNode n = new ObjectMapper().readTree(p.substring("POST application/json ".length()));
      if (n.get("trigger").asText().equals("errorRate")) {
        errorRate.add(n);
      }
    }
    assertThat(errorRate).hasSize(2);
    JsonNode fired = errorRate.get(0);
    JsonNode cleared = errorRate.get(1);
    assertThat(fired.get("event").asText()).isEqualTo("fired");
    assertThat(cleared.get("event").asText()).isEqualTo("cleared");
    Instant firedAt = Instant.parse(fired.get("at").asText());
    // over the threshold from the evaluation at 5:30 on: fired once 5 minutes later, not before
    assertThat(firedAt).isBetween(T0.plusSeconds(10 * 60 + 30), T0.plusSeconds(11 * 60));
    // the window is clear of failures from 17:00 on: cleared once 5 minutes later
    Instant clearedAt = Instant.parse(cleared.get("at").asText());
    assertThat(clearedAt).isBetween(T0.plusSeconds(22 * 60), T0.plusSeconds(22 * 60 + 30));
    for (String key :
        List.of(
            "metric",
            "value",
            "threshold",
            "window",
            "for",
            "windowStart",
            "windowEnd",
            "attempted",
            "compared",
            "discrepant",
            "errors",
            "serverErrors",
            "runDirectory",
            "report")) {
      assertThat(fired.has(key)).as(key).isTrue();
    }
    assertThat(fired.get("metric").asText()).isEqualTo("errorRate");
    assertThat(fired.get("threshold").asDouble()).isEqualTo(0.005);
    assertThat(fired.get("value").asDouble()).isGreaterThan(0.005);
    assertThat(fired.get("serverErrors").asLong()).isPositive();
    assertThat(fired.get("runDirectory").asText()).isEqualTo(dir.resolve("live").toString());
    // the command: once per event, with the documented variables
    List<String> commands =
        Files.readAllLines(commandOut).stream().filter(l -> l.startsWith("errorRate ")).toList();
    assertThat(commands)
        .containsExactly(
            "errorRate fired errorRate " + dir.resolve("live"),
            "errorRate cleared errorRate " + dir.resolve("live"));
    assertThat(logged.stream().filter(l -> l.contains("errorRate") && l.contains("fired")))
        .isNotEmpty();
    // the run directory keeps every event
    List<TriggerEvent> stored =
        TriggersFile.read(dir.resolve("live").resolve(TriggersFile.NAME), w -> {});
    assertThat(stored.stream().filter(e -> e.trigger().equals("errorRate")))
        .extracting(e -> e.kind().label())
        .containsExactly("fired", "cleared");
    assertThat(stored).hasSameSizeAs(posts);

    // /metrics agrees with the summary, and Prometheus' own checker accepts it
    ScrapedSamples m = ScrapedSamples.parse(scrape);
    assertThat(m.value("shadow_trigger_firing", "trigger", "errorRate")).isZero();
    assertThat(m.value("shadow_trigger_events_total", "trigger", "errorRate", "event", "fired"))
        .isEqualTo(1);
    assertThat(m.value("shadow_trigger_events_total", "trigger", "errorRate", "event", "cleared"))
        .isEqualTo(1);
    double judged = 0;
    for (String v : m.labelValues("shadow_judged_total", "verdict")) {
      judged += m.value("shadow_judged_total", "verdict", v);
    }
    assertThat(judged).isEqualTo(summary.get("exchanges").asDouble()).isEqualTo(46 * 12);
    assertThat(m.value("shadow_window_exchanges")).isEqualTo(summary.get("exchanges").asDouble());
    assertThat(m.value("shadow_window_compared")).isEqualTo(summary.get("compared").asDouble());
    assertThat(m.value("shadow_window_discrepant")).isEqualTo(summary.get("discrepant").asDouble());
    assertThat(m.value("shadow_window_errors")).isEqualTo(summary.get("errors").asDouble());
    assertThat(m.value("shadow_window_server_errors"))
        .isEqualTo(summary.get("serverErrors").asDouble())
        .isEqualTo(14 * 12);
    assertThat(m.value("shadow_candidate_server_errors_total")).isEqualTo(14 * 12);
    assertThat(m.value("shadow_mirrored_total")).isEqualTo(46 * 12);
    Promtool.Outcome checked = Promtool.run(scrape, "check", "metrics");
    assertThat(checked.exitCode()).as(checked.said()).isZero();
  }

  @Test
  void tooLittleTrafficNeverFires() throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    try (Live live =
        new Live("quiet", Trigger.defaults(), TriggerActions.Options.none().withLog(logged::add))) {
      live.failing.set(true);
      for (int k = 0; k < 30; k++) { // 15 minutes of 2 failing requests per 30 s: 20 per window
        live.step(2, Duration.ofSeconds(30));
      }
      ScrapedSamples m = ScrapedSamples.parse(live.scrape());
      assertThat(m.value("shadow_trigger_firing", "trigger", "errorRate")).isZero();
      assertThat(m.value("shadow_trigger_value", "trigger", "errorRate")).isNaN();
      live.recorder.stop(Duration.ofSeconds(30));
      assertThat(live.run.resolve(TriggersFile.NAME)).doesNotExist(); // no event, no file
    }
    assertThat(logged).isEmpty();
  }

  @Test
  void noiseLearnedBeforeMidnightStillExcusesTheWindowsJustAfterIt() throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    try (Live live =
        new Live(
            "midnight",
            // the playbook's triggers but the latency ratio, which measures this machine's
            // scheduling of two loopback servers, not noise
            Trigger.defaults().stream()
                .filter(t -> t.metric() != Trigger.Metric.LATENCY_RATIO_P99)
                .toList(),
            TriggerActions.Options.none().withLog(logged::add),
            Instant.parse("2026-11-25T23:52:00Z"),
            true)) {
      // every answer differs in its nonce: noise, learned from the secondary, never discrepant
      for (int k = 0; k < 26; k++) { // 23:52 .. 00:05
        live.step(12, Duration.ofSeconds(30));
      }
      live.recorder.stop(Duration.ofSeconds(30));
      JsonNode before =
          new ObjectMapper()
              .readTree(live.run.resolve("2026-11-25").resolve("summary.json").toFile());
      JsonNode after =
          new ObjectMapper()
              .readTree(live.run.resolve("2026-11-26").resolve("summary.json").toFile());
      assertThat(before.get("noise").asLong()).isPositive();
      assertThat(before.get("discrepant").asLong()).isZero();
      assertThat(after.get("compared").asLong()).isPositive();
    }
    // the new day's first windows are judged with the noise of the day before: nothing fires
    assertThat(logged).isEmpty();
  }

  @Test
  void aTriggerThatFiredBeforeARestartIsStillFiringAfterItAndClearsOnce() throws Exception {
    List<Trigger> triggers = List.of(Trigger.parse("errorRate>0.5%,window=1m,min=10"));
    List<String> logged = new CopyOnWriteArrayList<>();
    Path day = dir.resolve("restart").resolve("2026-11-26");
    try (Live live =
        new Live(
            "restart",
            triggers,
            TriggerActions.Options.none().withLog(logged::add),
            Instant.parse("2026-11-26T08:00:00Z"),
            true)) {
      live.failing.set(true);
      live.step(12, Duration.ofSeconds(30)); // fires at this evaluation
      live.recorder.stop(Duration.ofSeconds(30));
    }
    // restarted after a crash (which leaves no summary; the test's candidate has a new port)
    Files.delete(day.resolve("summary.json"));
    try (Live again =
        new Live(
            "restart",
            triggers,
            TriggerActions.Options.none().withLog(logged::add),
            Instant.parse("2026-11-26T09:00:00Z"),
            true)) {
      again.failing.set(true);
      again.step(12, Duration.ofSeconds(30)); // still failing: fired already, not again
      ScrapedSamples m = ScrapedSamples.parse(again.scrape());
      assertThat(m.value("shadow_trigger_firing", "trigger", "errorRate")).isEqualTo(1);
      again.failing.set(false);
      for (int k = 0; k < 3; k++) { // a window of healthy traffic: cleared, once
        again.step(12, Duration.ofSeconds(30));
      }
      again.recorder.stop(Duration.ofSeconds(30));
    }
    assertThat(TriggersFile.read(day.resolve(TriggersFile.NAME), w -> {}))
        .extracting(e -> e.kind().label())
        .containsExactly("fired", "cleared");
    assertThat(logged).hasSize(2);
    assertThat(logged.get(0)).contains("fired");
    assertThat(logged.get(1)).contains("cleared");
  }

  /**
   * Trigger b fires on the 25th and stays firing; on the 26th trigger a fires (the day's file
   * holds a's event only). A restart on the 26th still knows b is firing: it reads back the days
   * until every trigger has its last event.
   */
  @Test
  void aTriggerStillFiringFromAnEarlierDayIsResumedToo() throws Exception {
    Trigger b = Trigger.parse("errorRate>0.5%,window=1m,min=10,name=b");
    Trigger a = Trigger.parse("errorRate>0.5%,window=1m,min=10,name=a");
    List<String> logged = new CopyOnWriteArrayList<>();
    try (Live live =
        new Live(
            "days",
            List.of(b),
            TriggerActions.Options.none().withLog(logged::add),
            Instant.parse("2026-11-25T10:00:00Z"),
            true)) {
      live.failing.set(true);
      live.step(12, Duration.ofSeconds(30)); // b fires
      live.recorder.stop(Duration.ofSeconds(30));
    }
    Path day26 = dir.resolve("days").resolve("2026-11-26");
    try (Live live =
        new Live(
            "days",
            List.of(b, a),
            TriggerActions.Options.none().withLog(logged::add),
            Instant.parse("2026-11-26T08:00:00Z"),
            true)) {
      live.failing.set(true);
      live.step(12, Duration.ofSeconds(30)); // a fires; b is firing since the 25th
      live.recorder.stop(Duration.ofSeconds(30));
    }
    Files.delete(day26.resolve("summary.json")); // a crash (and a new port for the candidate)
    try (Live again =
        new Live(
            "days",
            List.of(b, a),
            TriggerActions.Options.none().withLog(logged::add),
            Instant.parse("2026-11-26T09:00:00Z"),
            true)) {
      again.failing.set(true);
      again.step(12, Duration.ofSeconds(30)); // both still firing: no event
      again.failing.set(false);
      for (int k = 0; k < 3; k++) {
        again.step(12, Duration.ofSeconds(30)); // both clear, once each
      }
      again.recorder.stop(Duration.ofSeconds(30));
    }
    assertThat(
            TriggersFile.read(
                dir.resolve("days").resolve("2026-11-25").resolve(TriggersFile.NAME), w -> {}))
        .extracting(e -> e.trigger() + " " + e.kind().label())
        .containsExactly("b fired");
    assertThat(TriggersFile.read(day26.resolve(TriggersFile.NAME), w -> {}))
        .extracting(e -> e.trigger() + " " + e.kind().label())
        .containsExactlyInAnyOrder("a fired", "a cleared", "b cleared");
  }

  @Test
  void aRestartAfterACrashContinuesTheDayFromWhatWasFlushed() throws Exception {
    Path day = dir.resolve("crash").resolve("2026-11-26");
    byte[] atTheCrash;
    try (Live live =
        new Live(
            "crash",
            List.of(),
            TriggerActions.Options.none(),
            Instant.parse("2026-11-26T08:00:00Z"),
            true)) {
      for (int k = 0; k < 3; k++) {
        live.step(10, Duration.ofSeconds(30)); // each evaluation flushes the results
      }
      // what a crash (kill -9, power loss) leaves: flushed lines, no gzip end, no summary
      atTheCrash = Files.readAllBytes(day.resolve("results.jsonl.gz"));
      live.recorder.stop(Duration.ofSeconds(30));
    }
    Files.write(day.resolve("results.jsonl.gz"), atTheCrash);
    Files.delete(day.resolve("summary.json"));
    // a samples file the crash cut before its first flush: its gzip header alone
    byte[] samples = Files.readAllBytes(day.resolve("samples.jsonl.gz"));
    Files.write(day.resolve("samples.jsonl.gz"), java.util.Arrays.copyOf(samples, 10));
    List<String> logged = new CopyOnWriteArrayList<>();
    try (Live again =
        new Live(
            "crash",
            List.of(),
            TriggerActions.Options.none(),
            Instant.parse("2026-11-26T09:00:00Z"),
            true)) {
      again.step(10, Duration.ofSeconds(30));
      again.recorder.stop(Duration.ofSeconds(30));
    }
    JsonNode summary = new ObjectMapper().readTree(day.resolve("summary.json").toFile());
    assertThat(summary.get("exchanges").asLong()).isEqualTo(40); // 30 before the crash, 10 after
    assertThat(summary.get("incomplete").asBoolean()).isFalse();
    assertThat(day.resolve("results.jsonl.gz.continuing")).doesNotExist();
  }
}
