package dev.shadowtest.junit;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Allure attachments when Allure is on the test classpath (allure-jupiter), nothing otherwise:
 * Allure is an optional dependency, detected at run time, and its classes are only touched
 * through {@link AllureAttachments}.
 */
final class Attachments {

  /** Allure is present and usable: false from its first linkage error on. */
  private static volatile boolean allure = present();

  private Attachments() {}

  private static boolean present() {
    try {
      Class.forName("io.qameta.allure.Allure", false, Attachments.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  static boolean allure() {
    return allure;
  }

  /**
   * Attachments are optional: an Allure on the classpath whose API is not the one Shadow was built
   * against (a {@link LinkageError}, e.g. {@code NoSuchMethodError}) or that fails turns them off,
   * said once on stderr, and never changes a test's verdict.
   */
  private static void attach(Runnable attaching) {
    if (!allure) {
      return;
    }
    try {
      attaching.run();
    } catch (LinkageError | RuntimeException e) {
      allure = false;
      System.err.println(
          "Shadow: no Allure attachments: the Allure on the test classpath is not one Shadow can"
              + " use ("
              + e
              + "); allure-java 2.x is needed. The gate's verdict is unaffected.");
    }
  }

  /** The report and the summary, on the current test (or fixture); nothing when Allure records none. */
  static void run(Path html, Path summary) {
    attach(
        () -> {
          AllureAttachments.file("Shadow report", "text/html", html, ".html");
          AllureAttachments.file("Shadow summary.json", "application/json", summary, ".json");
        });
  }

  /**
   * The report and the summary on a {@code @TestFactory}'s container, after its dynamic tests:
   * Allure has no current test there, so a tear-down fixture is opened in the container through
   * the JUnit report entries Allure's listener understands ({@code allure.fixture}), the files are
   * attached to it, and it is closed. Allure shows them under "Tear down" of the endpoint tests.
   */
  static void container(ExtensionContext context, Path html, Path summary) {
    if (!allure) {
      return;
    }
    String uuid = UUID.randomUUID().toString();
    context.publishReportEntry(
        Map.of(
            "allure.fixture",
            "tear_down",
            "event",
            "start",
            "uuid",
            uuid,
            "name",
            "Shadow report"));
    try {
      run(html, summary);
    } finally {
      context.publishReportEntry(
          Map.of("allure.fixture", "tear_down", "event", "stop", "uuid", uuid));
    }
  }

  /** A failing endpoint's message (fields and an example diff), on the current test. */
  static void endpoint(String endpoint, String failure) {
    attach(() -> AllureAttachments.text("Shadow diff: " + endpoint, failure));
  }
}
