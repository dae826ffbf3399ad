package dev.shadowtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.testing.Http2LoopbackServer;
import dev.shadowtest.testing.LoopbackServer;
import dev.shadowtest.testing.RawTlsServer;
import dev.shadowtest.testing.TestCertificates;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTPS targets with a test CA made at run time: whom the sender trusts, the client certificate it
 * shows, and TLS failures typed {@code tls}.
 */
@Timeout(120)
class SenderTlsTests {

  static TestCertificates certs;

  /** The JDK's HTTPS server (TLS 1.3), with a certificate for 127.0.0.1 signed by the test CA. */
  static LoopbackServer https;

  /** The same, with a certificate for another host name only. */
  static LoopbackServer elsewhere;

  /** The same, requiring a client certificate of the test CA. */
  static LoopbackServer clientAuth;

  @BeforeAll
  static void start() {
    certs = TestCertificates.get();
    https =
        LoopbackServer.startHttps(
            4, certs.serverContext(certs.server(), false), false, SenderTlsTests::ok);
    elsewhere =
        LoopbackServer.startHttps(
            4, certs.serverContext(certs.wrongHost(), false), false, SenderTlsTests::ok);
    clientAuth =
        LoopbackServer.startHttps(
            4, certs.serverContext(certs.server(), true), true, SenderTlsTests::ok);
  }

  @AfterAll
  static void stop() {
    https.close();
    elsewhere.close();
    clientAuth.close();
  }

  private static void ok(HttpExchange ex) throws IOException {
    LoopbackServer.send(ex, 200, "application/json", "{\"ok\":true}");
  }

  static Sender.Attempt send(URI base, Connections connections) throws Exception {
    try (Sender sender =
        new Sender(
            1,
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Headers.empty(),
            false,
            Sender.DEFAULT_MAX_BODY,
            connections)) {
      return sender.send(base, HttpRequest.of("GET", "/x")).get();
    }
  }

  static Sender.Failed failed(Sender.Attempt a) {
    assertThat(a).isInstanceOf(Sender.Failed.class);
    return (Sender.Failed) a;
  }

  @Test
  void aCertificateOfACaTheJdkDoesNotTrustFailsWithTheCategoryTls() throws Exception {
    Sender.Failed f = failed(send(https.uri(), Connections.defaults()));
    assertThat(f.category()).isEqualTo(ErrorCategory.TLS);
    assertThat(f.error())
        .startsWith("tls: PKIX path building failed")
        .endsWith(
            "(the target's certificate is not trusted: give its CA with --ca-cert FILE, or"
                + " --insecure for a test system)");
  }

  @Test
  void theCaOfCaCertIsTrustedAndTheHostNameStillVerified() throws Exception {
    Connections trusting = Connections.defaults().withCaCert(certs.caCert());
    Sender.Attempt a = send(https.uri(), trusting);
    assertThat(a.ok()).as(String.valueOf(a.error())).isTrue();
    assertThat(a.response().body().bytes())
        .asString(StandardCharsets.UTF_8)
        .isEqualTo("{\"ok\":true}");
    Sender.Failed f = failed(send(elsewhere.uri(), trusting));
    assertThat(f.category()).isEqualTo(ErrorCategory.TLS);
    assertThat(f.message()).contains("127.0.0.1");
  }

  @Test
  void insecureTrustsAnyCertificateForAnyHost() throws Exception {
    Connections insecure = Connections.defaults().withInsecure(true);
    assertThat(send(https.uri(), insecure).ok()).isTrue();
    assertThat(send(elsewhere.uri(), insecure).ok()).isTrue();
  }

  @Test
  void aServerThatRequiresAClientCertificateGetsTheOneGiven() throws Exception {
    Connections withCertificate =
        Connections.defaults()
            .withCaCert(certs.caCert())
            .withClientCertificate(certs.client().certificate(), certs.client().key());
    Sender.Attempt a = send(clientAuth.uri(), withCertificate);
    assertThat(a.ok()).as(String.valueOf(a.error())).isTrue();
  }

  @Test
  void withoutAClientCertificateTheRefusalIsTlsWhetherTheServerSendsAnAlertOrJustCloses()
      throws Exception {
    Connections trusting = Connections.defaults().withCaCert(certs.caCert());
    // the JDK's server closes the connection after its TLS 1.3 handshake, without an alert
    Sender.Failed closed = failed(send(clientAuth.uri(), trusting));
    assertThat(closed.category()).isEqualTo(ErrorCategory.TLS);
    assertThat(closed.message())
        .startsWith(
            "the server asked for a client certificate, none was given (--client-cert,"
                + " --client-key), and it closed the connection");
    // HttpCore's server sends the alert
    try (Http2LoopbackServer alerting =
        Http2LoopbackServer.start(certs.serverContext(certs.server(), true), true, s -> "{}")) {
      Sender.Failed alert = failed(send(alerting.uri(), trusting));
      assertThat(alert.category()).isEqualTo(ErrorCategory.TLS);
      // and over HTTP/2 the alert is lost: the connection is only closed
      Sender.Failed h2 = failed(send(alerting.uri(), trusting.withHttp2(true)));
      assertThat(h2.category()).isEqualTo(ErrorCategory.TLS);
      assertThat(
              send(
                      alerting.uri(),
                      trusting
                          .withHttp2(true)
                          .withClientCertificate(
                              certs.client().certificate(), certs.client().key()))
                  .ok())
          .isTrue();
    }
  }

  @Test
  void aServerThatOnlyWantsAClientCertificateAndResetsTheRequestIsAResetNotTls() throws Exception {
    // nginx's ssl_verify_client optional: it asks, takes the connection without a certificate,
    // and here its application resets the request
    try (RawTlsServer optional =
        RawTlsServer.wantingACertificateAndResetting(certs.serverContext(certs.server(), true))) {
      try (Sender sender =
          new Sender(
              1,
              Duration.ofSeconds(5),
              Duration.ofSeconds(10),
              Headers.empty(),
              false,
              Sender.DEFAULT_MAX_BODY,
              Connections.defaults().withCaCert(certs.caCert()))) {
        Sender.Failed f = failed(sender.send(optional.uri(), HttpRequest.of("GET", "/x")).get());
        assertThat(f.category()).isEqualTo(ErrorCategory.RESET);
        assertThat(f.message())
            .endsWith(
                " (the server asked for a client certificate and none was given, but it keeps a"
                    + " connection without one open: that is not why it closed this one)");
        assertThat(
                failed(sender.send(optional.uri(), HttpRequest.of("GET", "/y")).get()).category())
            .isEqualTo(ErrorCategory.RESET);
        assertThat(optional.accepted()).as("two requests and one test connection").isEqualTo(3);
        // when the test connection cannot tell, the reset says what may be why
        Sender.Failed unknown =
            sender.failure(
                optional.uri(),
                new SocketException("Connection reset"),
                0,
                ClientCertificateProbe.Requirement.UNKNOWN);
        assertThat(unknown.error())
            .isEqualTo(
                "reset: Connection reset (the server asked for a client certificate and none was"
                    + " given (--client-cert, --client-key): if it requires one, that is why it"
                    + " closed the connection)");
      }
    }
  }

  @Test
  void aClientCertificateTheServerDoesNotAcceptIsTls() throws Exception {
    // a server that trusts client certificates of another CA (its own certificate stands for one)
    try (LoopbackServer strict =
        LoopbackServer.startHttps(
            2,
            certs.serverContext(certs.server(), certs.wrongHost().chain().get(0)),
            true,
            SenderTlsTests::ok)) {
      Sender.Failed f =
          failed(
              send(
                  strict.uri(),
                  Connections.defaults()
                      .withCaCert(certs.caCert())
                      .withClientCertificate(certs.client().certificate(), certs.client().key())));
      assertThat(f.category()).isEqualTo(ErrorCategory.TLS);
      assertThat(f.message())
          .startsWith(
              "the server asked for a client certificate of issuers that did not sign"
                  + " CN=shadow-replay (--client-cert), so none was given");
    }
  }

  @Test
  void aResetAfterTheTargetAnsweredStaysAReset() {
    TargetsSeen seen = new TargetsSeen();
    URI base = URI.create("https://127.0.0.1:8443");
    seen.askedForCertificate("127.0.0.1", 8443, false);
    assertThat(seen.askedForCertificate(base)).isTrue();
    assertThat(seen.neverAnswered(base)).isTrue();
    assertThat(seen.offeredCertificate(base)).isFalse();
    seen.answered(base);
    assertThat(seen.neverAnswered(base)).isFalse();
    assertThat(TargetsSeen.key(URI.create("https://example.test"))).isEqualTo("example.test:443");
  }
}
