package dev.shadowtest.replay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** A real HTTP server on 127.0.0.1, ephemeral port, answering with a function of the request. */
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
  private final HttpServer server;

  TestServer(Function<Seen, Reply> handler) throws IOException {
    this(handler, Map.of());
  }

  /** A server that also sends {@code headers} with every response. */
  TestServer(Function<Seen, Reply> handler, Map<String, String> headers) throws IOException {
    this.headers = Map.copyOf(headers);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    server.setExecutor(Executors.newFixedThreadPool(16));
    server.createContext("/", ex -> handle(ex, handler));
    server.start();
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
    if (r.contentType() != null) {
      ex.getResponseHeaders().add("Content-Type", r.contentType());
    }
    ex.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdownNow();
  }
}
