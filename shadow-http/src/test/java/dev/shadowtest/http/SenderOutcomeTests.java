package dev.shadowtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What sending comes to: an answer, or a failure typed by its category, kept as "label: message". */
class SenderOutcomeTests {

  @Test
  void failuresAreTypedAndKeepTheirOnDiskLabels() {
    assertThat(Sender.category(new ConnectException("Connection refused")))
        .isEqualTo(ErrorCategory.REFUSED);
    assertThat(Sender.category(new IOException("x", new SocketTimeoutException())))
        .isEqualTo(ErrorCategory.TIMEOUT);
    assertThat(Sender.category(new UnknownHostException("nowhere"))).isEqualTo(ErrorCategory.DNS);
    assertThat(Sender.category(new IllegalStateException("?"))).isEqualTo(ErrorCategory.OTHER);
    assertThat(ErrorCategory.TOO_LARGE.label()).isEqualTo("too-large");
    // TLS anywhere in the causes wins: a handshake broken off shows as a closed connection too
    assertThat(Sender.category(new IOException("x", new SSLHandshakeException("untrusted"))))
        .isEqualTo(ErrorCategory.TLS);
    assertThat(
            Sender.category(
                new IOException("closed", new SSLException("alert", new SocketException()))))
        .isEqualTo(ErrorCategory.TLS);
    assertThat(Sender.category(new CertificateException("No subject alternative names")))
        .isEqualTo(ErrorCategory.TLS);
    assertThat(ErrorCategory.TLS.label()).isEqualTo("tls");
    Sender.Attempt failed = new Sender.Failed(ErrorCategory.REFUSED, "Connection refused", 12);
    assertThat(failed.ok()).isFalse();
    assertThat(failed.response()).isNull();
    assertThat(failed.error()).isEqualTo("refused: Connection refused");
    Sender.Attempt answered =
        new Sender.Answered(new HttpResponse(503, "", Headers.empty(), null), 5);
    assertThat(answered.ok()).isTrue();
    assertThat(answered.error()).isNull();
    assertThat(answered.response().status()).isEqualTo(503);
  }

  @Test
  void aTargetWhereNothingListensIsRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there now
    }
    URI base = URI.create("http://127.0.0.1:" + port);
    try (Sender sender =
        new Sender(1, Duration.ofSeconds(2), Duration.ofSeconds(2), Headers.empty(), false)) {
      Sender.Attempt a = sender.send(base, HttpRequest.of("GET", "/")).get();
      assertThat(a)
          .isInstanceOfSatisfying(
              Sender.Failed.class, f -> assertThat(f.category()).isEqualTo(ErrorCategory.REFUSED));
      assertThat(a.error()).startsWith("refused: ");
    }
  }

  /**
   * {@code --timeout}, not {@code --connect-timeout}, is how long an answer may be in coming: an
   * answer 1.5 s late is received with a connect timeout of 0.5 s, and a target that never
   * answers times out by the response timeout (1 s), long before a connect timeout of 20 s.
   */
  @Test
  void theResponseTimeoutNotTheConnectTimeoutBoundsTheWaitForAnAnswer() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < 2; i++) {
                  try {
                    Socket s = server.accept();
                    BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    String line = in.readLine();
                    while (!in.readLine().isEmpty()) {
                      // the rest of the request's head
                    }
                    if (line.startsWith("GET /late ")) {
                      Thread.sleep(1500);
                      s.getOutputStream()
                          .write(
                              "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate"
                                  .getBytes(StandardCharsets.US_ASCII));
                      s.getOutputStream().flush();
                    } // "/never": held open, never answered
                  } catch (IOException | InterruptedException e) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
      URI base = URI.create("http://127.0.0.1:" + server.getLocalPort());
      try (Sender sender =
          new Sender(1, Duration.ofMillis(500), Duration.ofSeconds(5), Headers.empty(), false)) {
        Sender.Attempt late = sender.send(base, HttpRequest.of("GET", "/late")).get();
        assertThat(late.error()).isNull();
        assertThat(late.response().status()).isEqualTo(200);
      }
      try (Sender sender =
          new Sender(1, Duration.ofSeconds(20), Duration.ofSeconds(1), Headers.empty(), false)) {
        long t0 = System.nanoTime();
        Sender.Attempt never = sender.send(base, HttpRequest.of("GET", "/never")).get();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(never.error()).startsWith("timeout: ");
        assertThat(ms).isLessThan(15_000);
      }
    }
  }

  /**
   * An answer is an answer whatever charset it declares: {@code charset=binary} (PHP and Apache
   * send it), or any other name the JDK does not know.
   */
  @Test
  void anAnswerDeclaringACharsetTheJdkDoesNotKnowIsReceived() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    server.createContext(
        "/",
        ex -> {
          byte[] body = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders()
              .add("Content-Type", "application/json; charset=" + ex.getRequestURI().getQuery());
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    try (Sender sender =
        new Sender(1, Duration.ofSeconds(5), Duration.ofSeconds(5), Headers.empty(), false)) {
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      for (String charset : List.of("binary", "x-user-defined", "none", "bogus-cs", "utf-8")) {
        Sender.Attempt a = sender.send(base, HttpRequest.of("GET", "/?" + charset)).get();
        assertThat(a.error()).as(charset).isNull();
        assertThat(a.response().body().bytes())
            .as(charset)
            .isEqualTo("{\"v\":1}".getBytes(StandardCharsets.UTF_8));
      }
    } finally {
      server.stop(0);
    }
  }

  /** A recorded header whose name is no token (an import's "X:Y") is not sent: it would be read as another. */
  @Test
  void aRecordedHeaderNameThatIsNoTokenIsNotSent() {
    try (Sender sender =
        new Sender(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Headers.empty(), false)) {
      HttpRequest recorded =
          new HttpRequest(
              "GET",
              "/",
              "HTTP/1.1",
              Headers.of("X:Y", "v", "bad name", "w", "", "e", "X-Ok", "kept"),
              dev.shadowtest.core.Body.none());
      HttpRequest sent = sender.prepared(URI.create("http://127.0.0.1:9"), recorded);
      assertThat(sent.headers().stream().map(Headers.Field::name))
          .containsExactlyInAnyOrder("X-Ok", "Host");
    }
  }
}
