package dev.shadowtest.diff.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.BadInputException;
import dev.shadowtest.testing.LoopbackServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The actions of trigger events: a webhook receiver on 127.0.0.1, commands run by {@code
 * /bin/sh}, and a caller that never waits for either. Every wait is bounded.
 */
class TriggerActionsTests {

  /** Far above anything an action here needs, far below what a hang would take. */
  static final Duration NEVER_BLOCKS = Duration.ofSeconds(5);

  @TempDir Path dir;

  final Queue<String> log = new ConcurrentLinkedQueue<>();
  final Queue<Received> received = new ConcurrentLinkedQueue<>();
  final CountDownLatch release = new CountDownLatch(1);

  record Received(String method, String contentType, String body) {}

  @AfterEach
  void releaseHangingHandlers() {
    release.countDown();
  }

  static final Instant AT = Instant.parse("2026-11-24T02:08:30Z");

  static TriggerEvent event(TriggerEvent.Kind kind) {
    return TriggersFileTests.event(kind, AT);
  }

  /** A receiver answering the statuses in turn (the last one thereafter). */
  LoopbackServer receiver(int... statuses) {
    AtomicInteger n = new AtomicInteger();
    return LoopbackServer.start(
        4,
        ex -> {
          byte[] body = ex.getRequestBody().readAllBytes();
          received.add(
              new Received(
                  ex.getRequestMethod(),
                  ex.getRequestHeaders().getFirst("Content-Type"),
                  new String(body, StandardCharsets.UTF_8)));
          int i = Math.min(n.getAndIncrement(), statuses.length - 1);
          LoopbackServer.send(ex, statuses[i], null, new byte[0]);
        });
  }

  TriggerActions.Options options() {
    return TriggerActions.Options.none().withLog(log::add);
  }

  @Test
  void theWebhookGetsOnePostPerEventWithTheEventsJson() throws IOException {
    try (LoopbackServer server = receiver(204)) {
      TriggerEvent fired = event(TriggerEvent.Kind.FIRED);
      TriggerEvent cleared = event(TriggerEvent.Kind.CLEARED);
      try (TriggerActions actions =
          TriggerActions.start(
              options().withWebhook(server.uri().resolve("/hooks/secret-token")))) {
        assertThat(actions.offer(fired)).isTrue();
        assertThat(actions.offer(cleared)).isTrue();
      }
      assertThat(received).hasSize(2);
      List<Received> posts = new ArrayList<>(received);
      assertThat(posts)
          .allSatisfy(
              r -> {
                assertThat(r.method()).isEqualTo("POST");
                assertThat(r.contentType()).isEqualTo("application/json");
              });
      assertThat(posts.get(0).body()).isEqualTo(fired.toJson());
      assertThat(posts.get(1).body()).isEqualTo(cleared.toJson());
      JsonNode json = new ObjectMapper().readTree(posts.get(0).body());
      assertThat(json.get("event").asText()).isEqualTo("fired");
      assertThat(json.get("trigger").asText()).isEqualTo("errorRate");
      assertThat(json.get("value").asDouble()).isEqualTo(0.052);
      assertThat(json.get("threshold").asDouble()).isEqualTo(0.005);
      assertThat(json.get("window").asText()).isEqualTo("PT5M");
      assertThat(json.get("errors").asLong()).isEqualTo(60);
      assertThat(json.get("runDirectory").asText()).isEqualTo("/runs/live");
      assertThat(log)
          .contains(fired.line(), cleared.line())
          .contains(
              "trigger errorRate fired: webhook "
                  + server.uri()
                  + " answered 204 (attempt 1 of 3)");
      assertThat(String.join("\n", log))
          .as("a webhook's path may hold its secret")
          .doesNotContain("secret-token");
    }
  }

  @Test
  void aWebhookAnswering500TwiceThen200GetsThreeAttempts() {
    try (LoopbackServer server = receiver(500, 500, 200)) {
      try (TriggerActions actions = TriggerActions.start(options().withWebhook(server.uri()))) {
        actions.offer(event(TriggerEvent.Kind.FIRED));
      }
      assertThat(received).hasSize(3);
      assertThat(log)
          .contains(
              "trigger errorRate fired: webhook "
                  + server.uri()
                  + " answered 200 (attempt 3 of 3)");
    }
  }

  @Test
  void aWebhookThatNeverSucceedsIsLoggedAfterThreeAttempts() {
    try (LoopbackServer server = receiver(503)) {
      try (TriggerActions actions = TriggerActions.start(options().withWebhook(server.uri()))) {
        actions.offer(event(TriggerEvent.Kind.FIRED));
      }
      assertThat(received).hasSize(3);
      assertThat(log)
          .contains(
              "warning: trigger errorRate fired: webhook "
                  + server.uri()
                  + " failed after 3 attempts (last: answered 503)");
    }
  }

  @Test
  void theCommandRunsOncePerEventWithTheDocumentedVariables() throws IOException {
    String command =
        "env > '"
            + dir
            + "'/env-$SHADOW_EVENT.txt; echo \"$SHADOW_EVENT\" >> '"
            + dir
            + "'/runs.txt";
    TriggerEvent fired = event(TriggerEvent.Kind.FIRED);
    TriggerEvent cleared = event(TriggerEvent.Kind.CLEARED);
    try (TriggerActions actions = TriggerActions.start(options().withCommand(command))) {
      actions.offer(fired);
      actions.offer(cleared);
    }
    assertThat(Files.readAllLines(dir.resolve("runs.txt"))).containsExactly("fired", "cleared");
    Map<String, String> env = env(dir.resolve("env-fired.txt"));
    assertThat(env)
        .containsEntry("SHADOW_TRIGGER", "errorRate")
        .containsEntry("SHADOW_EVENT", "fired")
        .containsEntry("SHADOW_METRIC", "errorRate")
        .containsEntry("SHADOW_VALUE", "0.052")
        .containsEntry("SHADOW_THRESHOLD", "0.005")
        .containsEntry("SHADOW_WINDOW_START", "2026-11-24T02:03:30Z")
        .containsEntry("SHADOW_WINDOW_END", "2026-11-24T02:08:30Z")
        .containsEntry("SHADOW_RUN_DIR", "/runs/live")
        .containsEntry("SHADOW_REPORT", "/runs/live/report.html")
        .containsEntry("SHADOW_EVENT_JSON", fired.toJson())
        .containsKey("PATH"); // Shadow's own environment, plus the event
    assertThat(env(dir.resolve("env-cleared.txt"))).containsEntry("SHADOW_EVENT", "cleared");
    assertThat(log).contains("trigger errorRate fired: command exited 0");
  }

  static Map<String, String> env(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return out;
  }

  @Test
  void theCommandsOutputAndExitCodeAreLoggedAndItsStdinIsClosed() {
    try (TriggerActions actions =
        TriggerActions.start(
            options().withCommand("cat; echo rolled back; echo oops >&2; exit 3"))) {
      actions.offer(event(TriggerEvent.Kind.FIRED));
    }
    assertThat(log)
        .containsSubsequence(
            "trigger errorRate fired: command: rolled back",
            "trigger errorRate fired: command: oops",
            "warning: trigger errorRate fired: command exited 3");
  }

  @Test
  void aHangingWebhookNeverBlocksTheCallerAndAFullQueueDrops() {
    LoopbackServer server =
        LoopbackServer.start(
            4,
            ex -> {
              received.add(new Received(ex.getRequestMethod(), null, ""));
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              LoopbackServer.send(ex, 200, null, new byte[0]);
            });
    Triggers triggers =
        Triggers.of(List.of(Trigger.parse("discrepancy>1%")), Triggers.Context.none());
    TriggerActions actions =
        TriggerActions.start(
            options()
                .withWebhook(server.uri())
                .withWebhookTimeout(Duration.ofSeconds(1))
                .withQueueCapacity(1)
                .withCloseTimeout(Duration.ofSeconds(1)));
    try {
      assertTimeoutPreemptively(
          NEVER_BLOCKS,
          () -> {
            Instant t = AT;
            for (int i = 0; i < 6; i++) { // fired, cleared, fired...: 6 events
              long discrepant = i % 2 == 0 ? 10 : 0;
              triggers
                  .evaluate(t, w -> new WindowFacts(200, 200, discrepant, 0, 0, null, null, 0))
                  .forEach(actions::offer);
              t = t.plusSeconds(10);
            }
          });
      assertThat(actions.dropped())
          .as("one event at the worker, one queued")
          .isGreaterThanOrEqualTo(4);
      assertThat(log)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith(
                          "warning: trigger actions busy (1 events queued): dropped the actions of trigger discrepancy"));
    } finally {
      assertTimeoutPreemptively(Duration.ofSeconds(20), actions::close);
      release.countDown();
      server.close();
    }
    assertThat(received).isNotEmpty();
    // three attempts of a second each are more than the close timeout
    assertThat(log)
        .anySatisfy(
            l -> assertThat(l).startsWith("warning: trigger actions not done after 1s: abandoned"));
  }

  @Test
  void aHangingCommandIsKilledAfterItsTimeoutWithoutBlockingTheCaller() throws Exception {
    Path pid = dir.resolve("pid");
    TriggerActions actions =
        TriggerActions.start(
            options()
                .withCommand("echo $$ > '" + pid + "'; sleep 60 & wait")
                .withCommandTimeout(Duration.ofSeconds(1)));
    assertTimeoutPreemptively(NEVER_BLOCKS, () -> actions.offer(event(TriggerEvent.Kind.FIRED)));
    assertTimeoutPreemptively(Duration.ofSeconds(20), actions::close);
    assertThat(log).contains("warning: trigger errorRate fired: command killed after 1s (timeout)");
    long shell = Long.parseLong(Files.readString(pid).strip());
    assertThat(ProcessHandle.of(shell).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void closeWaitsABoundedTimeThenKillsWhatIsStillRunning() throws Exception {
    Path pid = dir.resolve("pid");
    TriggerActions actions =
        TriggerActions.start(
            options()
                .withCommand("echo $$ > '" + pid + "'; exec sleep 60")
                .withCloseTimeout(Duration.ofSeconds(1)));
    actions.offer(event(TriggerEvent.Kind.FIRED));
    actions.offer(event(TriggerEvent.Kind.CLEARED));
    assertTimeoutPreemptively(Duration.ofSeconds(20), actions::close);
    assertThat(log)
        .anySatisfy(
            l -> assertThat(l).startsWith("warning: trigger actions not done after 1s: abandoned"));
    if (Files.exists(pid)) {
      long shell = Long.parseLong(Files.readString(pid).strip());
      assertThat(ProcessHandle.of(shell).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
    assertThat(actions.offer(event(TriggerEvent.Kind.FIRED))).as("closed").isFalse();
  }

  @Test
  void badOptionsAreRefused() {
    assertThatThrownBy(
            () -> TriggerActions.Options.none().withWebhook(URI.create("ftp://example.com/x")))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "webhook: expected an http:// or https:// URL with a host, got one with scheme \"ftp\"");
    assertThatThrownBy(() -> TriggerActions.Options.none().withCommand(" "))
        .hasMessage("command: expected a shell command, got an empty one");
    assertThatThrownBy(() -> TriggerActions.Options.none().withQueueCapacity(0))
        .hasMessage("queueCapacity: expected between 1 and 10000, got 0");
  }
}
