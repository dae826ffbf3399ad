package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.cli.ShadowCliTests.Run;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.GorImporter;
import dev.shadowtest.core.RecordingReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code shadow import --from gor --follow}: a capture that a test writes while the import follows it. */
@Timeout(30)
class ImportFollowCommandTests {

  static final String SEP = "\n\uD83D\uDC35\uD83D\uDE48\uD83D\uDE49\n";

  @TempDir Path dir;

  static String request(String id, long ts, String path) {
    return "1 "
        + id
        + " "
        + ts
        + " 0\nGET "
        + path
        + " HTTP/1.1\r\nHost: legacy:8080\r\nAuthorization: Bearer secret-"
        + id
        + "\r\n\r\n"
        + SEP;
  }

  static String response(String id, long ts) {
    String body = "{\"id\":\"" + id + "\"}";
    return "2 "
        + id
        + " "
        + ts
        + " 1500000\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length()
        + "\r\n\r\n"
        + body
        + SEP;
  }

  static String pair(String id, long ts) {
    return request(id, ts, "/api/" + id) + response(id, ts + 2_000_000);
  }

  static void append(Path file, String text) throws IOException {
    Files.writeString(
        file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** The exchanges a reader sees in {@code recording} now (it may be being written). */
  static List<Exchange> read(Path recording) {
    if (!Files.exists(recording)) {
      return List.of();
    }
    try (RecordingReader r = RecordingReader.open(recording, w -> {})) {
      List<Exchange> out = new ArrayList<>();
      r.forEachRemaining(out::add);
      return out;
    }
  }

  static List<Exchange> awaitExchanges(Path recording, int n, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    List<Exchange> seen = read(recording);
    while (seen.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(50);
      seen = read(recording);
    }
    return seen;
  }

  @Test
  void followsACaptureAsItIsWrittenAndRotatedIntoARedactedRecording() throws Exception {
    Path gor = dir.resolve("requests.gor");
    Path out = dir.resolve("rec.jsonl.gz");
    long t = 1_764_064_800_000_000_000L;
    append(gor, pair("a", t));
    CompletableFuture<Run> run =
        CompletableFuture.supplyAsync(
            () ->
                shadow(
                    "import",
                    "--from",
                    "gor",
                    "--follow",
                    gor,
                    "--out",
                    out,
                    "--follow-until-idle",
                    "2",
                    "--stats-every",
                    "1"));
    // a reader sees the first exchange within about a second, while the follow goes on
    assertThat(awaitExchanges(out, 1, 2500)).extracting(Exchange::id).containsExactly("a");

    // b is cut mid-header by a write: nothing of it is parsed until the rest comes
    String b = request("b", t + 10_000_000, "/api/b");
    int cut = b.indexOf("Authorization") + 5;
    append(gor, b.substring(0, cut));
    Thread.sleep(400);
    append(gor, b.substring(cut) + request("c", t + 20_000_000, "/api/c"));
    Thread.sleep(300);
    // the responses come in a later write, b's cut in two as well
    String rb = response("b", t + 30_000_000);
    append(gor, rb.substring(0, rb.length() - 10));
    Thread.sleep(300);
    append(gor, rb.substring(rb.length() - 10) + response("c", t + 31_000_000));
    Thread.sleep(300);

    // rotation: the file is renamed away and created again
    Files.move(gor, dir.resolve("requests.gor.1"));
    append(gor, pair("d", t + 40_000_000));
    Thread.sleep(400);
    append(gor, pair("e", t + 50_000_000));

    Run r = run.get(20, TimeUnit.SECONDS);
    assertThat(r.code()).as(r.err()).isZero();
    List<Exchange> recorded;
    try (RecordingReader reader = RecordingReader.open(out)) {
      recorded = reader.stream().toList();
      assertThat(reader.warnings()).isEmpty(); // a complete gzip stream, no cut line
    }
    assertThat(recorded).extracting(Exchange::id).containsExactly("a", "b", "c", "d", "e");
    assertThat(recorded)
        .allSatisfy(
            e -> {
              assertThat(e.request().headers().first("Authorization")).contains("[REDACTED]");
              assertThat(e.response().status()).isEqualTo(200);
              assertThat(e.response().body()).isEqualTo(Body.text("{\"id\":\"" + e.id() + "\"}"));
              assertThat(e.request().target()).isEqualTo("/api/" + e.id());
            });
    assertThat(r.out())
        .contains("imported 5 exchange(s) from " + gor + " into " + out)
        .contains("redacted headers: Authorization");
    assertThat(r.err())
        .contains("shadow import: following " + gor + " into " + out)
        .contains("shadow import: finished: 5 exchange(s) written (0 without response)")
        .contains("from 2 file(s)")
        .doesNotContain("warning")
        .doesNotContain("secret");
  }

  @Test
  void sigtermWritesTheHeldRequestsAndClosesTheRecordingComplete() throws Exception {
    Path gor = dir.resolve("requests_0.gor");
    Path out = dir.resolve("rec.jsonl.gz");
    long t = 1_764_064_800_000_000_000L;
    append(gor, pair("a", t) + request("b", t + 10_000_000, "/api/b"));
    Process p =
        ShadowCliTests.process(
                "-Xmx64m",
                "import",
                "--from",
                "gor",
                "--follow",
                gor.toString(),
                "--out",
                out.toString())
            .redirectErrorStream(true)
            .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = ShadowCliTests.readLines(p, lines);
    try {
      assertThat(awaitExchanges(out, 1, 15_000)).extracting(Exchange::id).containsExactly("a");
      append(dir.resolve("requests_1.gor"), pair("c", t + 20_000_000));
      // c is written behind b, which still waits for its response (30 s by default)
      Thread.sleep(500);
      p.toHandle().destroy(); // SIGTERM
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      reader.join(5000);
      String all = String.join("\n", lines);
      assertThat(all).contains("stopping").contains("imported 3 exchange(s)");
      List<Exchange> recorded;
      try (RecordingReader r = RecordingReader.open(out)) {
        recorded = r.stream().toList();
        assertThat(r.warnings()).isEmpty(); // closed cleanly: a complete gzip stream
      }
      assertThat(recorded).extracting(Exchange::id).containsExactly("a", "b", "c");
      assertThat(recorded.get(1).error()).isEqualTo(GorImporter.NO_RESPONSE);
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void followIsForGoReplayCapturesOnly() throws IOException {
    Run har =
        shadow(
            "import",
            "--from",
            "har",
            "--follow",
            ImportExportCommandTests.SHOP_HAR,
            "--out",
            dir.resolve("r.jsonl"));
    assertThat(har.code()).isEqualTo(2);
    assertThat(ImportExportCommandTests.oneLine(har.err()))
        .isEqualTo(
            "error: --follow needs --from gor: a HAR file is written whole at the end of a session,"
                + " a GoReplay capture as traffic flows");
    assertThat(dir.resolve("r.jsonl")).doesNotExist();

    Path gz = Files.write(dir.resolve("requests_0.gor.gz"), new byte[0]);
    Run gzip = shadow("import", "--from", "gor", "--follow", gz, "--out", dir.resolve("r.jsonl"));
    assertThat(gzip.code()).isEqualTo(2);
    assertThat(gzip.err()).contains("a gzip-compressed capture cannot be followed");
  }

  @Test
  void followOptionsWithoutFollowAreRefused() throws IOException {
    Path gor = Files.writeString(dir.resolve("r.gor"), pairNoAuth());
    Run r =
        shadow(
            "import",
            "--from",
            "gor",
            gor,
            "--out",
            dir.resolve("r.jsonl"),
            "--follow-until-idle",
            "1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(ImportExportCommandTests.oneLine(r.err()))
        .isEqualTo("error: --follow-until-idle applies to --follow only");
    Run zero =
        shadow(
            "import",
            "--from",
            "gor",
            "--follow",
            gor,
            "--out",
            dir.resolve("r.jsonl"),
            "--response-wait",
            "0");
    assertThat(zero.code()).isEqualTo(2);
    assertThat(ImportExportCommandTests.oneLine(zero.err()))
        .isEqualTo("error: --response-wait must be a positive number of seconds, got 0.0");
  }

  @Test
  void aCaptureThatNeverAppearsIsWaitedForThenAnError() {
    Path gor = dir.resolve("requests_0.gor");
    Path out = dir.resolve("r.jsonl");
    Run r =
        shadow(
            "import", "--from", "gor", "--follow", gor, "--out", out, "--follow-until-idle", "0.5");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("following " + gor + " (not there yet: waiting for it)")
        .contains("error: " + gor + ": no such file (it did not appear before the follow ended)");
    assertThat(out).doesNotExist();
  }

  static String pairNoAuth() {
    return "1 x 1000 0\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
        + SEP
        + "2 x 2000 1000\nHTTP/1.1 204 No Content\r\n\r\n"
        + SEP;
  }
}
