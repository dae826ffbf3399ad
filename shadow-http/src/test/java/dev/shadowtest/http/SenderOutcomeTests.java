package dev.shadowtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
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
}
