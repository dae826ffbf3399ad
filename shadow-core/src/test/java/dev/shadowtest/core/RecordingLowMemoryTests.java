package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs in its own Surefire execution with {@code -Xmx64m} (see shadow-core/pom.xml): writing and
 * reading a 1M-exchange recording must stream, whatever the file size.
 */
class RecordingLowMemoryTests {

  static final int EXCHANGES = 1_000_000;

  @TempDir Path dir;

  @Test
  void aMillionExchangeRecordingStreamsThroughA64MbHeap() throws Exception {
    assumeTrue(
        Runtime.getRuntime().maxMemory() <= 80L << 20,
        "runs in the -Xmx64m execution (see shadow-core/pom.xml)");

    Path file = dir.resolve("million.jsonl.gz");
    String json =
        "{\"id\":1234,\"name\":\"Blue mug\",\"price\":{\"amount\":12.5,\"currency\":\"EUR\"},\"tags\":[\"a\",\"b\"]}";
    byte[] big = new byte[256 * 1024];
    try (RecordingWriter w =
        RecordingWriter.create(file, RecordingHeader.now("test", Redaction.defaults()))) {
      Instant t0 = Instant.parse("2026-11-24T10:00:00Z");
      for (int i = 0; i < EXCHANGES; i++) {
        Body body = i % 100_000 == 0 ? Body.binary(big) : Body.text(json);
        w.write(
            new Exchange(
                "e" + i,
                t0.plusMillis(i),
                1000L + i % 777,
                new HttpRequest(
                    "GET",
                    "/api/products/" + i + "?v=1",
                    "HTTP/1.1",
                    Headers.of("Host", "legacy:8080", "Accept", "application/json"),
                    Body.none()),
                new HttpResponse(200, "OK", Headers.of("Content-Type", "application/json"), body),
                null,
                Map.of()));
      }
    }
    assertThat(Files.size(file)).isGreaterThan(1_000_000);

    long count = 0;
    long bodyBytes = 0;
    try (RecordingReader r = RecordingReader.open(file)) {
      while (r.hasNext()) {
        Exchange e = r.next();
        assertThat(e.id()).isEqualTo("e" + count); // order kept
        bodyBytes += e.response().body().size();
        count++;
      }
      assertThat(r.warnings()).isEmpty();
    }
    assertThat(count).isEqualTo(EXCHANGES);
    assertThat(bodyBytes).isEqualTo(10L * big.length + (EXCHANGES - 10L) * json.length());
  }
}
