package dev.shadowtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.testing.Http2LoopbackServer;
import dev.shadowtest.testing.LoopbackServer;
import dev.shadowtest.testing.RawTlsServer;
import dev.shadowtest.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hc.core5.http2.impl.nio.ProtocolNegotiationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --http2}: what protocol the target really sees, over plain TCP and over TLS. */
@Timeout(120)
class SenderHttp2Tests {

  static Sender sender(Connections connections, boolean keepHost) {
    return new Sender(
        4,
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Headers.empty(),
        keepHost,
        Sender.DEFAULT_MAX_BODY,
        connections);
  }

  static HttpRequest recorded() {
    return new HttpRequest(
        "GET",
        "/api/items/7?full=1",
        "HTTP/1.1",
        Headers.of(
            "Host", "legacy.internal:8080", "Accept", "application/json", "Connection", "close"),
        Body.none());
  }

  @Test
  void http2ToAnHttpUrlIsH2cWithPriorKnowledge() throws Exception {
    try (Http2LoopbackServer server = Http2LoopbackServer.start(null, false, s -> "{\"n\":1}");
        Sender sender = sender(Connections.defaults().withHttp2(true), false)) {
      Sender.Attempt a = sender.send(server.uri(), recorded()).get();
      assertThat(a.ok()).as(String.valueOf(a.error())).isTrue();
      assertThat(a.response().body().bytes())
          .asString(StandardCharsets.UTF_8)
          .isEqualTo("{\"n\":1}");
      Http2LoopbackServer.Seen seen = server.seen().get(0);
      assertThat(seen.protocol()).isEqualTo("HTTP/2.0");
      assertThat(seen.path()).isEqualTo("/api/items/7?full=1");
      assertThat(seen.authority()).isEqualTo(server.uri().getRawAuthority());
      assertThat(seen.header("Accept")).isEqualTo("application/json");
      assertThat(seen.header("Connection")).isNull(); // hop-by-hop: never copied
    }
  }

  @Test
  void http2ToAnHttpsUrlIsH2ByAlpnAndWithoutTheFlagHttp11() throws Exception {
    TestCertificates certs = TestCertificates.get();
    Connections trusting = Connections.defaults().withCaCert(certs.caCert());
    try (Http2LoopbackServer server =
            Http2LoopbackServer.start(
                certs.serverContext(certs.server(), false), false, s -> "{\"n\":2}");
        Sender h2 = sender(trusting.withHttp2(true), false);
        Sender h1 = sender(trusting, false)) {
      assertThat(h2.send(server.uri(), recorded()).get().ok()).isTrue();
      assertThat(h1.send(server.uri(), recorded()).get().ok()).isTrue();
      assertThat(server.seen())
          .extracting(Http2LoopbackServer.Seen::protocol)
          .containsExactly("HTTP/2.0", "HTTP/1.1");
    }
  }

  @Test
  void theRecordedHostIsTheAuthorityOverHttp2WithKeepHost() throws Exception {
    try (Http2LoopbackServer server = Http2LoopbackServer.start(null, false, s -> "{}");
        Sender sender = sender(Connections.defaults().withHttp2(true), true)) {
      assertThat(sender.send(server.uri(), recorded()).get().ok()).isTrue();
      Http2LoopbackServer.Seen seen = server.seen().get(0);
      assertThat(seen.authority()).isEqualTo("legacy.internal:8080");
      assertThat(seen.header("Host")).isNull(); // one host, not two that disagree
    }
  }

  @Test
  void aTargetThatDoesNotSpeakHttp2FailsWithAHint() throws Exception {
    try (LoopbackServer http1 =
            LoopbackServer.start(1, ex -> LoopbackServer.send(ex, 200, "application/json", "{}"));
        Sender sender = sender(Connections.defaults().withHttp2(true), false)) {
      Sender.Attempt a = sender.send(http1.uri(), recorded()).get();
      assertThat(a.ok()).isFalse();
      assertThat(a.error()).contains("with --http2: does the target speak HTTP/2");
    }
  }

  @Test
  void anHttpsTargetWhoseAlpnOffersOnlyHttp11FailsWithAHint() throws Exception {
    TestCertificates certs = TestCertificates.get();
    Connections trusting = Connections.defaults().withCaCert(certs.caCert());
    try (RawTlsServer http11 =
            RawTlsServer.start(
                certs.serverContext(certs.server(), false),
                p -> p.setApplicationProtocols(new String[] {"http/1.1"}),
                (tls, tcp) -> {
                  RawTlsServer.readHead(tls);
                  RawTlsServer.answer(tls, "{}");
                });
        Sender h2 = sender(trusting.withHttp2(true), false);
        Sender h1 = sender(trusting, false)) {
      Sender.Attempt a = h2.send(http11.uri(), recorded()).get();
      assertThat(a.ok()).isFalse();
      assertThat(a.error())
          .isEqualTo(
              "tls: Received fatal alert: no_application_protocol (with --http2: the target"
                  + " offers no HTTP/2 by ALPN, h2 being all that is offered; without --http2"
                  + " it is spoken to in HTTP/1.1)");
      Sender.Attempt http1 = h1.send(http11.uri(), recorded()).get();
      assertThat(http1.ok()).as(String.valueOf(http1.error())).isTrue();
    }
  }

  @Test
  void withoutHttp2OnlyHttp11IsOfferedByAlpnEvenToAServerThatPrefersH2() throws Exception {
    TestCertificates certs = TestCertificates.get();
    List<String> negotiated = new CopyOnWriteArrayList<>();
    try (RawTlsServer both =
            RawTlsServer.start(
                certs.serverContext(certs.server(), false),
                p -> p.setApplicationProtocols(new String[] {"h2", "http/1.1"}),
                (tls, tcp) -> {
                  RawTlsServer.readHead(tls);
                  negotiated.add(tls.getApplicationProtocol());
                  RawTlsServer.answer(tls, "{}");
                });
        Sender h1 = sender(Connections.defaults().withCaCert(certs.caCert()), false)) {
      Sender.Attempt a = h1.send(both.uri(), recorded()).get();
      assertThat(a.ok()).as(String.valueOf(a.error())).isTrue();
      // offered h2 as well, the client would have been answered in a protocol it does not speak
      assertThat(negotiated).containsExactly("http/1.1");
    }
  }

  @Test
  void anHttpsTargetWithoutAlpnThatAnswersThePrefaceInHttp11FailsWithAHint() throws Exception {
    TestCertificates certs = TestCertificates.get();
    // a server that takes no part in ALPN and answers the HTTP/2 preface in HTTP/1.1, as the
    // JDK's HTTPS server does: the client closes the connection
    try (RawTlsServer http11 =
            RawTlsServer.start(
                certs.serverContext(certs.server(), false),
                p -> {},
                (tls, tcp) -> {
                  tls.getOutputStream()
                      .write(
                          "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                              .getBytes(StandardCharsets.US_ASCII));
                  tls.getOutputStream().flush();
                  tls.getInputStream().readAllBytes(); // until the client closes
                });
        Sender h2 =
            sender(Connections.defaults().withCaCert(certs.caCert()).withHttp2(true), false)) {
      Sender.Attempt a = h2.send(http11.uri(), recorded()).get();
      assertThat(a.error())
          .isEqualTo(
              "reset: Connection is closed (with --http2: does the target speak HTTP/2, offering"
                  + " h2 by ALPN?)");
      // at times HttpCore reports the HTTP/1.1 answer itself, before the closed connection
      Sender.Failed unexpected =
          h2.failure(http11.uri(), new ProtocolNegotiationException("Unexpected input"), 0);
      assertThat(unexpected.error())
          .isEqualTo(
              "protocol: Unexpected input (with --http2: does the target speak HTTP/2, offering h2"
                  + " by ALPN?)");
    }
  }

  @Test
  void requestBodiesGoOverHttp2() throws Exception {
    try (Http2LoopbackServer server = Http2LoopbackServer.start(null, false, s -> "{}");
        Sender sender = sender(Connections.defaults().withHttp2(true), false)) {
      HttpRequest post =
          new HttpRequest(
              "POST",
              "/carts",
              "HTTP/1.1",
              Headers.of("Content-Type", "application/json", "Content-Length", "9"),
              Body.text("{\"sku\":7}"));
      assertThat(sender.send(server.uri(), post).get().ok()).isTrue();
      assertThat(server.seen().get(0).method()).isEqualTo("POST");
      assertThat(server.seen().get(0).header("Content-Type")).isEqualTo("application/json");
      assertThat(server.seen().get(0).body()).isEqualTo("{\"sku\":7}");
    }
  }
}
