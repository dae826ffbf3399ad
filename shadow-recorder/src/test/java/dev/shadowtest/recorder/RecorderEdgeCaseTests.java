package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.Redactor;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The recorder at its edges: secrets in encoded bodies, HEAD, existing files, the mirror, Expect: 100-continue, URL headers. */
@Timeout(60)
class RecorderEdgeCaseTests {

  @TempDir Path dir;

  static final Redaction PASSWORDS =
      Redaction.defaults()
          .plus(new Redaction(List.of(), List.of("$..password"), List.of(), List.of(), false));

  static Exchange response(String contentType, String encoding, Body body) {
    Headers h = Headers.of("Content-Type", contentType);
    if (encoding != null) {
      h = h.with("Content-Encoding", encoding);
    }
    return Exchange.of("x", HttpRequest.of("GET", "/"), new HttpResponse(200, "OK", h, body));
  }

  static String stored(Exchange e) {
    Body b = e.response().body();
    return b instanceof Body.Text t ? t.text() : new String(b.bytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void secretsInGzipLatin1NdjsonAndCutMultibyteBodiesAreRedacted() throws Exception {
    Redactor r = new Redactor(PASSWORDS, null);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(gz)) {
      o.write("{\"user\":\"ann\",\"password\":\"gzip-secret\"}".getBytes(StandardCharsets.UTF_8));
    }
    Exchange zipped = r.apply(response("application/json", "gzip", Body.binary(gz.toByteArray())));
    assertThat(stored(zipped)).doesNotContain("gzip-secret").contains("ann").contains("[REDACTED]");
    assertThat(zipped.response().headers().contains("Content-Encoding")).isFalse(); // kept decoded

    byte[] latin1 =
        "{\"name\":\"Ren\u00e9\",\"password\":\"latin1-secret\"}"
            .getBytes(StandardCharsets.ISO_8859_1);
    assertThat(stored(r.apply(response("application/json", null, Body.binary(latin1)))))
        .doesNotContain("latin1-secret")
        .contains("redacted as a whole");

    String ndjson = "{\"a\":1}\n{\"password\":\"ndjson-secret\"}\n";
    assertThat(stored(r.apply(response("application/x-ndjson", null, Body.text(ndjson)))))
        .doesNotContain("ndjson-secret");

    byte[] cut =
        "{\"password\":\"cut-secret\",\"x\":\"\u00e9\u00e9\"}".getBytes(StandardCharsets.UTF_8);
    byte[] prefix = Arrays.copyOf(cut, cut.length - 4); // cut inside a multibyte character
    assertThat(stored(r.apply(response("application/json", null, Body.of(prefix, cut.length)))))
        .doesNotContain("cut-secret");

    ByteArrayOutputStream brokenGzip = new ByteArrayOutputStream();
    brokenGzip.write(gz.toByteArray(), 0, gz.size() / 2);
    assertThat(
            stored(
                r.apply(
                    response("application/json", "gzip", Body.binary(brokenGzip.toByteArray())))))
        .contains("could not be decoded");
  }

  @Test
  void headKeepsTheUpstreamContentLength() throws Exception {
    // an upstream that answers HEAD the way nginx does: the length of the resource, no body
    try (ScriptedUpstream upstream =
            ScriptedUpstream.thenWait(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2048\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    upstream.uri(),
                    dir.resolve("rec.jsonl")))) {
      String proxied =
          RecorderTests.raw(
              r.port(), "HEAD /data.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null);
      assertThat(proxied).startsWith("HTTP/1.1 200");
      assertThat(proxied.toLowerCase()).contains("content-length: 2048");
    }
  }

  /**
   * An upstream that closes a kept-alive connection after 150 ms idle (as gunicorn does after 2 s):
   * a GET that the recorder sends on such a connection from its pool gets no answer there, and is
   * sent again on a new one, so the client gets the upstream's 200; a POST is never sent twice.
   */
  @Test
  void aRequestOnAConnectionTheUpstreamClosedWhileIdleIsSentAgainWhenSafe() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread accepting =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> serveUntilIdle(s, received));
                    t.setDaemon(true);
                    t.start();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      accepting.setDaemon(true);
      accepting.start();
      try (Recorder r =
          Recorder.start(
              RecorderConfig.of(
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                  URI.create("http://127.0.0.1:" + server.getLocalPort()),
                  dir.resolve("rec.jsonl")))) {
        String get = "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        assertThat(RecorderTests.raw(r.port(), get, null)).startsWith("HTTP/1.1 200");
        for (int i = 0; i < 3; i++) {
          Thread.sleep(500); // the upstream has closed the pooled connection by now
          assertThat(RecorderTests.raw(r.port(), get, null)).startsWith("HTTP/1.1 200");
        }
        assertThat(received).containsOnly("GET /a HTTP/1.1");
        assertThat(r.upstreamRetries()).isEqualTo(3); // each GET after a pause, once
        Thread.sleep(500);
        received.clear();
        String post =
            "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        assertThat(RecorderTests.raw(r.port(), post, null)).startsWith("HTTP/1.1 502");
        assertThat(received).isEmpty(); // the closed connection took it; it was not sent again
      }
    }
  }

  /** Answers each request on {@code s} with 200, keeping it alive; closes it after 150 ms idle. */
  private static void serveUntilIdle(Socket s, List<String> received) {
    try (s) {
      s.setSoTimeout(150);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      while (true) {
        String line = in.readLine();
        if (line == null) {
          return;
        }
        received.add(line);
        while (!in.readLine().isEmpty()) {
          // the rest of the head (no request here has a body)
        }
        s.getOutputStream()
            .write(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    .getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
      }
    } catch (IOException e) {
      // idle for 150 ms (or the proxy closed): the connection ends
    }
  }

  /** RFC 9112 3.2: 400 to two Host headers, and to an HTTP/1.1 request with none; not passed on. */
  @Test
  void aRequestWithTwoHostsOrAnHttp11OneWithoutIsRefused() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    up.uri(),
                    dir.resolve("rec.jsonl")))) {
      assertThat(
              RecorderTests.raw(
                  r.port(),
                  "GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
                  null))
          .startsWith("HTTP/1.1 400")
          .contains("more than one Host header");
      assertThat(
              RecorderTests.raw(r.port(), "GET /echo HTTP/1.1\r\nConnection: close\r\n\r\n", null))
          .startsWith("HTTP/1.1 400")
          .contains("without a Host header");
      // HTTP/1.0 needs none
      assertThat(RecorderTests.raw(r.port(), "GET /echo HTTP/1.0\r\n\r\n", null))
          .startsWith("HTTP/1.1 200");
      assertThat(up.requests.get()).isEqualTo(1);
    }
  }

  @Test
  void anExistingRecordingIsNeverOverwritten() throws Exception {
    Path out = dir.resolve("rec.jsonl");
    Files.writeString(out, "precious\n");
    try (Upstream up = new Upstream()) {
      assertThatThrownBy(
              () ->
                  Recorder.start(
                      RecorderConfig.of(
                          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                          up.uri(),
                          out)))
          .isInstanceOf(RecordingException.class)
          .hasMessageContaining("already exists");
      assertThat(Files.readString(out)).isEqualTo("precious\n");
      // with rotation, a restart continues with the next free number
      Files.writeString(dir.resolve("rot-0001.jsonl"), "earlier run\n");
      try (Recorder r =
          Recorder.start(
              RecorderConfig.of(
                      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                      up.uri(),
                      dir.resolve("rot.jsonl"))
                  .withRotation(100, 0))) {
        assertThat(r.files())
            .extracting(p -> p.getFileName().toString())
            .containsExactly("rot-0002.jsonl");
      }
      assertThat(Files.readString(dir.resolve("rot-0001.jsonl"))).isEqualTo("earlier run\n");
    }
  }

  @Test
  void theMirrorNeverSendsUnsafeMethods() throws Exception {
    HttpServer candidate =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    List<String> seen = new CopyOnWriteArrayList<>();
    candidate.createContext(
        "/",
        ex -> {
          seen.add(ex.getRequestMethod());
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    candidate.start();
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        up.uri(),
                        dir.resolve("rec.jsonl"))
                    .withMirror(
                        URI.create("http://127.0.0.1:" + candidate.getAddress().getPort()),
                        dir.resolve("live")))) {
      RecorderTests.raw(
          r.port(),
          "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
          null);
      RecorderTests.raw(
          r.port(), "GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null);
      RecorderStats s = r.stop(Duration.ofSeconds(10));
      assertThat(s.recorded()).isEqualTo(2);
      assertThat(s.dropped()).isEmpty(); // recorded, not mirrored: nothing was lost
    } finally {
      candidate.stop(0);
    }
    assertThat(seen).containsExactly("GET");
    // the POST is in the mirror's run as a SKIPPED exchange, as a replay writes it
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("live/summary.json").toFile());
    assertThat(summary.get("skipped").asLong()).isEqualTo(1);
    assertThat(summary.get("compared").asLong()).isEqualTo(1);
  }

  @Test
  void expectContinueIsAnsweredByTheProxyAndNotForwarded() throws Exception {
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    up.uri(),
                    dir.resolve("rec.jsonl")));
        Socket s = new Socket(InetAddress.getLoopbackAddress(), r.port())) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
                      + "Connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      byte[] interim = new byte[25];
      int n = s.getInputStream().read(interim);
      assertThat(new String(interim, 0, n, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 100");
      long t0 = System.nanoTime();
      s.getOutputStream().write("hello".getBytes(StandardCharsets.ISO_8859_1));
      String rest = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat((System.nanoTime() - t0) / 1e6).as("ms").isLessThan(1000);
      assertThat(rest).contains("200 OK").contains("hello").doesNotContainIgnoringCase("expect=");
    }
  }

  @Test
  void queryParametersInUrlHeadersAreRedactedToo() {
    Redactor r =
        new Redactor(
            Redaction.defaults()
                .plus(new Redaction(List.of(), List.of(), List.of("token"), List.of(), false)),
            null);
    Exchange e =
        r.apply(
            Exchange.of(
                "1",
                new HttpRequest(
                    "GET",
                    "/a?token=t1",
                    "HTTP/1.1",
                    Headers.of("Referer", "https://shop.example/cart?token=referer-secret&x=1"),
                    Body.none()),
                new HttpResponse(
                    302,
                    "Found",
                    Headers.of("Location", "/next?token=location-secret"),
                    Body.none())));
    assertThat(e.request().headers().first("Referer"))
        .contains("https://shop.example/cart?token=%5BREDACTED%5D&x=1");
    assertThat(e.response().headers().first("Location")).contains("/next?token=%5BREDACTED%5D");
  }

  @Test
  void aSecretInThePathDoesNotNameTheMirrorsEndpoint() {
    Redactor r =
        new Redactor(
            Redaction.defaults()
                .plus(
                    new Redaction(
                        List.of(), List.of(), List.of(), List.of("[a-z]+@example\\.com"), false)),
            null);
    Exchange e = r.apply(Exchange.of("1", HttpRequest.of("GET", "/users/ann@example.com"), null));
    assertThat(e.request().target()).isEqualTo("/users/[REDACTED]");
  }
}
