package dev.shadowtest.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordingRoundTripTests {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"rec.jsonl", "rec.jsonl.gz"})
  void randomExchangesReadBackEqual(String name) {
    for (long seed = 1; seed <= 5; seed++) {
      List<Exchange> written = new RandomExchanges(seed).list(300);
      Path file = dir.resolve(seed + "-" + name);
      RecordingHeader header = RecordingHeader.now("test", Redaction.defaults());
      try (RecordingWriter w = RecordingWriter.create(file, header)) {
        written.forEach(w::write);
        assertThat(w.count()).isEqualTo(300);
      }
      List<Exchange> read = new ArrayList<>();
      try (RecordingReader r = RecordingReader.open(file)) {
        assertThat(r.header()).isEqualTo(header);
        r.forEachRemaining(read::add);
        assertThat(r.warnings()).isEmpty();
      }
      assertThat(read)
          .as("seed %d", seed)
          .containsExactlyElementsOf(
              written.stream().map(RecordingRoundTripTests::asStored).toList());
    }
  }

  /** {@code e} as a reader returns it: a text body stored as base64 (smaller) comes back binary, same bytes. */
  static Exchange asStored(Exchange e) {
    Exchange out = e.withRequest(e.request().withBody(asStored(e.request().body())));
    return out.response() == null
        ? out
        : out.withResponse(out.response().withBody(asStored(out.response().body())));
  }

  private static Body asStored(Body b) {
    return b instanceof Body.Text t && ExchangeCodec.form(t).base64()
        ? new Body.Binary(t.bytes(), t.truncated(), t.originalSize())
        : b;
  }

  @Test
  void gzipIsChosenByFileName() throws IOException {
    Path gz = dir.resolve("a.jsonl.gz");
    try (RecordingWriter w =
        RecordingWriter.create(gz, RecordingHeader.now("test", Redaction.none()))) {
      w.write(sample("1"));
    }
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .startsWith("{\"format\":\"shadow-recording\",\"version\":1");
    }
    Path plain = dir.resolve("a.jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(plain, RecordingHeader.now("test", Redaction.none()))) {
      w.write(sample("1"));
    }
    assertThat(Files.readString(plain))
        .startsWith("{\"format\":\"shadow-recording\"")
        .endsWith("}\n");
  }

  @Test
  void everyLineEndsWithNewlineAndFollowsTheContract() throws IOException {
    Path file = dir.resolve("c.jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(file, RecordingHeader.now("recorder", Redaction.defaults()))) {
      w.write(sample("01J"));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1))
        .isEqualTo(
            "{\"id\":\"01J\",\"startedAt\":\"2026-11-24T10:00:01.123Z\",\"durationMicros\":5231,"
                + "\"request\":{\"method\":\"GET\",\"target\":\"/api/users/42?verbose=1\",\"httpVersion\":\"HTTP/1.1\","
                + "\"headers\":[[\"Host\",\"legacy:8080\"],[\"Accept\",\"application/json\"]],\"body\":null},"
                + "\"response\":{\"status\":200,\"reason\":\"OK\",\"headers\":[[\"Content-Type\",\"application/json\"]],"
                + "\"body\":{\"text\":\"{\\\"id\\\":42}\"}},\"tags\":{\"session\":\"abc\"}}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"new.jsonl", "new.jsonl.gz"})
  void filesAreWrittenOwnerOnly(String name) throws IOException {
    Path file = dir.resolve(name);
    try (RecordingWriter w =
        RecordingWriter.create(file, RecordingHeader.now("t", Redaction.none()))) {
      w.write(sample("1"));
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void anExistingWorldReadableFileBecomesOwnerOnly() throws IOException {
    Path file = dir.resolve("old.jsonl");
    Files.writeString(file, "old secrets");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (RecordingWriter w =
        RecordingWriter.create(file, RecordingHeader.now("t", Redaction.none()))) {
      w.write(sample("1"));
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).doesNotContain("old secrets");
  }

  static Exchange sample(String id) {
    return new Exchange(
        id,
        Instant.parse("2026-11-24T10:00:01.123Z"),
        5231L,
        new HttpRequest(
            "GET",
            "/api/users/42?verbose=1",
            "HTTP/1.1",
            Headers.of("Host", "legacy:8080", "Accept", "application/json"),
            Body.none()),
        new HttpResponse(
            200, "OK", Headers.of("Content-Type", "application/json"), Body.text("{\"id\":42}")),
        null,
        Map.of("session", "abc"));
  }
}
