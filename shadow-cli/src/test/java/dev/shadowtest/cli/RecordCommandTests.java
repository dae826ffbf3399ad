package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.recorder.Recorder;
import dev.shadowtest.recorder.RecorderConfig;
import dev.shadowtest.testing.TestCertificates;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code shadow record} as a process: a small heap streams 100 MB, and SIGTERM drains and flushes. */
@Timeout(120)
class RecordCommandTests {

  @TempDir Path dir;

  static HttpServer upstream() throws IOException {
    HttpServer s =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    s.createContext(
        "/",
        ex -> {
          long n = ex.getRequestURI().getPath().equals("/big") ? 100L << 20 : 0;
          byte[] small =
              ("{\"path\":\"" + ex.getRequestURI().getPath() + "\"}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders()
              .add("Content-Type", n > 0 ? "application/octet-stream" : "application/json");
          ex.sendResponseHeaders(200, n > 0 ? n : small.length);
          try (OutputStream out = ex.getResponseBody()) {
            if (n == 0) {
              out.write(small);
            }
            byte[] buf = new byte[1 << 16];
            for (long i = 0; i < n; i += buf.length) {
              out.write(buf, 0, (int) Math.min(buf.length, n - i));
            }
          }
        });
    s.start();
    return s;
  }

  @Test
  void aSmallHeapStreams100MegabytesAndSigtermFlushesEveryAnsweredExchange() throws Exception {
    HttpServer up = upstream();
    Path out = dir.resolve("capture.jsonl.gz");
    Process p =
        ShadowCliTests.process(
                "-Xmx64m",
                "record",
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "http://127.0.0.1:" + up.getAddress().getPort(),
                "--out",
                out.toString(),
                "--stats-every",
                "0") // default --max-body: 10 MiB
            .redirectErrorStream(true)
            .start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = ShadowCliTests.readLines(p, lines);
    try {
      String first = lines.poll(30, TimeUnit.SECONDS);
      assertThat(first).as("startup line").isNotNull().startsWith("recording http://127.0.0.1:");
      Matcher m = Pattern.compile("recording (http://127.0.0.1:\\d+) ").matcher(first);
      assertThat(m.find()).isTrue();
      URI proxy = URI.create(m.group(1));
      HttpClient client = HttpClient.newHttpClient();
      long got = 0;
      try (InputStream in =
          client
              .send(
                  HttpRequest.newBuilder(proxy.resolve("/big")).build(),
                  HttpResponse.BodyHandlers.ofInputStream())
              .body()) {
        byte[] buf = new byte[1 << 16];
        int k;
        while ((k = in.read(buf)) >= 0) {
          got += k;
        }
      }
      assertThat(got).isEqualTo(100L << 20);
      for (int i = 0; i < 50; i++) {
        assertThat(
                client
                    .send(
                        HttpRequest.newBuilder(proxy.resolve("/api/items/" + i)).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode())
            .isEqualTo(200);
      }
      p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      reader.join(5000);
      String all = String.join("\n", lines);
      assertThat(all)
          .contains("stopping")
          .contains("stopped: proxied 51, recorded 51")
          .doesNotContain("OutOfMemoryError");
      List<Exchange> recorded;
      try (RecordingReader r = RecordingReader.open(out)) {
        recorded = r.stream().toList();
        assertThat(r.warnings()).isEmpty(); // closed cleanly: no cut line, a complete gzip stream
      }
      assertThat(recorded).hasSize(51);
      assertThat(recorded.get(0).response().body().size()).isEqualTo(100L << 20);
      assertThat(recorded.get(0).response().body().truncated()).isTrue();
    } finally {
      p.destroyForcibly();
      up.stop(0);
    }
  }

  @Test
  void aCrashLeavesAFileWhoseCompleteLinesAllReplay() throws Exception {
    HttpServer up = upstream();
    Path out = dir.resolve("crash.jsonl.gz");
    Process p =
        ShadowCliTests.process(
                null,
                "record",
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "http://127.0.0.1:" + up.getAddress().getPort(),
                "--out",
                out.toString(),
                "--stats-every",
                "0")
            .redirectErrorStream(true)
            .start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      Matcher m = Pattern.compile("recording (http://127.0.0.1:\\d+) ").matcher(r.readLine());
      assertThat(m.find()).isTrue();
      URI proxy = URI.create(m.group(1));
      HttpClient client = HttpClient.newHttpClient();
      for (int i = 0; i < 20; i++) {
        client.send(
            HttpRequest.newBuilder(proxy.resolve("/api/items/" + i)).build(),
            HttpResponse.BodyHandlers.ofString());
      }
      Thread.sleep(1000); // the writer flushes whenever its queue runs dry
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no hook, no close
    } finally {
      up.stop(0);
    }
    try (RecordingReader r = RecordingReader.open(out)) {
      List<Exchange> all = r.stream().toList();
      assertThat(all).hasSize(20);
      assertThat(all).allSatisfy(e -> assertThat(e.response().status()).isEqualTo(200));
    }
  }

  @Test
  void badFlagsAreExit2() {
    assertThat(
            shadow(
                    "record",
                    "--listen",
                    "nowhere",
                    "--upstream",
                    "http://127.0.0.1:1",
                    "--out",
                    dir.resolve("r.jsonl"))
                .err())
        .contains("--listen must look like HOST:PORT");
    assertThat(
            shadow(
                    "record",
                    "--listen",
                    "127.0.0.1:0",
                    "--upstream",
                    "ftp://x",
                    "--out",
                    dir.resolve("r.jsonl"))
                .code())
        .isEqualTo(2);
    assertThat(
            shadow(
                    "record",
                    "--listen",
                    "127.0.0.1:0",
                    "--upstream",
                    "http://127.0.0.1:1",
                    "--out",
                    dir.resolve("r.jsonl"),
                    "--max-body",
                    "lots")
                .err())
        .contains("--max-body must be a size");
    assertThat(
            shadow(
                    "record",
                    "--listen",
                    "127.0.0.1:0",
                    "--upstream",
                    "http://127.0.0.1:1",
                    "--out",
                    dir.resolve("r.jsonl"),
                    "--redact-key-env",
                    "SHADOW_SURELY_UNSET_VAR")
                .err())
        .contains("SHADOW_SURELY_UNSET_VAR");
    assertThat(
            shadow(
                    "record",
                    "--listen",
                    "127.0.0.1:0",
                    "--upstream",
                    "http://127.0.0.1:1",
                    "--out",
                    dir.resolve("r.jsonl"),
                    "--sample",
                    "2")
                .err())
        .contains("--sample must be between 0 and 1");
  }

  /** {@code shadow record} with flags that must fail before anything starts; the recording file is {@code r.jsonl}. */
  ShadowCliTests.Run record(Object... flags) {
    List<Object> args = new ArrayList<>(List.of("record", "--out", dir.resolve("r.jsonl")));
    args.addAll(List.of(flags));
    for (String[] required :
        new String[][] {{"--listen", "127.0.0.1:0"}, {"--upstream", "http://127.0.0.1:1"}}) {
      if (!args.contains(required[0])) {
        args.addAll(List.of(required));
      }
    }
    return shadow(args.toArray());
  }

  /** Exit 2, one line on stderr that contains {@code message}, no recording file. */
  void assertRefused(ShadowCliTests.Run run, String message) {
    assertThat(run.code()).as(run.err()).isEqualTo(2);
    assertThat(run.err().strip().lines())
        .as(run.err())
        .hasSize(1)
        .first()
        .asString()
        .startsWith("error: ")
        .contains(message);
    assertThat(dir.resolve("r.jsonl")).doesNotExist();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void aMirrorOutThatIsAFileIsRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("out.log"), "x");
    assertRefused(
        record("--mirror", "http://127.0.0.1:1", "--mirror-out", file),
        "--mirror-out " + file + ": a file is there; the live runs need a directory");
  }

  @Test
  void aPortInUseExitsTwoWithOneLineAndLeavesNoRecording() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertRefused(
          record("--listen", "127.0.0.1:" + port),
          "cannot listen on 127.0.0.1:" + port + " (--listen)");
    }
  }

  @Test
  void anAdminPortInUseExitsTwoAndLeavesNoRecording() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertRefused(record("--admin-port", taken.getLocalPort()), "(--admin-port)");
    }
  }

  @Test
  void anUnknownListenHostExitsTwoAndLeavesNoRecording() {
    assertRefused(
        record("--listen", "no-such-host.invalid:8080"),
        "--listen: unknown host \"no-such-host.invalid\"");
  }

  @Test
  void anUpstreamThatIsTheListenAddressIsRefused() throws IOException {
    int port = freePort();
    assertRefused(
        record("--listen", "127.0.0.1:" + port, "--upstream", "http://localhost:" + port),
        "--upstream http://localhost:" + port + " is the proxy's own address");
    assertRefused(
        record("--listen", "0.0.0.0:" + port, "--upstream", "http://127.0.0.1:" + port + "/api"),
        "--upstream http://127.0.0.1:" + port + "/api is the proxy's own address");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--max-body     | 9999999999GiB            | --max-body: 9999999999GiB is too large to be a size in bytes",
        "--max-body     | 99999999999999999999     | --max-body: 99999999999999999999 is too large",
        "--max-body     | 65MiB                    | --max-body must be at most 64MiB",
        "--max-body     | -1                       | --max-body must be a size",
        "--rotate-every | 0MB                      | --rotate-every must be at least 1 byte",
        "--rotate-every | 0                        | --rotate-every must be at least 1 exchange",
        "--rotate-every | 99999999999999999999     | --rotate-every: 99999999999999999999 is too large",
        "--rotate-every | 99999999999GiB           | --rotate-every: 99999999999GiB is too large",
        "--queue        | 0                        | --queue must be between 1 and 1000000",
        "--queue        | 2000000000               | --queue must be between 1 and 1000000",
        "--admin-port   | 70000                    | --admin-port must be a port from 0 to 65535",
        "--admin-port   | -2                       | --admin-port must be a port from 0 to 65535",
        "--listen       | 127.0.0.1:70000          | --listen: the port must be a number from 0 to 65535",
        "--listen       | 127.0.0.1:-1             | --listen: the port must be a number from 0 to 65535",
        "--stats-every  | -1                       | --stats-every must be 0",
        "--sample       | 1.5                      | --sample must be between 0 and 1",
        "--timeout      | 0                        | --timeout must be a positive number of seconds"
      })
  void anOutOfRangeValueExitsTwoWithOneLineNamingItsFlag(
      String flag, String value, String message) {
    assertRefused(record(flag, value), message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ",", " , ", "GET POST", "GET,,HEAD"})
  void aMethodsListWithoutMethodNamesIsRefused(String methods) {
    assertRefused(record("--methods", methods), "--methods");
  }

  @Test
  void tlsAndWritingFlagsThatCannotWorkAreRefusedNamingTheFlagOrTheFile() throws IOException {
    Path notACert = dir.resolve("notacert.pem");
    Files.writeString(notACert, "hello\n");
    Path pkcs1 = dir.resolve("rsa.key");
    Files.writeString(
        pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertRefused(record("--tls-cert", notACert), "--tls-cert and --tls-key go together");
    assertRefused(
        record("--tls-cert", dir.resolve("missing.pem"), "--tls-key", pkcs1),
        "--tls-cert " + dir.resolve("missing.pem") + ": no such file");
    assertRefused(
        record("--tls-cert", notACert, "--tls-key", pkcs1),
        "--tls-cert " + notACert + ": no PEM certificate");
    assertRefused(
        record("--tls-keystore", notACert), "--tls-keystore " + notACert + ": cannot open it");
    assertRefused(record("--tls-keystore-password-env", "X"), "--tls-keystore-password-env needs");
    assertRefused(
        record("--upstream-ca", notACert), "--upstream-ca applies to an https --upstream");
    assertRefused(
        record("--upstream", "https://127.0.0.1:1", "--upstream-ca", notACert),
        "--upstream-ca " + notACert);
    assertRefused(record("--encoders", "0"), "--encoders must be between 1 and 64");
    assertRefused(record("--queue-bytes", "10"), "--queue-bytes must be at least 1MB");
  }

  @Test
  void recordWithKeepJwtClaimsRecordsTheTokenWithoutItsSignature() throws Exception {
    HttpServer up = upstream();
    Path out = dir.resolve("jwt.jsonl");
    String token = ImportExportCommandTests.JWT_KEPT + "." + ImportExportCommandTests.JWT_SIGNATURE;
    try (Recorder r =
        Recorder.start(
            LiveShadowTests.recordConfig(
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "http://127.0.0.1:" + up.getAddress().getPort(),
                "--out",
                out,
                "--keep-jwt-claims"))) {
      HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(r.url().resolve("/api/me"))
                  .header("Authorization", "Bearer " + token)
                  .header("X-Api-Key", token)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      r.stop(Duration.ofSeconds(5));
    } finally {
      up.stop(0);
    }
    assertThat(Files.readString(out)).doesNotContain(ImportExportCommandTests.JWT_SIGNATURE);
    try (RecordingReader reader = RecordingReader.open(out)) {
      assertThat(reader.header().redaction().jwt().headers()).containsExactly("Authorization");
      Exchange e = reader.next();
      assertThat(e.request().headers().first("Authorization").orElseThrow())
          .isEqualTo("Bearer " + ImportExportCommandTests.JWT_KEPT + ".REDACTED");
      assertThat(e.request().headers().first("X-Api-Key").orElseThrow())
          .as("only the headers of the jwt section keep a token")
          .isEqualTo("[REDACTED]");
    }
  }

  /** The recorder's configuration from {@code --listen}, {@code --upstream}, {@code --out} and {@code more}. */
  RecorderConfig mirrorConfig(Object... more) {
    List<Object> args =
        new ArrayList<>(
            List.of(
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "http://127.0.0.1:1",
                "--out",
                dir.resolve("r" + System.nanoTime() + ".jsonl")));
    args.addAll(List.of(more));
    return LiveShadowTests.recordConfig(args.toArray());
  }

  @Test
  void theMirrorsConnectionOptionsReachItsSender() {
    Path ca = TestCertificates.get().caCert();
    String candidate = "https://candidate.internal:8443";
    RecorderConfig c =
        mirrorConfig("--mirror", candidate, "--mirror-ca-cert", ca, "--mirror-http2");
    assertThat(c.mirroring().connections().trusted()).hasSize(1);
    assertThat(c.mirroring().connections().http2()).isTrue();
    assertThatThrownBy(
            () -> mirrorConfig("--mirror", candidate, "--mirror-ca-cert", ca, "--mirror-insecure"))
        .hasMessageStartingWith("--mirror-insecure and --mirror-ca-cert contradict each other");
    assertThatThrownBy(() -> mirrorConfig("--mirror", candidate, "--mirror-client-cert", ca))
        .hasMessage(
            "--mirror-client-cert needs --mirror-client-key (the certificate's private key)");
    assertThatThrownBy(
            () ->
                mirrorConfig("--mirror", candidate, "--mirror-ca-cert", dir.resolve("missing.pem")))
        .hasMessageContaining("--mirror-ca-cert")
        .message()
        .doesNotContain(" --ca-cert");
    assertThatThrownBy(() -> mirrorConfig("--mirror-insecure"))
        .hasMessageContaining("--mirror-http2 connection options apply to the live mirror")
        .hasMessageContaining("they need --mirror");
  }
}
