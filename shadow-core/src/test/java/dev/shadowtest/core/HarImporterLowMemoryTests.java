package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs in the {@code -Xmx64m} Surefire execution with {@link RecordingLowMemoryTests}: a HAR
 * whose one response body is larger than the heap imports with the default options (a tree of
 * the entry would take three times the body). Reading the 10 MiB body back takes more than this
 * heap (Jackson holds a string as chars); {@code HarImporterTests} and the CLI tests read such
 * recordings back.
 */
class HarImporterLowMemoryTests {

  static final int BODY_BYTES = 96 << 20;

  @TempDir Path dir;

  @Test
  void aBodyLargerThanTheHeapImportsCutToTheDefaultLimit() throws IOException {
    assumeTrue(
        Runtime.getRuntime().maxMemory() <= 80L << 20,
        "runs in the -Xmx64m execution (see shadow-core/pom.xml)");
    Path har = dir.resolve("huge.har");
    char[] chunk = new char[1 << 16];
    Arrays.fill(chunk, 'x');
    try (BufferedWriter w = Files.newBufferedWriter(har, StandardCharsets.UTF_8)) {
      w.write(
          "{\"log\": {\"version\": \"1.2\", \"entries\": [{\"startedDateTime\": \"2026-11-24T10:00:00Z\", \"time\": 1,"
              + " \"request\": {\"method\": \"GET\", \"url\": \"http://h/dump\", \"headers\": []},"
              + " \"response\": {\"status\": 200, \"headers\": [], \"content\": {\"size\": "
              + BODY_BYTES
              + ", \"text\": \"");
      for (int i = 0; i < BODY_BYTES / chunk.length; i++) {
        w.write(chunk);
      }
      w.write("\"}}}]}}");
    }
    Path rec = dir.resolve("rec.jsonl.gz");
    ImportResult r = HarImporter.importFile(har, rec, Redaction.defaults());
    assertThat(r.exchanges()).isEqualTo(1);
    assertThat(r.warnings())
        .singleElement()
        .asString()
        .contains("1 body longer than 10485760 bytes was cut");
    assertThat(RecordingReader.estimateExchanges(rec)).isEqualTo(1);
    try (InputStream in = new GZIPInputStream(Files.newInputStream(rec))) {
      byte[] all = in.readAllBytes(); // 10 MiB
      String line = new String(all, all.length - 200, 200, StandardCharsets.US_ASCII);
      assertThat(line).endsWith("xxx\",\"truncated\":true,\"size\":" + BODY_BYTES + "}}}\n");
      assertThat(all.length).isBetween(10 << 20, (10 << 20) + 1000);
    }
  }
}
