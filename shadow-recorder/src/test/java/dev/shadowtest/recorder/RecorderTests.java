package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.RecordingReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The recording proxy against a real upstream on 127.0.0.1: faithfulness, faults, redaction, safety. */
@Timeout(120)
class RecorderTests {

  @TempDir Path dir;

  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  RecorderConfig config(Upstream up) {
    return RecorderConfig.of(loopback(), up.uri(), dir.resolve("rec.jsonl.gz"));
  }

  static List<Exchange> read(Path file) {
    try (RecordingReader r = RecordingReader.open(file)) {
      return r.stream().toList();
    }
  }

  HttpResponse<String> get(Recorder r, String target, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(r.url() + target)).timeout(Duration.ofSeconds(30));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends raw bytes on one connection and reads until the server closes it or {@code until} is seen. */
  static String raw(int port, String request, String until) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) >= 0) {
        got.write(buf, 0, n);
        if (until != null && got.toString(StandardCharsets.ISO_8859_1).contains(until)) {
          break;
        }
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Sends raw bytes and returns what came back before the proxy closed or reset the connection. */
  static String rawUntilCut(int port, String request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = s.getInputStream().read(buf)) >= 0) {
          got.write(buf, 0, n);
        }
      } catch (SocketException reset) {
        // the proxy gives up on a response it cannot finish
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void forwardedHeadersAreAddedOnlyWhenAskedAndAppendToAnEarlierProxys() throws Exception {
    try (Upstream up = new Upstream();
        Recorder plain = Recorder.start(config(up));
        Recorder forwarding =
            Recorder.start(
                RecorderConfig.of(loopback(), up.uri(), dir.resolve("fwd.jsonl.gz"))
                    .withForwardedHeaders(true))) {
      String untouched =
          raw(
              plain.port(),
              "GET /echo HTTP/1.1\r\nHost: legacy.example\r\nForwarded: for=198.51.100.7\r\n"
                  + "Connection: close\r\n\r\n",
              null);
      assertThat(untouched)
          .contains("Forwarded=[for=198.51.100.7]")
          .doesNotContain("X-forwarded-for")
          .doesNotContain("Via=");
      String added =
          raw(
              forwarding.port(),
              "GET /echo HTTP/1.1\r\nHost: legacy.example:8080\r\n"
                  + "Forwarded: for=198.51.100.7;proto=https\r\nX-Forwarded-For: 198.51.100.7\r\n"
                  + "Connection: close\r\n\r\n",
              null);
      // RFC 7239: the proxy's element after the earlier one; a host with a port is quoted
      assertThat(added)
          .contains(
              "Forwarded=[for=198.51.100.7;proto=https, for=127.0.0.1;by=127.0.0.1;"
                  + "host=\"legacy.example:8080\";proto=http]")
          .contains("X-forwarded-for=[198.51.100.7, 127.0.0.1]")
          .contains("X-forwarded-host=[legacy.example:8080]")
          .contains("X-forwarded-proto=[http]")
          .contains("Via=[HTTP/1.1 shadow-recorder]");
      // several lines from the client: one list, this hop last; no earlier line left behind
      String repeated =
          raw(
              forwarding.port(),
              "GET /echo HTTP/1.1\r\nHost: a\r\nx-forwarded-for: 10.9.9.9\r\n"
                  + "X-Forwarded-For: 10.8.8.8\r\nX-Forwarded-Proto: https\r\n"
                  + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: forged\r\n"
                  + "X-Forwarded-Host: forged\r\nConnection: close\r\n\r\n",
              null);
      assertThat(repeated)
          .contains("X-forwarded-for=[10.9.9.9, 10.8.8.8, 127.0.0.1]")
          .contains("X-forwarded-proto=[http]")
          .contains("X-forwarded-host=[a]");
    }
  }

  /**
   * An HTTP/1.0 client gets no chunked coding (RFC 9112 forbids it): a body of unknown length ends
   * with the connection, which is closed after it; one without keep-alive is closed too.
   */
  @Test
  void anHttp10ClientGetsNoChunkedCodingAndItsConnectionClosed() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up))) {
      String chunked = raw(r.port(), "GET /chunked HTTP/1.0\r\n\r\n", null);
      assertThat(chunked).startsWith("HTTP/1.1 200");
      String head = chunked.substring(0, chunked.indexOf("\r\n\r\n")).toLowerCase();
      assertThat(head).doesNotContain("transfer-encoding").contains("connection: close");
      assertThat(chunked.substring(chunked.indexOf("\r\n\r\n") + 4))
          .isEqualTo("part 0\npart 1\npart 2\npart 3\npart 4\n");
      String echo = raw(r.port(), "GET /echo HTTP/1.0\r\nHost: a\r\n\r\n", null);
      assertThat(echo).startsWith("HTTP/1.1 200");
      assertThat(echo.substring(0, echo.indexOf("\r\n\r\n")).toLowerCase())
          .contains("connection: close")
          .contains("content-length: ");
    }
  }

  /** In recording version 1, and in version 2, which stores the bodies raw after the JSON. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void forwardsFaithfullyAndRecordsEveryExchange(int version) throws Exception {
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up).withRecordingVersion(version))) {
      HttpResponse<String> echo =
          client.send(
              HttpRequest.newBuilder(URI.create(r.url() + "/echo?a=1&a=2"))
                  .header("X-Rep", "one")
                  .header("X-Rep", "two")
                  .POST(HttpRequest.BodyPublishers.ofString("hello body"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(echo.statusCode()).isEqualTo(200);
      assertThat(echo.body())
          .startsWith("POST /echo?a=1&a=2\n")
          .contains("X-rep=[one, two]")
          .endsWith("hello body");
      assertThat(echo.headers().allValues("X-Multi")).containsExactly("a", "b");
      // a chunked request body (unknown length) and a chunked response
      HttpResponse<String> chunked =
          client.send(
              HttpRequest.newBuilder(URI.create(r.url() + "/chunked"))
                  .POST(
                      HttpRequest.BodyPublishers.ofInputStream(
                          () -> new ByteArrayInputStream("streamed".getBytes())))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(chunked.body()).isEqualTo("part 0\npart 1\npart 2\npart 3\npart 4\n");
      HttpResponse<byte[]> binary =
          client.send(
              HttpRequest.newBuilder(URI.create(r.url() + "/binary")).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(binary.body()).hasSize(256);
      assertThat(binary.body()[255]).isEqualTo((byte) 255);
      // keep-alive: two requests on one connection
      String two =
          raw(
              r.port(),
              "GET /echo?n=1 HTTP/1.1\r\nHost: legacy\r\n\r\nGET /echo?n=2 HTTP/1.1\r\nHost: legacy\r\n"
                  + "Connection: close\r\n\r\n",
              null);
      assertThat(two).contains("GET /echo?n=1").contains("GET /echo?n=2");
      assertThat(two.split("HTTP/1.1 200", -1)).hasSize(3);

      RecorderStats stats = r.stop(Duration.ofSeconds(10));
      assertThat(stats.proxied()).isEqualTo(5);
      assertThat(stats.recorded()).isEqualTo(5);
      Path file = dir.resolve("rec.jsonl.gz");
      assertThat(Files.getPosixFilePermissions(file))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
      List<Exchange> recorded = read(file);
      assertThat(recorded).hasSize(5);
      Exchange e =
          recorded.stream()
              .filter(x -> x.request().target().startsWith("/echo?a="))
              .findFirst()
              .orElseThrow();
      assertThat(e.request().method()).isEqualTo("POST");
      assertThat(e.request().headers().all("X-Rep")).containsExactly("one", "two");
      assertThat(((Body.Text) e.request().body()).text()).isEqualTo("hello body");
      assertThat(e.response().headers().all("X-Multi")).containsExactly("a", "b");
      assertThat(e.durationMicros()).isPositive();
      Exchange c =
          recorded.stream()
              .filter(x -> x.request().target().equals("/chunked"))
              .findFirst()
              .orElseThrow();
      assertThat(((Body.Text) c.request().body()).text()).isEqualTo("streamed");
      assertThat(((Body.Text) c.response().body()).text()).startsWith("part 0");
      Exchange b =
          recorded.stream()
              .filter(x -> x.request().target().equals("/binary"))
              .findFirst()
              .orElseThrow();
      assertThat(b.response().body()).isInstanceOf(Body.Binary.class);
      assertThat(b.response().body().bytes()).hasSize(256);
      try (RecordingReader reader = RecordingReader.open(file)) {
        assertThat(reader.header().version()).isEqualTo(version);
      }
      String lines;
      try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
        lines = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      }
      assertThat(lines.contains("\"body\":{\"raw\":10}") && lines.contains("}}\thello body\t"))
          .as("a raw request body after the JSON")
          .isEqualTo(version == 2);
      assertThat(lines.contains("{\"raw\":256,\"binary\":true}")).isEqualTo(version == 2);
    }
  }

  @Test
  void aHundredMegabytesStreamThroughAndTheRecordingKeepsABoundedPrefix() throws Exception {
    long n = 100L << 20;
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up).withMaxBody(64 * 1024))) {
      HttpResponse<InputStream> big =
          client.send(
              HttpRequest.newBuilder(URI.create(r.url() + "/big?n=" + n)).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      long seen = 0;
      boolean same = true;
      try (InputStream in = big.body()) {
        byte[] buf = new byte[64 * 1024];
        int k;
        while ((k = in.read(buf)) >= 0) {
          for (int j = 0; j < k && same; j += 4099) {
            same = buf[j] == Upstream.patternByte(seen + j);
          }
          seen += k;
        }
      }
      assertThat(seen).isEqualTo(n);
      assertThat(same).isTrue();
      // and 100 MB up, streamed (the upstream hashes what it got)
      HttpResponse<String> upload =
          client.send(
              HttpRequest.newBuilder(URI.create(r.url() + "/upload"))
                  .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(n)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(upload.body()).startsWith(n + " ");
      r.stop(Duration.ofSeconds(10));
      List<Exchange> recorded = read(dir.resolve("rec.jsonl.gz"));
      Exchange down =
          recorded.stream()
              .filter(x -> x.request().target().startsWith("/big"))
              .findFirst()
              .orElseThrow();
      assertThat(down.response().body().truncated()).isTrue();
      assertThat(down.response().body().size()).isEqualTo(n);
      assertThat(down.response().body().bytes()).hasSize(64 * 1024);
      Exchange upl =
          recorded.stream()
              .filter(x -> x.request().target().equals("/upload"))
              .findFirst()
              .orElseThrow();
      assertThat(upl.request().body().truncated()).isTrue();
      assertThat(upl.request().body().size()).isEqualTo(n);
    }
  }

  /** {@code n} bytes of the upstream's pattern, generated on the fly. */
  static final class PatternStream extends InputStream {
    private final long n;
    private long i;

    PatternStream(long n) {
      this.n = n;
    }

    @Override
    public int read() {
      return i < n ? Upstream.patternByte(i++) & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (i >= n) {
        return -1;
      }
      int k = (int) Math.min(len, n - i);
      for (int j = 0; j < k; j++) {
        b[off + j] = Upstream.patternByte(i++);
      }
      return k;
    }
  }

  @Test
  void anUpstreamThatIsDownGives502AndIsRecordedWithTheError() throws Exception {
    Upstream up = new Upstream();
    URI gone = up.uri();
    up.close();
    try (Recorder r =
        Recorder.start(
            RecorderConfig.of(loopback(), gone, dir.resolve("rec.jsonl"))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)))) {
      HttpResponse<String> res = get(r, "/echo");
      assertThat(res.statusCode()).isEqualTo(502);
      assertThat(res.body()).contains("Bad Gateway").contains("refused");
      RecorderStats s = r.stop(Duration.ofSeconds(5));
      assertThat(s.upstreamErrors()).isEqualTo(1);
      Exchange e = read(dir.resolve("rec.jsonl")).get(0);
      assertThat(e.response()).isNull();
      assertThat(e.error()).startsWith("refused");
    }
  }

  @Test
  void aSlowUpstreamDoesNotHoldOtherRequests() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up))) {
      var slow =
          client.sendAsync(
              HttpRequest.newBuilder(URI.create(r.url() + "/slow")).build(),
              HttpResponse.BodyHandlers.ofString());
      Thread.sleep(100);
      long t0 = System.nanoTime();
      assertThat(get(r, "/echo").statusCode()).isEqualTo(200);
      assertThat((System.nanoTime() - t0) / 1e6)
          .as("ms for a fast request beside a slow one")
          .isLessThan(1000);
      assertThat(slow.get().body()).isEqualTo("slow");
    }
  }

  @Test
  void aClientThatAbortsMidBodyIsCountedAndTheProxyGoesOn() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up))) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), r.port())) {
        s.getOutputStream()
            .write(
                "GET /big?n=200000000 HTTP/1.1\r\nHost: legacy\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
        s.getInputStream().readNBytes(100_000);
      }
      assertThat(get(r, "/echo").statusCode()).isEqualTo(200);
      RecorderStats stats = r.stop(Duration.ofSeconds(10));
      assertThat(stats.clientAborts()).isEqualTo(1);
      Exchange aborted =
          read(dir.resolve("rec.jsonl.gz")).stream()
              .filter(x -> x.request().target().startsWith("/big"))
              .findFirst()
              .orElseThrow();
      assertThat(aborted.tags()).containsEntry("shadow.truncated", "client-abort");
    }
  }

  @Test
  void aDownloadAbortedByItsClientIsRecordedTruncatedWithItsContentLength() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up))) {
      try (Socket s = new Socket()) {
        s.setReceiveBufferSize(32 * 1024);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), r.port()));
        // far more than the proxy's socket can buffer before the close (Linux lets a send buffer
        // grow to 4 MiB): with 5 MB, the proxy sometimes handed all of it to its kernel in time
        s.getOutputStream()
            .write(
                "GET /big?n=32000000 HTTP/1.1\r\nHost: legacy\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(s.getInputStream().readNBytes(1 << 20)).hasSize(1 << 20);
      }
      RecorderStats stats = r.stop(Duration.ofSeconds(10));
      assertThat(stats.clientAborts()).isEqualTo(1);
      assertThat(stats.upstreamCloses()).isZero();
      Exchange e = read(dir.resolve("rec.jsonl.gz")).get(0);
      assertThat(e.response().body().truncated()).isTrue();
      assertThat(e.response().body().size()).isEqualTo(32_000_000);
      assertThat(e.response().body().bytes().length).isBetween(1 << 20, 32_000_000 - 1);
      assertThat(e.tags()).containsEntry("shadow.truncated", "client-abort");
    }
  }

  @Test
  void headerLinesLongerThanTheProxysBuffersAndOddSpacingPassAsTheyCame() throws Exception {
    // the proxy's connections have 8 KiB buffers: lines near HttpCore's 8,192-character limit,
    // a target of 6,000 characters and a body of 100 KB still pass byte for byte
    String longValue = "v".repeat(7_000);
    String target = "/long?q=" + "t".repeat(6_000);
    String body = "b".repeat(100_000);
    try (ScriptedUpstream upstream =
            ScriptedUpstream.thenWait(
                ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Long: "
                        + longValue
                        + "\r\nX-Odd:  two  spaces\r\nContent-Length: "
                        + body.length()
                        + "\r\n\r\n"
                        + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
        Recorder r =
            Recorder.start(
                RecorderConfig.of(loopback(), upstream.uri(), dir.resolve("rec.jsonl")))) {
      String answer =
          raw(
              r.port(),
              "GET "
                  + target
                  + " HTTP/1.1\r\nHost: x\r\nX-Req-Long: "
                  + longValue
                  + "\r\nX-Req-Odd:\tone tab\r\nConnection: close\r\n\r\n",
              null);
      assertThat(answer).contains("\r\nX-Long: " + longValue + "\r\n");
      assertThat(answer).contains("\r\nX-Odd:  two  spaces\r\n");
      assertThat(answer).endsWith("\r\n\r\n" + body);
      assertThat(upstream.head.get(0)).isEqualTo("GET " + target + " HTTP/1.1");
      assertThat(upstream.head).contains("X-Req-Long: " + longValue, "X-Req-Odd:\tone tab");
      r.stop(Duration.ofSeconds(10));
      Exchange e = read(dir.resolve("rec.jsonl")).get(0);
      assertThat(e.request().target()).isEqualTo(target);
      assertThat(e.request().headers().first("X-Req-Long")).contains(longValue);
      assertThat(e.request().headers().first("X-Req-Odd")).contains("one tab");
      assertThat(e.response().headers().first("X-Long")).contains(longValue);
      assertThat(e.response().headers().first("X-Odd")).contains("two  spaces");
      assertThat(e.response().body().size()).isEqualTo(100_000);
      assertThat(e.response().body().truncated()).isFalse();
    }
  }

  @Test
  void anUpstreamThatClosesMidBodyIsRecordedTruncatedAndCountedAsAnUpstreamClose()
      throws Exception {
    // an upstream that announces 100,000 bytes, sends 5,000 and closes
    try (ScriptedUpstream liar =
            ScriptedUpstream.thenClose(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"
                    + "x".repeat(5000));
        Recorder r =
            Recorder.start(RecorderConfig.of(loopback(), liar.uri(), dir.resolve("rec.jsonl")))) {
      rawUntilCut(r.port(), "GET /file HTTP/1.1\r\nHost: x\r\n\r\n"); // the client sees the cut too
      RecorderStats stats = r.stop(Duration.ofSeconds(10));
      assertThat(stats.upstreamCloses()).isEqualTo(1);
      assertThat(stats.clientAborts()).isZero();
      Exchange e = read(dir.resolve("rec.jsonl")).get(0);
      assertThat(e.response().body().truncated()).isTrue();
      assertThat(e.response().body().size()).isEqualTo(100_000);
      assertThat(e.response().body().bytes()).hasSize(5000);
      assertThat(e.tags()).containsEntry("shadow.truncated", "upstream-close");
    }
  }

  @Test
  void aChunkedResponseCutByTheUpstreamIsTruncatedWithTheBytesSeen() throws Exception {
    try (ScriptedUpstream liar =
            ScriptedUpstream.thenClose( // no last chunk: closed
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n");
        Recorder r =
            Recorder.start(RecorderConfig.of(loopback(), liar.uri(), dir.resolve("rec.jsonl")))) {
      rawUntilCut(r.port(), "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(r.stop(Duration.ofSeconds(10)).upstreamCloses()).isEqualTo(1);
      Exchange e = read(dir.resolve("rec.jsonl")).get(0);
      assertThat(e.response().body()).isEqualTo(new Body.Text("hello", true, 5));
      assertThat(e.tags()).containsEntry("shadow.truncated", "upstream-close");
    }
  }

  @Test
  void aFailingDiskNeverTouchesLiveResponses() throws Exception {
    ExchangeSink failing =
        new ExchangeSink() {
          @Override
          public void write(Exchange exchange) {
            throw new UncheckedIOException(new IOException("No space left on device"));
          }

          @Override
          public void writeLine(String line) {
            throw new UncheckedIOException(new IOException("No space left on device"));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up), failing)) {
      for (int i = 0; i < 10; i++) {
        assertThat(get(r, "/echo?i=" + i).body()).startsWith("GET /echo?i=" + i);
      }
      RecorderStats s = r.stop(Duration.ofSeconds(5));
      assertThat(s.proxied()).isEqualTo(10);
      assertThat(s.recorded()).isZero();
      assertThat(s.dropped()).containsEntry("write-error", 10L);
    }
  }

  @Test
  void aBlockedDiskFillsTheQueueAndLiveResponsesStayOnTime() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    ExchangeSink blocked =
        new ExchangeSink() {
          @Override
          public void write(Exchange exchange) {
            try {
              never.await(); // a disk that hangs
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("interrupted", e);
            }
          }

          @Override
          public void writeLine(String line) {
            write(null);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up).withQueueCapacity(2), blocked)) {
      List<Double> millis = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        long t0 = System.nanoTime();
        assertThat(get(r, "/echo?i=" + i).statusCode()).isEqualTo(200);
        millis.add((System.nanoTime() - t0) / 1e6);
      }
      assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(2000.0));
      assertThat(r.stats().dropped().get("queue-full")).isGreaterThanOrEqualTo(17L);
      RecorderStats s = r.stop(Duration.ofSeconds(2)); // the stop does not hang on the disk either
      assertThat(s.proxied()).isEqualTo(20);
      assertThat(s.droppedTotal()).isEqualTo(20);
    }
  }

  @Test
  void aPortInUseFailsTheStartNamingTheAddressAndLeavesNoRecording() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream()) {
      RecorderConfig c;
      try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = taken.getLocalPort();
        c =
            RecorderConfig.of(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), up.uri(), out);
        assertThatThrownBy(() -> Recorder.start(c))
            .isInstanceOf(BindException.class)
            .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + " (--listen): ");
        assertThat(out).doesNotExist();
      }
      try (Recorder r = Recorder.start(c)) { // the retry is not blocked by an empty recording
        assertThat(r.port()).isEqualTo(c.listen().getPort());
      }
    }
  }

  @Test
  void anAdminPortInUseFailsTheStartAndLeavesNoRecording() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> Recorder.start(config(up).withAdminPort(taken.getLocalPort())))
          .isInstanceOf(BindException.class)
          .hasMessageContaining("(--admin-port)");
      assertThat(out).doesNotExist();
    }
  }

  @Test
  void anUpstreamThatIsTheProxyItselfIsRefusedBeforeAnythingIsCreated() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path out = dir.resolve("rec.jsonl.gz");
    for (String[] listenAndUpstream :
        new String[][] {
          {"127.0.0.1", "http://localhost:" + port},
          {"0.0.0.0", "http://127.0.0.1:" + port + "/base"}
        }) {
      RecorderConfig c =
          RecorderConfig.of(
              new InetSocketAddress(listenAndUpstream[0], port),
              URI.create(listenAndUpstream[1]),
              out);
      assertThatThrownBy(() -> Recorder.start(c))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining(
              "--upstream " + listenAndUpstream[1] + " is the proxy's own address");
    }
    assertThat(out).doesNotExist();
  }

  @Test
  void isNeverAnOpenProxy() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up))) {
      String absolute =
          raw(
              r.port(),
              "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
              null);
      assertThat(absolute).startsWith("HTTP/1.1 403").contains("example.com:80 is not proxied");
      String connect =
          raw(
              r.port(),
              "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n",
              null);
      assertThat(connect).startsWith("HTTP/1.1 405").contains("CONNECT is refused");
      // absolute form for the upstream itself is fine
      String own =
          raw(
              r.port(),
              "GET " + up.uri() + "/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
              null);
      assertThat(own).startsWith("HTTP/1.1 200");
      assertThat(up.targets).noneMatch(t -> t.contains("example.com")).hasSize(1);
      assertThat(r.stats().refused()).isEqualTo(2);
    }
  }

  @Test
  void targetsThatClimbOutOfTheUpstreamsBasePathAreRefusedAndNeverForwarded() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                    loopback(), URI.create(up.uri() + "/base"), dir.resolve("rec.jsonl")))) {
      for (String target :
          List.of(
              "/../admin",
              "/%2e%2e/admin",
              "/a/../../admin",
              "/..%2fadmin",
              "/..;/admin",
              "/..%5cadmin",
              "/%252e%252e/admin")) {
        assertThat(
                raw(
                    r.port(),
                    "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    null))
            .as(target)
            .startsWith("HTTP/1.1 400")
            .contains("climbs out of the upstream's base path /base");
      }
      assertThat(up.targets).isEmpty();
      raw(
          r.port(),
          "GET /a/../echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
          null); // stays below /base
      assertThat(up.targets).containsExactly("GET /base/a/../echo");
      RecorderStats s = r.stop(Duration.ofSeconds(5));
      assertThat(s.refused()).isEqualTo(7);
      assertThat(s.recorded()).isEqualTo(1);
    }
  }

  @Test
  void statsAreServedOnLoopbackOnly() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up).withAdminPort(0))) {
      get(r, "/echo");
      HttpResponse<String> stats =
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + r.adminPort() + "/_shadow/stats"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(stats.statusCode()).isEqualTo(200);
      assertThat(stats.body())
          .contains("\"proxied\":1")
          .contains("\"dropped\":{}")
          .contains("\"upstreamErrors\":0");
      // bound to 127.0.0.1: the machine's other addresses do not answer
      for (var nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (var addr : Collections.list(nif.getInetAddresses())) {
          if (!addr.isLoopbackAddress() && addr instanceof Inet4Address) {
            try (Socket s = new Socket()) {
              s.connect(new InetSocketAddress(addr, r.adminPort()), 500);
              throw new AssertionError("admin port answered on " + addr);
            } catch (IOException expected) {
              // refused: good
            }
          }
        }
      }
    }
  }

  @Test
  void statsAnswerWhileAnotherClientHasSentHalfARequest() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up).withAdminPort(0))) {
      URI stats = URI.create("http://127.0.0.1:" + r.adminPort() + "/_shadow/stats");
      assertThat(
              client
                  .send(HttpRequest.newBuilder(stats).build(), HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200); // the client is warm
      try (Socket half = new Socket(InetAddress.getLoopbackAddress(), r.adminPort())) {
        half.getOutputStream()
            .write("GET /_sha".getBytes(StandardCharsets.ISO_8859_1)); // and nothing more
        half.getOutputStream().flush();
        Thread.sleep(200);
        long t0 = System.nanoTime();
        HttpResponse<String> answer =
            HttpClient.newHttpClient() // a new connection
                .send(
                    HttpRequest.newBuilder(stats).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - t0) / 1e6)
            .as("ms for the stats beside a half request")
            .isLessThan(2000);
      }
    }
  }

  @Test
  void samplingAndFiltersChooseWhatIsRecordedNotWhatIsProxied() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                config(up)
                    .withFilters(
                        1.0,
                        Set.of("get"),
                        Pattern.compile("^/echo"),
                        Pattern.compile("secret")))) {
      assertThat(get(r, "/echo?x=1").statusCode()).isEqualTo(200);
      assertThat(get(r, "/echo/secret").statusCode()).isEqualTo(404); // the upstream's answer
      assertThat(get(r, "/binary").statusCode()).isEqualTo(200);
      assertThat(
              client
                  .send(
                      HttpRequest.newBuilder(URI.create(r.url() + "/echo"))
                          .POST(HttpRequest.BodyPublishers.ofString("x"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
      RecorderStats s = r.stop(Duration.ofSeconds(5));
      assertThat(s.proxied()).isEqualTo(4);
      assertThat(s.recorded()).isEqualTo(1);
      assertThat(s.filtered()).isEqualTo(3);
    }
    Path sampled = dir.resolve("sampled.jsonl");
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(loopback(), up.uri(), sampled)
                    .withFilters(0.25, Set.of(), null, null))) {
      for (int i = 0; i < 400; i++) {
        get(r, "/binary");
      }
      RecorderStats s = r.stop(Duration.ofSeconds(5));
      assertThat(s.recorded()).isBetween(50L, 150L); // 25% of 400, loosely
      assertThat(read(sampled)).hasSize((int) s.recorded());
    }
  }

  @Test
  void rotatesAfterNExchanges() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up).withRotation(3, 0))) {
      for (int i = 0; i < 7; i++) {
        get(r, "/echo?i=" + i);
      }
      r.stop(Duration.ofSeconds(5));
      assertThat(r.files())
          .extracting(p -> p.getFileName().toString())
          .containsExactly("rec-0001.jsonl.gz", "rec-0002.jsonl.gz", "rec-0003.jsonl.gz");
      assertThat(r.files()).extracting(p -> read(p).size()).containsExactly(3, 3, 1);
    }
  }
}
