package dev.shadowtest.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Runs in its own Surefire execution, with allure-jupiter on the classpath (the other tests run
 * without it): the report, the summary and a failing endpoint's diff become Allure attachments in
 * target/allure-results.
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

    assertThatThrownBy(run::assertGate).isInstanceOf(AssertionFailedError.class).hasMessageContaining("Shadow gate failed");
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
    assertThat(added).anySatisfy(p -> assertThat(Files.readString(p)).contains("Shadow discrepancy report"));
    assertThat(added).anySatisfy(p -> assertThat(Files.readString(p)).contains("\"discrepancyRate\" : 0.125"));
    assertThat(added).anySatisfy(p -> assertThat(Files.readString(p))
        .contains("GET /api/products/{id}: discrepancy rate 25.00% is above 0.50%").contains("VALUE $.price"));
  }

  static List<Path> attachments(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return new java.util.ArrayList<>();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return new java.util.ArrayList<>(s.filter(p -> p.getFileName().toString().contains("-attachment")).toList());
    }
  }
}
