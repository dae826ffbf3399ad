package dev.shadowtest.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * What a new system's build needs from the extension, through the JUnit engine (fixtures
 * {@code *TestCase}, run only from here) against real services on 127.0.0.1: a port as the
 * candidate, an empty rules placeholder, stable test names and the summary line, the warm-up of
 * a cold candidate and the latency gate's messages, the primary as a member, redacted credentials,
 * and the one-line explanation of a library mismatch.
 */
class BuildIntegrationTests {

  static final AtomicInteger GOOD_HITS = new AtomicInteger();
  static HttpServer good;

  @BeforeAll
  static void start() throws IOException {
    good = TestServices.start(false, GOOD_HITS);
    System.setProperty("shadow.bt.good", TestServices.url(good));
    System.setProperty("shadow.bt.rules", "");
  }

  @AfterAll
  static void stop() {
    good.stop(0);
    System.clearProperty("shadow.bt.good");
    System.clearProperty("shadow.bt.rules");
  }

  static Events run(Class<?> testCase) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(testCase))
        .execute()
        .allEvents();
  }

  // ---- fixtures -------------------------------------------------------------------------------

  /** Spring Boot's {@code @LocalServerPort int port}, without Spring: an int member is a port. */
  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class PortCandidateTestCase {
    @ShadowCandidate int port = good.getAddress().getPort();

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class ZeroPortTestCase {
    @ShadowCandidate static int port;

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  /** {@code -Dshadow.bt.rules=} (set empty above): the default rules, as documented. */
  @ShadowReplay(
      recording = "shadow/legacy.jsonl",
      candidate = "${shadow.bt.good}",
      rules = "${shadow.bt.rules:shadow-it-rules.yaml}")
  static class EmptyRulesPlaceholderTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(
      recording = "shadow/legacy.jsonl",
      candidate = "${shadow.bt.good}",
      rules = "${shadow.bt.rules}")
  static class EmptyRulesPropertyTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  /** A recording cut mid-line, and a gate of 0.5 (50%, where 0.5% was meant). */
  @ShadowReplay(
      recording = "${shadow.bt.cut}",
      candidate = "${shadow.bt.good}",
      maxDiscrepancyRate = 0.5)
  static class LooseGateCutRecordingTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  /** A recording with a damaged line in its middle. */
  @ShadowReplay(recording = "${shadow.bt.damaged}", candidate = "${shadow.bt.good}")
  static class DamagedRecordingTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(
      recording = "${shadow.bt.damaged}",
      candidate = "${shadow.bt.good}",
      skipBadLines = true)
  static class DamagedRecordingAcceptedTestCase {
    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  @ShadowReplay(recording = "shadow/legacy.jsonl", candidate = "${shadow.bt.good}")
  static class StableNamesTestCase {
    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }
  }

  /**
   * A candidate whose first 20 answers take 300 ms, measured with no warm-up, against a primary
   * that always takes 20 ms (so that the warm ratio, about 0.1, is far from the gate's 5).
   */
  @ShadowReplay(
      recording = "shadow/legacy.jsonl",
      maxLatencyRatio = 5,
      minLatencySamples = 10,
      warmup = 0,
      concurrency = 2)
  static class ColdCandidateTestCase extends ColdFixture {}

  /** The same cold candidate with the default warm-up of a latency gate. */
  @ShadowReplay(
      recording = "shadow/legacy.jsonl",
      maxLatencyRatio = 5,
      minLatencySamples = 10,
      concurrency = 2)
  static class WarmedCandidateTestCase extends ColdFixture {}

  /** 20 exchanges per endpoint are fewer than the default 30 latency samples. */
  @ShadowReplay(recording = "shadow/legacy.jsonl", maxLatencyRatio = 5)
  static class TooFewLatencySamplesTestCase extends ColdFixture {}

  abstract static class ColdFixture {
    static final AtomicInteger CANDIDATE_HITS = new AtomicInteger();
    static final AtomicInteger PRIMARY_HITS = new AtomicInteger();
    static HttpServer candidate;
    static HttpServer primary;

    @BeforeAll
    static void startBoth() throws IOException {
      CANDIDATE_HITS.set(0);
      PRIMARY_HITS.set(0);
      candidate = TestServices.start(false, CANDIDATE_HITS, 20, null, null, 0);
      primary = TestServices.start(false, PRIMARY_HITS, 0, null, null, 20);
    }

    @AfterAll
    static void stopBoth() {
      candidate.stop(0);
      primary.stop(0);
    }

    @ShadowCandidate
    static int candidatePort() {
      return candidate.getAddress().getPort();
    }

    /** The legacy started by the test, as a member: no system property. */
    @ShadowPrimary
    static String legacy() {
      return TestServices.url(primary);
    }

    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  /** A recording whose Authorization was redacted at capture, against a candidate that needs one. */
  @ShadowReplay(recording = "${shadow.bt.redacted}")
  static class RedactedCredentialsTestCase extends AuthFixture {}

  @ShadowReplay(
      recording = "${shadow.bt.redacted}",
      headers = "Authorization=Bearer ${shadow.bt.token}")
  static class InjectedCredentialsTestCase extends AuthFixture {}

  abstract static class AuthFixture {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();
    static HttpServer server;

    @BeforeAll
    static void startIt() throws IOException {
      SEEN.clear();
      server = TestServices.start(false, new AtomicInteger(), 0, "Bearer t0ken", SEEN, 0);
    }

    @AfterAll
    static void stopIt() {
      server.stop(0);
    }

    @ShadowCandidate
    static URI candidate() {
      return URI.create(TestServices.url(server));
    }

    @Test
    void overall(ShadowRun run) {
      run.assertGate();
    }
  }

  // ---- tests ----------------------------------------------------------------------------------

  private final PrintStream stdout = System.out;

  @AfterEach
  void restoreStdout() {
    System.setOut(stdout);
  }

  @Test
  void aPortIsACandidate() {
    int before = GOOD_HITS.get();
    run(PortCandidateTestCase.class)
        .assertThatEvents()
        .haveExactly(1, event(test("overall"), finishedSuccessfully()));
    assertThat(GOOD_HITS.get() - before).isEqualTo(40);
    run(ZeroPortTestCase.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("overall"),
                finishedWithFailure(
                    message(
                        m ->
                            m.contains(
                                "@ShadowCandidate field port is the port 0: not a port a server listens on (is the server started yet?")))));
  }

  @Test
  void anEmptyRulesPlaceholderMeansTheDefaultRules() {
    run(EmptyRulesPlaceholderTestCase.class)
        .assertThatEvents()
        .haveExactly(1, event(test("overall"), finishedSuccessfully()));
    run(EmptyRulesPropertyTestCase.class)
        .assertThatEvents()
        .haveExactly(1, event(test("overall"), finishedSuccessfully()));
  }

  @Test
  void endpointTestsAreNamedByEndpointAloneAndARunPrintsOneSummaryLine() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Events events = run(StableNamesTestCase.class);
    System.setOut(stdout);
    events
        .assertThatEvents()
        .haveExactly(1, event(test(), displayName("GET /api/users/{id}"), finishedSuccessfully()))
        .haveExactly(
            1, event(test(), displayName("GET /api/products/{id}"), finishedSuccessfully()));
    Path report =
        Path.of("target/shadow", StableNamesTestCase.class.getName(), "report.html")
            .toAbsolutePath();
    List<String> lines =
        captured
            .toString(StandardCharsets.UTF_8)
            .lines()
            .filter(l -> l.startsWith("Shadow "))
            .toList();
    assertThat(lines)
        .containsExactly(
            "Shadow "
                + StableNamesTestCase.class.getName()
                + ": 0.00% discrepant (0/40 compared,"
                + " 40 exchanges) against "
                + TestServices.url(good)
                + ", gate passed (at most 0.50% allowed); report: "
                + report);
  }

  @Test
  void aDamagedRecordingFailsUnlessItsBadLinesAreAccepted(@TempDir Path dir) throws IOException {
    List<String> lines =
        new java.util.ArrayList<>(
            new String(
                    BuildIntegrationTests.class
                        .getResourceAsStream("/shadow/legacy.jsonl")
                        .readAllBytes(),
                    StandardCharsets.UTF_8)
                .lines()
                .toList());
    lines.add(5, "{this line was damaged");
    Path damaged = dir.resolve("damaged.jsonl");
    Files.write(damaged, lines);
    System.setProperty("shadow.bt.damaged", damaged.toString());
    try {
      run(DamagedRecordingTestCase.class)
          .assertThatEvents()
          .haveExactly(
              1,
              event(
                  test("overall"),
                  finishedWithFailure(
                      message(m -> m.contains("@ShadowReplay(skipBadLines = true)")))));
      run(DamagedRecordingAcceptedTestCase.class)
          .assertThatEvents()
          .haveExactly(1, event(test("overall"), finishedSuccessfully()));
    } finally {
      System.clearProperty("shadow.bt.damaged");
    }
  }

  @Test
  void aGreenRunPrintsItsThresholdAndItsWarnings(@TempDir Path dir) throws IOException {
    byte[] whole =
        BuildIntegrationTests.class.getResourceAsStream("/shadow/legacy.jsonl").readAllBytes();
    Path cut = dir.resolve("cut.jsonl");
    // the last line loses its end, as a recorder killed mid-write leaves it
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 40));
    System.setProperty("shadow.bt.cut", cut.toString());
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Events events;
    try {
      events = run(LooseGateCutRecordingTestCase.class);
    } finally {
      System.setOut(stdout);
      System.clearProperty("shadow.bt.cut");
    }
    events.assertThatEvents().haveExactly(1, event(test("overall"), finishedSuccessfully()));
    String printed = captured.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains(
            "0.00% discrepant (0/39 compared, 39 exchanges) against "
                + TestServices.url(good)
                + ", gate passed (at most 50.00% allowed: maxDiscrepancyRate is a fraction, 0.005 is"
                + " 0.5%); report: ")
        .containsPattern("\n  warning: .*cut\\.jsonl.*");
  }

  @Test
  void aColdCandidateFailsTheLatencyGateAndTheMessageSaysItWasCold() {
    Events events = run(ColdCandidateTestCase.class);
    events
        .assertThatEvents()
        .haveAtLeastOne(
            event(
                test(),
                finishedWithFailure(
                    message(
                        m ->
                            m.matches(
                                "(?s)GET /api/(users|products)/\\{id}: candidate p99 .* ms is .*x the baseline's .* ms, above 5.00x"
                                    + " \\(20 samples, measured after no warm-up\\); the candidate was cold: .*set @ShadowReplay\\(warmup = 100\\).*")))));
    assertThat(ColdFixture.CANDIDATE_HITS.get()).isEqualTo(40);
  }

  @Test
  void theWarmUpIsSentFirstAndNotMeasured() {
    Events events = run(WarmedCandidateTestCase.class);
    events
        .assertThatEvents()
        .haveExactly(1, event(test(), displayName("GET /api/users/{id}"), finishedSuccessfully()))
        .haveExactly(
            1, event(test(), displayName("GET /api/products/{id}"), finishedSuccessfully()))
        .haveExactly(1, event(test("overall"), finishedSuccessfully()));
    assertThat(ColdFixture.CANDIDATE_HITS.get())
        .as("40 warm-up requests (all safe ones), then the 40 measured")
        .isEqualTo(80);
    assertThat(ColdFixture.PRIMARY_HITS.get()).as("the primary is warmed too").isEqualTo(80);
  }

  @Test
  void tooFewLatencySamplesAreSaidSo() {
    run(TooFewLatencySamplesTestCase.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("overall"),
                finishedWithFailure(
                    message(
                        m ->
                            m.startsWith(
                                "maxLatencyRatio is set but no endpoint has the 30 latency samples it needs (the most: 20)")))));
  }

  @Test
  void redactedCredentialsAreNeverSentAndA401EverywhereIsReported(@TempDir Path dir)
      throws IOException {
    Path recording = dir.resolve("redacted.jsonl");
    List<String> lines = Files.readAllLines(Path.of("src/test/resources/shadow/legacy.jsonl"));
    StringBuilder out = new StringBuilder(lines.get(0)).append('\n');
    for (String l : lines.subList(1, lines.size())) {
      out.append(
              l.replace(
                  "\"headers\": [[\"Accept\", \"application/json\"]]",
                  "\"headers\": [[\"Accept\", \"application/json\"], [\"Authorization\", \"[REDACTED]\"]]"))
          .append('\n');
    }
    Files.writeString(recording, out);
    System.setProperty("shadow.bt.redacted", recording.toString());
    System.setProperty("shadow.bt.token", "t0ken");
    try {
      run(RedactedCredentialsTestCase.class)
          .assertThatEvents()
          .haveExactly(
              1,
              event(
                  test("overall"),
                  finishedWithFailure(
                      message(
                          m ->
                              m.contains(
                                      "warning: the candidate answered 401 Unauthorized to every exchange it answered (40;"
                                          + " the baseline to 0): it needs credentials the replay does not send, because the recorded ones were"
                                          + " redacted at capture")
                                  && m.contains(
                                      "@ShadowReplay(headers = \"Authorization=Bearer ${TOKEN}\")")
                                  && m.contains(
                                      "recorded header values redacted at capture were not sent (authorization: 40 requests), and the candidate"
                                          + " answered 401 or 403 to 40 exchanges the baseline did not")))));
      assertThat(AuthFixture.SEEN).as("[REDACTED] is never sent as a credential").isEmpty();

      run(InjectedCredentialsTestCase.class)
          .assertThatEvents()
          .haveExactly(1, event(test("overall"), finishedSuccessfully()));
      assertThat(AuthFixture.SEEN).hasSize(40).containsOnly("Bearer t0ken");
    } finally {
      System.clearProperty("shadow.bt.redacted");
      System.clearProperty("shadow.bt.token");
    }
  }

  @Test
  void aLibraryMismatchIsExplainedInOneLine() {
    String line =
        Linkage.explain(
            new NoSuchMethodError(
                "'java.util.Optional"
                    + " org.junit.jupiter.api.extension.ExtensionContext.getSomethingNew()'"));
    assertThat(line)
        .doesNotContain("\n")
        .startsWith(
            "a class or method of JUnit Jupiter is missing although the test classpath has 5.14.4, the version the"
                + " extension was built with (NoSuchMethodError: 'java.util.Optional org.junit.jupiter.api.extension")
        .endsWith(
            "look for a second, older copy of it on the test classpath (`mvn dependency:tree`, or a shaded jar"
                + " that bundles it)");
    assertThat(Linkage.explain(new NoClassDefFoundError("io/qameta/allure/SomethingNew")))
        .startsWith("needs Allure ")
        .contains("but the test classpath has none (NoClassDefFoundError: io/qameta/allure/")
        .contains("set the property the allure-bom / allure-jupiter version to ");
    assertThat(
            Linkage.explain(
                new NoSuchMethodError(
                    "'void dev.shadowtest.shaded.org.apache.hc.core5.Foo.bar()'")))
        .as("relocated libraries are the extension's own")
        .startsWith("a library on the test classpath is not the version");
  }

  @Test
  void inProcessTargetsAreValidUris() {
    assertThat(SpringTransports.encoded("/a b|c{d}?q=\u00e9%20&x=\"<>\""))
        .isEqualTo("/a%20b%7Cc%7Bd%7D?q=%C3%A9%20&x=%22%3C%3E%22");
    assertThat(SpringTransports.encoded("/plain?q=1")).isEqualTo("/plain?q=1");
  }

  @Test
  void runDirectoriesGoWhereTheBuildToolPutsOutputs() {
    assertThat(ShadowExtension.defaultOutputDirectory()).isEqualTo(Path.of("target", "shadow"));
    System.setProperty("org.gradle.test.worker", "1"); // what Gradle's test workers carry
    try {
      assertThat(ShadowExtension.defaultOutputDirectory()).isEqualTo(Path.of("build", "shadow"));
    } finally {
      System.clearProperty("org.gradle.test.worker");
    }
  }

  @Test
  void noSpringHereMeansNoSpringSupport() {
    assertThatThrownBy(() -> Class.forName(Spring.EXTENSION))
        .as("this execution runs without Spring on the classpath")
        .isInstanceOf(ClassNotFoundException.class);
    assertThat(Spring.manages(PortCandidateTestCase.class)).isFalse();
    run(StableNamesTestCase.class)
        .assertThatEvents()
        .haveExactly(0, event(container(), finishedWithFailure()));
  }
}
