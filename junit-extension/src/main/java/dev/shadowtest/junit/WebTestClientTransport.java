package dev.shadowtest.junit;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.replay.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Replays through Spring's {@code WebTestClient}: one bound to a WebFlux application context,
 * router or controller (in-process, no server), or to a running server. Requests go to the
 * client's base URL when it has one, else to {@code http://localhost}; the {@code Host} header is
 * always the client's own, from that URL.
 */
final class WebTestClientTransport implements Transport {

  private final WebTestClient client;

  private WebTestClientTransport(WebTestClient client, Duration timeout) {
    this.client = client.mutate().responseTimeout(timeout).build();
  }

  static Transport of(Object webTestClient, Duration timeout) {
    return new WebTestClientTransport((WebTestClient) webTestClient, timeout);
  }

  /** The context's WebTestClient bean, or null. */
  static Transport fromContext(ApplicationContext context, Duration timeout) {
    WebTestClient client = context.getBeanProvider(WebTestClient.class).getIfAvailable();
    return client == null ? null : new WebTestClientTransport(client, timeout);
  }

  @Override
  public HttpResponse exchange(HttpRequest request) throws Exception {
    String target = SpringTransports.encoded(request.target());
    WebTestClient.RequestBodySpec spec =
        client
            .method(HttpMethod.valueOf(request.method()))
            .uri(
                b -> {
                  URI base = b.build(); // the client's base URL (no template variables), or empty
                  String root =
                      base.isAbsolute()
                          ? base.toString().replaceAll("/+$", "")
                          : "http://localhost";
                  return URI.create(root + target);
                })
            .headers(
                h -> {
                  for (Headers.Field f : request.headers()) {
                    if (!f.name().equalsIgnoreCase("Host")) { // the connector's own, from the URL
                      h.add(f.name(), f.value());
                    }
                  }
                });
    WebTestClient.RequestHeadersSpec<?> ready =
        request.body() instanceof Body.None || request.body() instanceof Body.NotCaptured
            ? spec
            : spec.bodyValue(request.body().bytes());
    EntityExchangeResult<byte[]> r = ready.exchange().expectBody(byte[].class).returnResult();
    List<String> headers = SpringTransports.pairs();
    for (Map.Entry<String, List<String>> e : r.getResponseHeaders().entrySet()) {
      for (String value : e.getValue()) {
        headers.add(e.getKey());
        headers.add(value);
      }
    }
    byte[] body = r.getResponseBody();
    return new HttpResponse(
        r.getStatus().value(),
        "",
        SpringTransports.headers(headers),
        "HEAD".equalsIgnoreCase(request.method())
            ? Body.none()
            : Body.of(body == null ? new byte[0] : body));
  }

  @Override
  public String description() {
    return "WebTestClient";
  }
}
