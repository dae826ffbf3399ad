package dev.shadowtest.junit;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext("/api/", ex -> {
      hits.incrementAndGet();
      String[] parts = ex.getRequestURI().getPath().split("/");
      String body = null;
      try {
        int id = Integer.parseInt(parts[3]);
        body = parts[2].equals("users") ? user(id) : parts[2].equals("products") ? product(id, regression) : null;
      } catch (RuntimeException e) {
        // 404 below
      }
      byte[] bytes = (body == null ? "{\"error\":\"not found\"}" : body).getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    });
    s.start();
    return s;
  }

  static String url(HttpServer s) {
    return "http://127.0.0.1:" + s.getAddress().getPort();
  }

}
