package dev.shadowtest.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * {@code @ShadowReplay} through the JUnit engine, on fixture classes ({@code *TestCase}, run only
 * from here) against real services on 127.0.0.1: a candidate within the gate, one over it, one
 * the test class starts itself, a missing recording, an unreachable candidate.
 */
class ShadowExtensionTests {

  static final AtomicInteger GOOD_HITS = new AtomicInteger();
  static final AtomicInteger BAD_HITS = new AtomicInteger();
  static HttpServer good;
  static HttpServer bad;

  @BeforeAll
  static void start() throws IOException {
    good = TestServices.start(false, GOOD_HITS);
    bad = TestServices.start(true, BAD_HITS);
    System.setProperty("shadow.it.good", TestServices.url(good));
    System.setProperty("shadow.it.bad", TestServices.url(bad));
    System.setProperty(
        "shadow.it.recording",
        Path.of("src/test/resources/shadow/legacy.jsonl").toAbsolutePath().toString());
  }

  @AfterAll
  static void stop() {
    good.stop(0);
    bad.stop(0);
    System.clearProperty("shadow.it.good");
    System.clearProperty("shadow.it.bad");
    System.clearProperty("shadow.it.recording");
  }

  static Events run(Class<?> testCase) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(testCase))
        .execute()
        .allEvents();
  }

  // ---- fixtures -------------------------------------------------------------------------------

  @ShadowReplay(recording = "${shadow.it.recording}", candidate = "${shadow.it.good}")
  static class WithinTheGateTestCase {
    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }

    @Test
    void custom(ShadowRun run) {
      assertThat(run.endpoint("GET /api/users/{id}").orElseThrow().compared()).isEqualTo(20);
      assertThat(run.discrepancyRate()).isZero();
      assertThat(run.report()).exists();
    }
  }

  @ShadowReplay(recording = "shadow/legacy.jsonl", candidate = "${shadow.it.bad}")
  static class OverTheGateTestCase {
    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(
      recording = "shadow/legacy.jsonl",
      candidate = "${shadow.it.bad}",
      rules = "shadow-it-rules.yaml")
  static class RuleOverrideTestCase {
    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }
  }

  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class SelfStartedCandidateTestCase {
    static final AtomicInteger HITS = new AtomicInteger();
    static HttpServer server;

    @BeforeAll
    static void startTheNewSystem() throws IOException {
      server = TestServices.start(false, HITS);
    }

    @AfterAll
    static void stopIt() {
      server.stop(0);
    }

    @ShadowCandidate
    static String candidate() {
      return TestServices.url(server);
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(recording = "no/such/recording.jsonl", candidate = "http://127.0.0.1:9")
  static class MissingRecordingTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(recording = "shadow/legacy.jsonl", candidate = "http://127.0.0.1:1")
  static class UnreachableCandidateTestCase {
    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(recording = "shadow/legacy.jsonl", candidate = "${shadow.it.unset}")
  static class UnsetPropertyTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class NoCandidateTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(recording = "shadow/legacy.jsonl", candidate = "${shadow.it.good}")
  static class NestedTestCase {
    @Test
    void outer(ShadowRun run) {
      run.assertGate();
    }

    @Nested
    class Inner {
      @Test
      void inner(ShadowRun run) {
        run.assertGate();
      }
    }
  }

  @ShadowReplay(recording = "shadow/posts-only.jsonl", candidate = "${shadow.it.good}")
  static class NothingComparedTestCase {
    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }
  }

  @ShadowReplay(recording = "shadow/legacy.jsonl", candidate = "${shadow.it.unset.candidate:}")
  static class PlaceholderFallbackTestCase {
    @ShadowCandidate
    static String candidate() {
      return System.getProperty("shadow.it.good");
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(recording = "shadow/with-posts.jsonl", candidate = "${shadow.it.good}")
  static class SomeEndpointsSkippedTestCase {
    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }
  }

  @ShadowReplay(
      recording = "${shadow.it.recording}",
      candidate = "${shadow.it.halfHung}",
      timeoutSeconds = 1)
  static class HalfUnansweredTestCase {
    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  // ---- tests ----------------------------------------------------------------------------------

  /** An endpoint none of whose exchanges was compared is skipped, with why, never passed. */
  @Test
  void anEndpointWithNothingComparedIsSkippedNotPassed() {
    run(SomeEndpointsSkippedTestCase.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test(),
                displayName("POST /api/carts"),
                org.junit.platform.testkit.engine.EventConditions.abortedWithReason(
                    message(
                        m ->
                            m.equals(
                                "POST /api/carts: nothing compared (5 exchanges: 5 skipped, 0"
                                    + " without a baseline)")))))
        .haveAtLeast(1, event(test(), finishedSuccessfully()));
  }

  /**
   * A candidate that answers only half of an endpoint's requests in time fails the gate, though
   * every answer it gave matched: an unanswered exchange is no match.
   */
  @Test
  void unansweredExchangesFailTheGateWithoutAnErrorThreshold() {
    HttpServer halfHung =
        dev.shadowtest.testing.LoopbackServer.start(
                16,
                "/api/",
                ex -> {
                  String[] parts = ex.getRequestURI().getPath().split("/");
                  int id = Integer.parseInt(parts[3]);
                  if (parts[2].equals("products") && id % 2 == 0) {
                    try {
                      Thread.sleep(2500); // past the 1 s timeout
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                  dev.shadowtest.testing.LoopbackServer.send(
                      ex,
                      200,
                      "application/json",
                      parts[2].equals("users")
                          ? TestServices.user(id)
                          : TestServices.product(id, false));
                })
            .server();
    System.setProperty("shadow.it.halfHung", TestServices.url(halfHung));
    try {
      run(HalfUnansweredTestCase.class)
          .assertThatEvents()
          .haveExactly(
              1,
              event(
                  test("overall"),
                  finishedWithFailure(
                      message(
                          m ->
                              m.contains(
                                  "25.00% of the attempted exchanges got no answer from the"
                                      + " candidate (10 of 40")))))
          .haveExactly(
              1,
              event(
                  test(),
                  displayName("GET /api/products/{id}"),
                  finishedWithFailure(
                      message(
                          m ->
                              m.contains(
                                  "GET /api/products/{id}: 50.00% of the attempted exchanges got"
                                      + " no answer")))))
          .haveExactly(
              1, event(test(), displayName("GET /api/users/{id}"), finishedSuccessfully()));
    } finally {
      System.clearProperty("shadow.it.halfHung");
      halfHung.stop(0);
    }
  }

  @Test
  void nestedClassesShareTheEnclosingReplay() {
    int before = GOOD_HITS.get();
    Events events = run(NestedTestCase.class);
    events
        .assertThatEvents()
        .haveExactly(1, event(test("outer"), finishedSuccessfully()))
        .haveExactly(1, event(test("inner"), finishedSuccessfully()));
    assertThat(GOOD_HITS.get() - before)
        .as("one replay for the class and its nested class")
        .isEqualTo(40);
  }

  @Test
  void nothingComparedIsNeverAPass() {
    run(NothingComparedTestCase.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container("endpoints"),
                finishedWithFailure(
                    message(
                        m ->
                            m.startsWith("nothing was compared in the replay")
                                && m.contains("5 exchanges: 5 skipped")))));
  }

  @Test
  void anEmptyPlaceholderFallsBackToShadowCandidate() {
    run(PlaceholderFallbackTestCase.class)
        .assertThatEvents()
        .haveExactly(1, event(test("overall"), finishedSuccessfully()));
  }

  @Test
  void aCandidateWithinTheGatePassesAndIsReplayedOncePerClass() {
    int before = GOOD_HITS.get();
    Events events = run(WithinTheGateTestCase.class);
    events
        .assertThatEvents()
        .haveExactly(1, event(test(), displayName("GET /api/users/{id}"), finishedSuccessfully()))
        .haveExactly(
            1, event(test(), displayName("GET /api/products/{id}"), finishedSuccessfully()))
        .haveExactly(1, event(test("overall"), finishedSuccessfully()))
        .haveExactly(1, event(test("custom"), finishedSuccessfully()));
    assertThat(events.failed().count()).isZero();
    assertThat(GOOD_HITS.get() - before)
        .as("three tests, one replay of the 40 exchanges")
        .isEqualTo(40);
    Path dir = Path.of("target/shadow", WithinTheGateTestCase.class.getName());
    assertThat(dir.resolve("report.html")).exists();
    assertThat(dir.resolve("summary.json")).exists();
    assertThat(dir.resolve("discrepancies.csv")).exists();
  }

  @Test
  void aCandidateOverTheGateFailsWithAnActionableMessage() {
    Events events = run(OverTheGateTestCase.class);
    Path report =
        Path.of("target/shadow", OverTheGateTestCase.class.getName(), "report.html")
            .toAbsolutePath();
    events
        .assertThatEvents()
        .haveExactly(1, event(test(), displayName("GET /api/users/{id}"), finishedSuccessfully()))
        .haveExactly(
            1,
            event(
                test(),
                displayName("GET /api/products/{id}"),
                finishedWithFailure(
                    message(
                        m ->
                            m.startsWith(
                                    "GET /api/products/{id}: discrepancy rate 25.00% is above 0.50% (5 of 20 compared, 0 errors)")
                                && m.contains("top differing fields:")
                                && m.contains("$.price")
                                && m.contains("VALUE")
                                && m.contains("5 of 20 compared (noise 0)")
                                && m.matches(
                                    "(?s).*example: exchange p(4|8|12|16|20), GET /api/products/(4|8|12|16|20)\n.*")
                                && m.contains("VALUE $.price: expected 10.00, actual 10.01")
                                && m.contains("report: " + report)))))
        .haveExactly(
            1,
            event(
                test("overall"),
                finishedWithFailure(
                    message(
                        m ->
                            m.contains(
                                    "Shadow gate failed for " + OverTheGateTestCase.class.getName())
                                && m.contains(
                                    "discrepancy rate 12.50% is above 0.50% (5 of 40 compared)")
                                && m.contains("GET /api/products/{id}: 25.00% (5/20)")
                                && m.contains("report: " + report)))));
  }

  @Test
  void perEndpointThresholdsFromTheRulesApply() {
    Events events = run(RuleOverrideTestCase.class);
    events
        .assertThatEvents()
        .haveExactly(
            1, event(test(), displayName("GET /api/products/{id}"), finishedSuccessfully()));
  }

  @Test
  void theTestClassCanStartTheCandidateItself() {
    Events events = run(SelfStartedCandidateTestCase.class);
    events.assertThatEvents().haveExactly(1, event(test("overall"), finishedSuccessfully()));
    assertThat(SelfStartedCandidateTestCase.HITS.get()).isEqualTo(40);
  }

  @Test
  void aMissingRecordingFailsWithAClearMessage() {
    run(MissingRecordingTestCase.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("overall"),
                finishedWithFailure(
                    message(
                        m ->
                            m.contains(
                                    "@ShadowReplay on " + MissingRecordingTestCase.class.getName())
                                && m.contains(
                                    "recording \"no/such/recording.jsonl\" not found: neither a file")
                                && m.contains("nor a resource on the test classpath")))));
  }

  @Test
  void anUnreachableCandidateFailsQuicklyAndClearly() {
    long t0 = System.nanoTime();
    Events events = run(UnreachableCandidateTestCase.class);
    assertThat((System.nanoTime() - t0) / 1e9).as("seconds").isLessThan(30);
    events
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                container("endpoints"),
                finishedWithFailure(
                    message(
                        m ->
                            m.contains("was aborted: candidate unreachable")
                                && m.contains("report: ")))))
        .haveExactly(
            1,
            event(
                test("overall"),
                finishedWithFailure(message(m -> m.contains("candidate unreachable")))));
  }

  @Test
  void configurationMistakesAreNamed() {
    run(UnsetPropertyTestCase.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("overall"),
                finishedWithFailure(
                    message(
                        m ->
                            m.contains(
                                "shadow.it.unset is neither a system property nor an environment variable")))));
    run(NoCandidateTestCase.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("overall"),
                finishedWithFailure(
                    message(
                        m ->
                            m.contains(
                                    "no candidate: set @ShadowReplay(candidate = \"http://...\")")
                                && m.contains(
                                    "or annotate a field or method with @ShadowCandidate")))));
  }

  @Test
  void placeholdersTakeDefaults() throws IOException {
    assertThat(Placeholders.resolve("x", "${shadow.it.nothing:http://h:1}/a"))
        .isEqualTo("http://h:1/a");
    assertThat(Placeholders.resolve("x", "plain")).isEqualTo("plain");
    assertThat(Files.exists(Path.of(System.getProperty("shadow.it.recording")))).isTrue();
    assertThat(Attachments.allure())
        .as("this execution runs without Allure on the classpath")
        .isFalse();
  }
}
