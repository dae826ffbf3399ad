package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.diff.Judgement;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.RunOutput;
import dev.shadowtest.diff.run.RunView;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Live shadow: recorded requests are copied to the candidate and compared online. */
@Timeout(60)
class MirrorTests {

  @TempDir Path dir;

  @Test
  void mirrorsRecordedRequestsAndWritesARunDirectory() throws Exception {
    HttpServer candidate =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    candidate.createContext(
        "/",
        ex -> {
          // the candidate's /binary differs; its /echo answers like the legacy one for GET
          // /echo?same
          byte[] body =
              ex.getRequestURI().getPath().equals("/binary")
                  ? new byte[] {1, 2, 3}
                  : ("GET " + ex.getRequestURI() + "\n").getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    candidate.start();
    Path run = dir.resolve("live");
    HttpClient client = HttpClient.newHttpClient();
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        up.uri(),
                        dir.resolve("rec.jsonl.gz"))
                    .withMirror(
                        new RecorderConfig.Mirroring(
                            URI.create("http://127.0.0.1:" + candidate.getAddress().getPort()),
                            run,
                            Rules.defaults(),
                            () -> List.of(new DiscrepantIds())))
                    .withRotation(4, 0))) {
      for (int i = 0; i < 10; i++) {
        HttpResponse<byte[]> live =
            client.send(
                HttpRequest.newBuilder(URI.create(r.url() + "/binary")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(live.body()).hasSize(256); // the client always gets the legacy answer
      }
      // rotation wrote a checkpoint summary of the live shadow, marked in progress
      for (int i = 0; i < 50 && !Files.exists(run.resolve("summary.json")); i++) {
        Thread.sleep(100);
      }
      JsonNode checkpoint = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
      assertThat(checkpoint.get("incomplete").asBoolean()).isTrue();
      assertThat(checkpoint.get("aborted").asText()).startsWith("live shadow in progress");
      RecorderStats s = r.stop(Duration.ofSeconds(10));
      assertThat(s.mirrored()).isEqualTo(10);
      assertThat(s.mirrorErrors()).isZero();
    } finally {
      candidate.stop(0);
    }
    JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
    assertThat(summary.get("incomplete").asBoolean()).isFalse();
    assertThat(summary.get("compared").asLong()).isEqualTo(10);
    assertThat(summary.get("discrepant").asLong()).isEqualTo(10);
    assertThat(summary.get("endpoints").get(0).get("endpoint").asText()).isEqualTo("GET /binary");
    // the outputs handed in are written at stop (the CLI hands in the CSV and the HTML report)
    assertThat(Files.readAllLines(run.resolve("discrepant-ids.txt"))).hasSize(10);
    assertThat(run.resolve("report.html")).doesNotExist();
  }

  /** A secondary that is down: the day's summary says how many copies it did not answer. */
  @Test
  void aSecondaryThatDoesNotAnswerIsSaidInTheSummary() throws Exception {
    int dead;
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      dead = probe.getLocalPort(); // closed below: connections are refused
    }
    Path run = dir.resolve("dead-secondary");
    HttpClient client = HttpClient.newHttpClient();
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        up.uri(),
                        dir.resolve("dead-secondary.jsonl.gz"))
                    .withMirror(
                        new RecorderConfig.Mirroring(up.uri(), run, Rules.defaults(), List::of)
                            .withSecondary(URI.create("http://127.0.0.1:" + dead))))) {
      for (int i = 0; i < 5; i++) {
        client.send(
            HttpRequest.newBuilder(URI.create(r.url() + "/binary")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
      }
      RecorderStats s = r.stop(Duration.ofSeconds(10));
      assertThat(s.mirrored()).isEqualTo(5); // the candidate answered: judged, without noise
    }
    JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
    assertThat(summary.get("compared").asLong()).isEqualTo(5);
    assertThat(summary.get("warnings")).hasSize(1);
    assertThat(summary.get("warnings").get(0).asText())
        .startsWith("the secondary http://127.0.0.1:" + dead + " did not answer 5 of 5 copies")
        .contains("refused");
  }

  /**
   * A mirror slow to start (its run directory waits on a clock held by the test, as a busy
   * machine's start does): a request sent meanwhile waits to be accepted, and is mirrored like
   * every other.
   */
  @Test
  void anExchangeAnsweredWhileTheMirrorStartsIsMirroredToo() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    java.time.Clock held =
        new java.time.Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
          }

          @Override
          public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public java.time.Instant instant() {
            asked.countDown();
            try {
              release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return java.time.Instant.now();
          }
        };
    int port;
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Path run = dir.resolve("slow-start");
    HttpClient client = HttpClient.newHttpClient();
    var starting = Executors.newSingleThreadExecutor();
    try (Upstream up = new Upstream()) {
      var started =
          starting.submit(
              () ->
                  Recorder.start(
                      RecorderConfig.of(
                              new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                              up.uri(),
                              dir.resolve("slow-start.jsonl.gz"))
                          .withMirror(
                              new RecorderConfig.Mirroring(
                                      up.uri(), run, Rules.defaults(), List::of)
                                  .withClock(held, Duration.ofHours(1)))));
      assertThat(asked.await(30, TimeUnit.SECONDS)).isTrue(); // the mirror is starting
      var live =
          client.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/binary")).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      Thread.sleep(500); // the request is in the listener's backlog (it was answered, before)
      release.countDown();
      try (Recorder r = started.get(30, TimeUnit.SECONDS)) {
        assertThat(live.get(30, TimeUnit.SECONDS).body()).hasSize(256);
        RecorderStats s = r.stop(Duration.ofSeconds(10));
        assertThat(s.recorded()).isEqualTo(1);
        assertThat(s.mirrored()).as("mirrored, not lost").isEqualTo(1);
      }
    } finally {
      release.countDown();
      starting.shutdownNow();
    }
    JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
    assertThat(summary.get("exchanges").asLong()).isEqualTo(1);
  }

  /** Live latencies (ms) of {@code n} sequential requests through a recorder mirroring to {@code candidate}. */
  private long[] liveLatencies(URI candidate, Path run, int n) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    long[] ms = new long[n];
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        up.uri(),
                        run.resolveSibling(run.getFileName() + ".jsonl.gz"))
                    .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2))
                    .withMirror(candidate, run))) {
      for (int i = 0; i < 20; i++) { // warm-up: connections, JIT
        client.send(
            HttpRequest.newBuilder(URI.create(r.url() + "/binary")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
      }
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        HttpResponse<byte[]> live =
            client.send(
                HttpRequest.newBuilder(URI.create(r.url() + "/binary")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        ms[i] = (System.nanoTime() - t0) / 1_000_000;
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).hasSize(256);
      }
      r.stop(Duration.ofSeconds(20));
    }
    Arrays.sort(ms);
    return ms;
  }

  @Test
  void aHangingCandidateNeitherDelaysLiveTrafficNorHidesItsErrors() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HttpServer hanging =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    hanging.setExecutor(Executors.newCachedThreadPool());
    hanging.createContext(
        "/",
        ex -> {
          try {
            release.await(30, TimeUnit.SECONDS); // never answers in time
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    hanging.start();
    HttpServer healthy =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    healthy.createContext(
        "/",
        ex -> {
          byte[] body = new byte[256];
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    healthy.start();
    try {
      int n = 150;
      long[] withHealthy =
          liveLatencies(
              URI.create("http://127.0.0.1:" + healthy.getAddress().getPort()),
              dir.resolve("healthy"),
              n);
      long[] withHanging =
          liveLatencies(
              URI.create("http://127.0.0.1:" + hanging.getAddress().getPort()),
              dir.resolve("hanging"),
              n);
      // loose bounds (shared machines): the median and the 90th percentile stay in the same
      // range, and no live request waits for the candidate's 2 s timeout
      assertThat(withHanging[n / 2]).isLessThanOrEqualTo(withHealthy[n / 2] * 5 + 50);
      assertThat(withHanging[n * 9 / 10]).isLessThanOrEqualTo(withHealthy[n * 9 / 10] * 5 + 100);
      assertThat(withHanging[n - 1]).isLessThan(1500);
    } finally {
      release.countDown();
      hanging.stop(0);
      healthy.stop(0);
    }
    // every copy is accounted for: a dead candidate is an error rate, not silence; copies beyond
    // the 64 in flight are skipped (not sent), never counted against the candidate
    JsonNode summary =
        new ObjectMapper().readTree(dir.resolve("hanging").resolve("summary.json").toFile());
    assertThat(summary.get("exchanges").asLong()).isEqualTo(170);
    assertThat(summary.get("errors").asLong() + summary.get("skipped").asLong()).isEqualTo(170);
    assertThat(summary.get("errors").asLong()).isGreaterThanOrEqualTo(64);
    assertThat(summary.get("compared").asLong()).isZero();
    assertThat(summary.get("errorRate").asDouble()).isEqualTo(1.0);
  }

  /**
   * A stop while copies wait on a candidate that never answers (and a timeout longer than the
   * stop's grace) ends within the grace a container gets, and the copies cut short are judged as
   * candidate errors: none vanishes, the day is whole.
   */
  @Test
  void aStopWithCopiesInFlightEndsInTimeAndJudgesThemAsCandidateErrors() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
    Path run = dir.resolve("stopped");
    try (java.net.ServerSocket silent =
            new java.net.ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Upstream up = new Upstream()) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(silent.accept()); // accepts, never answers
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      Recorder r =
          Recorder.start(
              RecorderConfig.of(
                      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                      up.uri(),
                      dir.resolve("stopped.jsonl.gz"))
                  .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(120))
                  .withMirror(URI.create("http://127.0.0.1:" + silent.getLocalPort()), run));
      for (int i = 0; i < 20; i++) {
        HttpResponse<byte[]> live =
            client.send(
                HttpRequest.newBuilder(URI.create(r.url() + "/binary")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(live.statusCode()).isEqualTo(200);
      }
      long t0 = System.nanoTime();
      r.stop(Duration.ofSeconds(30));
      assertThat((System.nanoTime() - t0) / 1e9).as("seconds to stop").isLessThan(25);
      r.close();
    } finally {
      for (java.net.Socket s : held) {
        s.close();
      }
    }
    JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
    assertThat(summary.get("exchanges").asLong()).isEqualTo(20);
    assertThat(summary.get("errors").asLong()).isEqualTo(20);
    assertThat(summary.get("incomplete").asBoolean()).isFalse();
    assertThat(Files.readString(run.resolve("summary.json"))).doesNotContain("in flight");
  }

  /** An output of one's own: the ids of discrepant exchanges, one per line. */
  static final class DiscrepantIds implements RunOutput {
    private final List<String> ids = new ArrayList<>();
    private Path file;

    @Override
    public String fileName() {
      return "discrepant-ids.txt";
    }

    @Override
    public void begin(RunView run) {
      file = run.out().resolve(fileName());
    }

    @Override
    public void offer(ResultLine line, String endpoint, Judgement.Judged judged) {
      if (judged.discrepant()) {
        ids.add(line.id());
      }
    }

    @Override
    public Path finish() throws IOException {
      Files.write(file, ids);
      return file;
    }
  }
}
