package dev.shadowtest.junit;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.replay.Transport;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Replays through Spring's {@code WebTestClient}, e.g. one bound to a WebFlux application
 * context without a server. Requests go to absolute URLs on the replay's candidate host
 * ({@code http://localhost} by default): a client bound to a running server is better replaced by
 * that server's URL.
 */
final class WebTestClientTransport implements Transport {

  private final WebTestClient client;

  private WebTestClientTransport(WebTestClient client) {
    this.client = client;
  }

  static Transport of(Object webTestClient) {
    return new WebTestClientTransport((WebTestClient) webTestClient);
  }

  /** The context's WebTestClient bean, or null. */
  static Transport fromContext(ApplicationContext context) {
    WebTestClient client = context.getBeanProvider(WebTestClient.class).getIfAvailable();
    return client == null ? null : new WebTestClientTransport(client);
  }

  @Override
  public HttpResponse exchange(HttpRequest request) throws Exception {
    WebTestClient.RequestBodySpec spec = client.method(HttpMethod.valueOf(request.method()))
        .uri(SpringTransports.uri(request))
        .headers(h -> {
          for (Headers.Field f : request.headers()) {
            h.add(f.name(), f.value());
          }
        });
    WebTestClient.RequestHeadersSpec<?> ready = request.body() instanceof Body.None ? spec
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
    return new HttpResponse(r.getStatus().value(), "", SpringTransports.headers(headers),
        "HEAD".equalsIgnoreCase(request.method()) ? Body.none() : Body.of(body == null ? new byte[0] : body));
  }

  @Override
  public String description() {
    return "WebTestClient (in-process)";
  }
}
