package dev.shadowtest.junit;

import io.qameta.allure.Allure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The only class that touches Allure: loaded only when {@link Attachments#allure()} is true. */
final class AllureAttachments {

  private AllureAttachments() {}

  static void file(String name, String type, Path file, String extension) {
    try (InputStream in = Files.newInputStream(file)) {
      Allure.addAttachment(name, type, in, extension);
    } catch (IOException e) {
      Allure.addAttachment(name + " (unreadable)", "text/plain", file + ": " + e.getMessage());
    }
  }

  static void text(String name, String content) {
    Allure.addAttachment(name, "text/plain", content, ".txt");
  }
}
