package dev.shadowtest.junit;

import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.testing.LoopbackServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny "new system" on 127.0.0.1 for the extension's tests: users and products by id. With a
 * regression, every 4th product has another price (25% of the products endpoint).
 */
final class TestServices {

  static final int IDS = 20;

  private TestServices() {}

  static String user(int id) {
    return "{\"id\":" + id + ",\"name\":\"user " + id + "\"}";
  }

  static String product(int id, boolean regression) {
    String price = regression && id % 4 == 0 ? "10.01" : "10.00";
    return "{\"id\":" + id + ",\"price\":" + price + "}";
  }

  /** A started server; {@code hits} counts the requests it answered. */
  static HttpServer start(boolean regression, AtomicInteger hits) throws IOException {
    return start(regression, hits, 0, null, null, 0);
  }

  /**
   * A started server whose first {@code coldRequests} answers take 600 ms (a cold JVM: far above a loaded machine's p99 of the 20 ms baseline) and every
   * answer at least {@code everyMillis}, which
   * answers 401 without {@code Authorization: <requiredAuth>} when that is not null, and which
   * adds every Authorization value it receives to {@code seenAuth} when that is not null.
   */
  static HttpServer start(
      boolean regression,
      AtomicInteger hits,
      int coldRequests,
      String requiredAuth,
      List<String> seenAuth,
      int everyMillis)
      throws IOException {
    return LoopbackServer.start(
            8,
            "/api/",
            ex -> {
              int n = hits.incrementAndGet();
              String auth = ex.getRequestHeaders().getFirst("Authorization");
              if (seenAuth != null && auth != null) {
                seenAuth.add(auth);
              }
              if (n <= coldRequests || everyMillis > 0) {
                try {
                  Thread.sleep(n <= coldRequests ? 600 : everyMillis);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              if (requiredAuth != null && !requiredAuth.equals(auth)) {
                LoopbackServer.send(ex, 401, "application/json", "{\"error\":\"unauthorized\"}");
                return;
              }
              String[] parts = ex.getRequestURI().getPath().split("/");
              String body = null;
              try {
                int id = Integer.parseInt(parts[3]);
                body =
                    parts[2].equals("users")
                        ? user(id)
                        : parts[2].equals("products") ? product(id, regression) : null;
              } catch (RuntimeException e) {
                // 404 below
              }
              byte[] bytes =
                  (body == null ? "{\"error\":\"not found\"}" : body)
                      .getBytes(StandardCharsets.UTF_8);
              LoopbackServer.send(ex, body == null ? 404 : 200, "application/json", bytes);
            })
        .server();
  }

  static String url(HttpServer s) {
    return "http://127.0.0.1:" + s.getAddress().getPort();
  }
}
