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

  private static final boolean ALLURE = present();

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
    return ALLURE;
  }

  /** The report and the summary, on the current test (or fixture); nothing when Allure records none. */
  static void run(Path html, Path summary) {
    if (ALLURE) {
      AllureAttachments.file("Shadow report", "text/html", html, ".html");
      AllureAttachments.file("Shadow summary.json", "application/json", summary, ".json");
    }
  }

  /**
   * The report and the summary on a {@code @TestFactory}'s container, after its dynamic tests:
   * Allure has no current test there, so a tear-down fixture is opened in the container through
   * the JUnit report entries Allure's listener understands ({@code allure.fixture}), the files are
   * attached to it, and it is closed. Allure shows them under "Tear down" of the endpoint tests.
   */
  static void container(ExtensionContext context, Path html, Path summary) {
    if (!ALLURE) {
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
    if (ALLURE) {
      AllureAttachments.text("Shadow diff: " + endpoint, failure);
    }
  }
}
