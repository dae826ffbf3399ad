package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay under hostile candidates: a body of hundreds of megabytes under a small heap, a body
 * that streams past the deadline, and an Error inside Shadow, which must never end in a pass.
 */
@Timeout(180)
class ReplayLimitsTests {

  @TempDir Path dir;

  HttpServer server;

  /** /big streams 300 MB; /slow sends 2 MB then stalls; /long has a 6,000-character header; others are small. */
  @BeforeEach
  void startCandidate() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          ex.getResponseHeaders().add("Content-Type", "application/json");
          if (path.startsWith("/keys")) {
            byte[] body = keys(2).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(body);
            }
            return;
          }
          if (path.equals("/tail")) { // as recorded but its last byte
            byte[] body = ("x".repeat(2047) + "Z").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(body);
            }
            return;
          }
          if (path.equals("/long")) {
            ex.getResponseHeaders().add("X-Long", "a".repeat(6_000));
          }
          byte[] chunk = new byte[1 << 20];
          Arrays.fill(chunk, (byte) 'x');
          try (OutputStream out = ex.getResponseBody()) {
            if (path.equals("/big")) {
              ex.sendResponseHeaders(200, 300L << 20);
              for (int i = 0; i < 300; i++) {
                out.write(chunk);
              }
            } else if (path.equals("/slow")) {
              ex.sendResponseHeaders(200, 0); // chunked
              out.write(chunk);
              out.write(chunk);
              out.flush();
              Thread.sleep(10_000);
            } else {
              byte[] body = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);
              ex.sendResponseHeaders(200, body.length);
              out.write(body);
            }
          } catch (InterruptedException | IOException e) {
            // the client went away
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
  }

  String candidate() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  Path recording(String... targets) {
    List<Exchange> ex = new ArrayList<>();
    int i = 0;
    for (String t : targets) {
      ex.add(
          new Exchange(
              "e" + i++,
              Instant.parse("2026-11-24T10:00:00Z"),
              1000L,
              new HttpRequest("GET", t, "HTTP/1.1", Headers.of("Host", "legacy:8080"), Body.none()),
              new HttpResponse(
                  200,
                  "OK",
                  Headers.of("Content-Type", "application/json"),
                  Body.text("{\"v\":1}")),
              null,
              Map.of()));
    }
    Path p = dir.resolve("r.jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(p, RecordingHeader.now("test", Redaction.none()))) {
      ex.forEach(w::write);
    }
    return p;
  }

  @Test
  void aHugeCandidateBodyIsDrainedUnderASmallHeapAndComparedBySize() throws Exception {
    Path rec = recording("/a", "/big", "/b", "/c");
    Path out = dir.resolve("run");
    Process p =
        ShadowCliTests.process(
                "-Xmx64m",
                "replay",
                "--recording",
                rec.toString(),
                "--candidate",
                candidate(),
                "--out",
                out.toString(),
                "--max-body",
                "1MiB")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue())
        .as(output)
        .isEqualTo(1); // the gate fails on /big, and nothing crashed
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertThat(s.get("compared").asLong()).isEqualTo(4);
    assertThat(s.get("discrepant").asLong()).isEqualTo(1);
    assertThat(s.get("incomplete").asBoolean()).isFalse();
    String csv = Files.readString(out.resolve("discrepancies.csv"));
    assertThat(csv).contains("\"/big\"").contains("\"BODY\"").contains("314572800 bytes");
  }

  @Test
  void aBodyComparedInPartIsCountedAndSaid() throws Exception {
    Path rec = dir.resolve("tail.jsonl");
    try (RecordingWriter w =
        RecordingWriter.create(rec, RecordingHeader.now("test", Redaction.none()))) {
      w.write(
          new Exchange(
              "t1",
              Instant.parse("2026-11-24T10:00:00Z"),
              1000L,
              new HttpRequest(
                  "GET", "/tail", "HTTP/1.1", Headers.of("Host", "legacy:8080"), Body.none()),
              new HttpResponse(
                  200, "OK", Headers.of("Content-Type", "text/plain"), Body.text("x".repeat(2048))),
              null,
              Map.of()));
    }
    Path out = dir.resolve("tail-run");
    Process p =
        ShadowCliTests.process(
                "-Xmx256m",
                "replay",
                "--recording",
                rec.toString(),
                "--candidate",
                candidate(),
                "--out",
                out.toString(),
                "--max-body",
                "1KiB")
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    // the difference is beyond the cut: not seen, but never silently
    assertThat(output)
        .contains(
            "bodies compared in part: 1 exchanges had a body cut at capture or over --max-body");
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertThat(s.get("compared").asLong()).isEqualTo(1);
    assertThat(s.get("bodyCut").asLong()).isEqualTo(1);
    assertThat(Files.readString(out.resolve("report.html")))
        .contains("compared in part (body cut at capture or over --max-body)");
  }

  /** A JSON object with 200,000 distinct keys, every value {@code v}. */
  static String keys(int v) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < 200_000; i++) {
      sb.append(i == 0 ? "" : ",").append("\"key").append(i).append("\":").append(v);
    }
    return sb.append('}').toString();
  }

  @Test
  void twoHundredThousandDistinctKeysStayBoundedUnderASmallHeap() throws Exception {
    List<Exchange> ex = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ex.add(
          new Exchange(
              "k" + i,
              Instant.parse("2026-11-24T10:00:00Z"),
              1000L,
              new HttpRequest(
                  "GET", "/keys/" + i, "HTTP/1.1", Headers.of("Host", "legacy:8080"), Body.none()),
              new HttpResponse(
                  200, "OK", Headers.of("Content-Type", "application/json"), Body.text(keys(1))),
              null,
              Map.of()));
    }
    Path rec = dir.resolve("keys.jsonl.gz");
    try (RecordingWriter w =
        RecordingWriter.create(rec, RecordingHeader.now("test", Redaction.none()))) {
      ex.forEach(w::write);
    }
    Path out = dir.resolve("run");
    Process p =
        ShadowCliTests.process(
                "-Xmx256m",
                "replay",
                "--recording",
                rec.toString(),
                "--candidate",
                candidate(),
                "--out",
                out.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isEqualTo(1);
    assertThat(Files.size(out.resolve("summary.json"))).isLessThan(1L << 20);
    JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertThat(s.get("discrepant").asLong()).isEqualTo(5);
    assertThat(Files.size(out.resolve("discrepancies.csv")))
        .isLessThan(4L << 20); // 1,001 rows per exchange
    assertThat(Files.size(out.resolve("report.html"))).isLessThan(20L << 20);
  }

  @Test
  void aBodyStillStreamingPastTheLimitAtTheDeadlineIsTooLarge() throws IOException {
    ShadowCliTests.Run r =
        shadow(
            "replay",
            "--recording",
            recording("/a", "/slow"),
            "--candidate",
            candidate(),
            "--out",
            dir.resolve("run"),
            "--max-body",
            "1MiB",
            "--timeout",
            "1");
    // a candidate error is not a discrepancy, but an exchange without an answer is no match:
    // without --max-error-rate, 1 of 2 unanswered fails the gate
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.out()).contains("50.00% of the attempted exchanges got no answer");
    JsonNode s = new ObjectMapper().readTree(dir.resolve("run/summary.json").toFile());
    assertThat(s.get("errors").asLong()).isEqualTo(1);
    assertThat(s.get("compared").asLong()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("run/discrepancies.csv")))
        .contains("too-large: the body was still streaming");
  }

  @Test
  void anErrorInsideShadowEndsTheRunIncompleteAndExitsThreeNeverPasses() throws IOException {
    Path rules = dir.resolve("rules.yaml");
    // a regex that recurses once per character: java.util.regex overflows its stack on the
    // 6,000-character header
    Files.writeString(
        rules, "version: 1\ndefaults:\n  normalizeHeaders:\n    X-Long: \"(a|b)*c\"\n");
    ShadowCliTests.Run r =
        shadow(
            "replay",
            "--recording",
            recording("/a", "/long", "/b"),
            "--candidate",
            candidate(),
            "--out",
            dir.resolve("run"),
            "--rules",
            rules,
            "--max-discrepancy",
            "100%",
            "--concurrency",
            "1");
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.err()).contains("error: internal error: java.lang.StackOverflowError");
    assertThat(r.out()).doesNotContain("GATE PASSED");
    JsonNode s = new ObjectMapper().readTree(dir.resolve("run/summary.json").toFile());
    assertThat(s.get("incomplete").asBoolean()).isTrue();
    assertThat(s.get("gate").get("passed").asBoolean()).isFalse();
    assertThat(s.get("aborted").asText())
        .startsWith("internal error: java.lang.StackOverflowError");
    assertThat(s.get("compared").asLong())
        .isLessThanOrEqualTo(1); // the exchange that failed is not compared
  }
}
