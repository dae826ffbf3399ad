package dev.shadowtest.junit;

import io.qameta.allure.Allure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The only class that touches Allure: loaded only when {@link Attachments#allure()} is true. */
final class AllureAttachments {

  private AllureAttachments() {}

  /**
   * True when Allure records a test case, step or fixture on this thread: an attachment anywhere
   * else is an ERROR in Allure's log and a file no result refers to.
   */
  static boolean recording() {
    return Allure.getLifecycle().getCurrentTestCaseOrStep().isPresent();
  }

  static void file(String name, String type, Path file, String extension) {
    if (!recording()) {
      return;
    }
    try (InputStream in = Files.newInputStream(file)) {
      Allure.addAttachment(name, type, in, extension);
    } catch (IOException e) {
      Allure.addAttachment(name + " (unreadable)", "text/plain", file + ": " + e.getMessage());
    }
  }

  static void text(String name, String content) {
    if (!recording()) {
      return;
    }
    Allure.addAttachment(name, "text/plain", content, ".txt");
  }
}
