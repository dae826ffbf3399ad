package dev.shadowtest.junit;

import java.nio.file.Path;

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

  /** The report and the summary, on the current test. */
  static void run(Path html, Path summary) {
    if (ALLURE) {
      AllureAttachments.file("Shadow report", "text/html", html, ".html");
      AllureAttachments.file("Shadow summary.json", "application/json", summary, ".json");
    }
  }

  /** A failing endpoint's message (fields and an example diff), on the current test. */
  static void endpoint(String endpoint, String failure) {
    if (ALLURE) {
      AllureAttachments.text("Shadow diff: " + endpoint, failure);
    }
  }
}
