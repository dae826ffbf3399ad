package dev.shadowtest.replay;

import com.sun.net.httpserver.HttpExchange;
import dev.shadowtest.testing.LoopbackServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Replay's fixture: a {@link LoopbackServer} answering with a function of the request. */
final class TestServer implements AutoCloseable {

  record Seen(String method, String target, Map<String, List<String>> headers, String body) {
    /** The Host the request carried: what a server builds its absolute URLs from. */
    String host() {
      List<String> h = headers.get("Host");
      return h == null || h.isEmpty() ? "" : h.get(0);
    }
  }

  record Reply(
      int status, String contentType, String body, long delayMillis, Map<String, String> headers) {
    Reply(int status, String contentType, String body, long delayMillis) {
      this(status, contentType, body, delayMillis, Map.of());
    }

    static Reply json(String body) {
      return new Reply(200, "application/json", body, 0);
    }

    static Reply json(int status, String body, Map<String, String> headers) {
      return new Reply(status, "application/json", body, 0, headers);
    }
  }

  final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Map<String, String> headers;
  private final LoopbackServer server;

  TestServer(Function<Seen, Reply> handler) throws IOException {
    this(handler, Map.of());
  }

  /** A server that also sends {@code headers} with every response. */
  TestServer(Function<Seen, Reply> handler, Map<String, String> headers) throws IOException {
    this.headers = Map.copyOf(headers);
    server = LoopbackServer.start(16, ex -> handle(ex, handler));
  }

  private void handle(HttpExchange ex, Function<Seen, Reply> handler) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Seen s =
        new Seen(
            ex.getRequestMethod(),
            ex.getRequestURI().toString(),
            Map.copyOf(ex.getRequestHeaders()),
            body);
    seen.add(s);
    Reply r = handler.apply(s);
    if (r.delayMillis() > 0) {
      try {
        Thread.sleep(r.delayMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
    headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    LoopbackServer.send(ex, r.status(), r.contentType(), bytes);
  }

  URI uri() {
    return server.uri();
  }

  @Override
  public void close() {
    server.close();
  }
}
