package dev.shadowtest.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.AssertionFailedError;

/**
 * Runs in its own Surefire execution, with allure-jupiter on the classpath (the other tests run
 * without it): the report, the summary and a failing endpoint's diff become Allure attachments in
 * target/allure-results, and a {@code @TestFactory}'s report lands on its container.
 */
@ShadowReplay(recording = "shadow/legacy.jsonl")
class AllureAttachmentTests {

  static HttpServer server;

  @BeforeAll
  static void start() throws IOException {
    server = TestServices.start(true, new AtomicInteger());
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  @ShadowCandidate
  static String candidate() {
    return TestServices.url(server);
  }

  @Test
  void theReportSummaryAndFailingDiffsAreAttached(ShadowRun run) throws Throwable {
    assertThat(Attachments.allure()).isTrue();
    Path results = Path.of(System.getProperty("allure.results.directory", "allure-results"));
    List<Path> before = attachments(results);

    assertThatThrownBy(run::assertGate)
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("Shadow gate failed");
    try (Stream<DynamicTest> tests = run.endpointTests()) {
      for (DynamicTest t : tests.toList()) {
        try {
          t.getExecutable().execute();
        } catch (AssertionFailedError expected) {
          assertThat(t.getDisplayName()).startsWith("GET /api/products/{id}");
        }
      }
    }

    List<Path> added = attachments(results);
    added.removeAll(before);
    assertThat(added)
        .anySatisfy(p -> assertThat(Files.readString(p)).contains("Shadow discrepancy report"));
    assertThat(added)
        .anySatisfy(p -> assertThat(Files.readString(p)).contains("\"discrepancyRate\" : 0.125"));
    assertThat(added)
        .anySatisfy(
            p ->
                assertThat(Files.readString(p))
                    .contains("GET /api/products/{id}: discrepancy rate 25.00% is above 0.50%")
                    .contains("VALUE $.price"));
  }

  /** A class with only a factory: the report can only go to the factory's container. */
  @ShadowReplay(recording = "shadow/legacy.jsonl")
  static class FactoryOnlyTestCase {
    @ShadowCandidate
    static String candidate() {
      return TestServices.url(server);
    }

    @TestFactory
    Stream<DynamicTest> endpoints(ShadowRun run) {
      return run.endpointTests();
    }
  }

  @Test
  void aFactorysReportIsAttachedToItsContainer() throws Exception {
    Path results = Path.of(System.getProperty("allure.results.directory", "allure-results"));
    List<Path> before = attachments(results);
    List<Path> containersBefore = files(results, "-container.json");
    // through a real Launcher, so that Allure's own listener (auto-registered) records the run; on
    // a thread of its own, so that it does not touch this test's Allure context
    Thread t =
        new Thread(
            () ->
                LauncherFactory.create()
                    .execute(
                        LauncherDiscoveryRequestBuilder.request()
                            .selectors(DiscoverySelectors.selectClass(FactoryOnlyTestCase.class))
                            .build()));
    t.start();
    t.join(60_000);

    List<Path> containers = files(results, "-container.json");
    containers.removeAll(containersBefore);
    ObjectMapper json = new ObjectMapper();
    JsonNode factory = null;
    for (Path c : containers) {
      JsonNode n = json.readTree(c.toFile());
      if (n.path("name").asText().equals("endpoints(ShadowRun)")) {
        factory = n;
      }
    }
    assertThat(factory).as("the factory's container in " + containers).isNotNull();
    assertThat(factory.path("children")).as("its endpoint tests").hasSize(2);
    JsonNode afters = factory.path("afters");
    assertThat(afters).hasSize(1);
    assertThat(afters.get(0).path("name").asText()).isEqualTo("Shadow report");
    List<String> names = new ArrayList<>();
    afters.get(0).path("attachments").forEach(a -> names.add(a.path("name").asText()));
    assertThat(names).containsExactly("Shadow report", "Shadow summary.json");
    String source = afters.get(0).path("attachments").get(0).path("source").asText();
    assertThat(Files.readString(results.resolve(source))).contains("Shadow discrepancy report");

    List<Path> added = attachments(results);
    added.removeAll(before);
    for (Path a : added) {
      assertThat(Files.readString(results.resolve(a.getFileName())).isEmpty()).isFalse();
    }
    List<String> referenced = new ArrayList<>();
    for (Path f : files(results, ".json")) {
      String text = Files.readString(f);
      added.stream()
          .map(a -> a.getFileName().toString())
          .filter(text::contains)
          .forEach(referenced::add);
    }
    assertThat(referenced)
        .as("no attachment written that no result refers to")
        .containsExactlyInAnyOrderElementsOf(
            added.stream().map(a -> a.getFileName().toString()).toList());
  }

  @Test
  void theFactorysContainerOpensAndClosesAnAllureFixtureThroughReportEntries() {
    var entries =
        EngineTestKit.engine("junit-jupiter")
            .selectors(DiscoverySelectors.selectClass(FactoryOnlyTestCase.class))
            .execute()
            .containerEvents()
            .reportingEntryPublished()
            .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
            .filter(m -> m.containsKey("allure.fixture"))
            .toList();
    assertThat(entries).hasSize(2);
    assertThat(entries.get(0))
        .containsEntry("allure.fixture", "tear_down")
        .containsEntry("event", "start")
        .containsEntry("name", "Shadow report");
    assertThat(entries.get(1))
        .containsEntry("event", "stop")
        .containsEntry("uuid", entries.get(0).get("uuid"));
  }

  static List<Path> files(Path dir, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return new ArrayList<>();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList());
    }
  }

  static List<Path> attachments(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return new ArrayList<>();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(
          s.filter(p -> p.getFileName().toString().contains("-attachment")).toList());
    }
  }
}
