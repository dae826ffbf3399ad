package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live answers hold secrets too: every output of a run (results, samples, CSV, report, summary)
 * redacts the candidate's and the legacy instances' answers like the recording was redacted.
 */
@Timeout(60)
class RunRedactionTests {

  static final List<String> SECRETS =
      List.of(
          "sid-live-secret",
          "key-live-secret",
          "4111-1111-1111-1111",
          "tok_live_123",
          "primary-cookie-secret");

  @TempDir Path dir;

  HttpServer candidate;
  HttpServer primary;

  HttpServer server(String cookie) throws IOException {
    HttpServer s =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    s.createContext(
        "/",
        ex -> {
          byte[] body =
              ("{\"card\":{\"number\":\"4111-1111-1111-1111\"},\"note\":\"your token tok_live_123\",\"n\":"
                      + (cookie.startsWith("sid") ? 2 : 1)
                      + "}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.getResponseHeaders().add("Set-Cookie", cookie);
          ex.getResponseHeaders().add("X-Api-Key", "key-live-secret");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    s.start();
    return s;
  }

  @BeforeEach
  void start() throws IOException {
    candidate = server("sid-live-secret");
    primary = server("primary-cookie-secret");
  }

  @AfterEach
  void stop() {
    candidate.stop(0);
    primary.stop(0);
  }

  static String url(HttpServer s) {
    return "http://127.0.0.1:" + s.getAddress().getPort();
  }

  @Test
  void noLiveSecretReachesAnyOutputOfTheRun() throws IOException {
    Path rec = dir.resolve("r.jsonl.gz");
    Redaction recorded =
        new Redaction(
            Redaction.DEFAULT_HEADERS,
            List.of("$.card.number"),
            List.of(),
            List.of("tok_[a-z0-9_]+"),
            false);
    try (RecordingWriter w =
        RecordingWriter.create(rec, RecordingHeader.now("recorder", recorded))) {
      for (int i = 0; i < 5; i++) {
        w.write(
            new Exchange(
                "e" + i,
                Instant.parse("2026-11-24T10:00:00Z"),
                1000L,
                new HttpRequest(
                    "GET", "/cards/" + i, "HTTP/1.1", Headers.of("Host", "legacy"), Body.none()),
                new HttpResponse(
                    200,
                    "OK",
                    Headers.of("Content-Type", "application/json", "Set-Cookie", "[REDACTED]"),
                    Body.text(
                        "{\"card\":{\"number\":\"[REDACTED]\"},\"note\":\"your token [REDACTED]\",\"n\":1}")),
                null,
                Map.of()));
      }
    }
    Path out = dir.resolve("run");
    ShadowCliTests.Run r =
        shadow(
            "replay",
            "--recording",
            rec,
            "--candidate",
            url(candidate),
            "--primary",
            url(primary),
            "--out",
            out);
    assertThat(r.code())
        .as(r.err())
        .isEqualTo(1); // $.n differs: discrepancies were written, with their samples
    assertThat(Files.readString(out.resolve("discrepancies.csv"))).contains("$.n");
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.toList()) {
        String text = read(f);
        for (String secret : SECRETS) {
          assertThat(text).as(f.getFileName() + " holds " + secret).doesNotContain(secret);
        }
      }
    }
    assertThat(read(out.resolve("samples.jsonl.gz"))).contains("[REDACTED]");
  }

  static String read(Path f) throws IOException {
    byte[] bytes = Files.readAllBytes(f);
    if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        in.transferTo(o);
        bytes = o.toByteArray();
      }
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
