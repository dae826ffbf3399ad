package com.example.catalog;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * The "new system": a catalog API that replaces a legacy one. GET /api/items/{id},
 * GET /api/items?page=N, GET /api/health. With {@code regression}, items whose id is a multiple
 * of 7 get a wrong price: the kind of bug the Shadow gate is there to catch.
 */
public final class CatalogService implements AutoCloseable {

  private final HttpServer server;
  private final boolean regression;

  private CatalogService(HttpServer server, boolean regression) {
    this.server = server;
    this.regression = regression;
  }

  /** Starts on 127.0.0.1:{@code port} (0: any free port). */
  public static CatalogService start(int port, boolean regression) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    CatalogService c = new CatalogService(s, regression);
    s.createContext("/api/", c::handle);
    s.start();
    return c;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static String name(int id) {
    return "Item " + id;
  }

  String price(int id) {
    int cents = 500 + id * 37 % 2000;
    if (regression && id % 7 == 0) {
      cents += 1; // the seeded regression: a rounding change
    }
    return String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
  }

  String item(int id) {
    return "{\"id\":" + id + ",\"name\":\"" + name(id) + "\",\"price\":{\"amount\":" + price(id)
        + ",\"currency\":\"EUR\"},\"generatedAt\":\"" + Instant.now() + "\"}";
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String query = ex.getRequestURI().getQuery();
    int status = 200;
    String body;
    if (path.equals("/api/health")) {
      body = "{\"status\":\"UP\"}";
    } else if (path.equals("/api/items")) {
      int page = query != null && query.startsWith("page=") ? Integer.parseInt(query.substring(5)) : 1;
      StringBuilder b = new StringBuilder("{\"page\":" + page + ",\"items\":[");
      for (int id = (page - 1) * 5 + 1; id <= page * 5; id++) {
        b.append(id > (page - 1) * 5 + 1 ? "," : "").append("{\"id\":").append(id).append(",\"name\":\"").append(name(id))
            .append("\"}");
      }
      body = b.append("]}").toString();
    } else if (path.startsWith("/api/items/")) {
      try {
        body = item(Integer.parseInt(path.substring("/api/items/".length())));
      } catch (NumberFormatException e) {
        status = 400;
        body = "{\"error\":\"bad id\"}";
      }
    } else {
      status = 404;
      body = "{\"error\":\"not found\"}";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  public static void main(String[] args) throws IOException {
    CatalogService c = start(args.length > 0 ? Integer.parseInt(args[0]) : 8080, false);
    System.out.println("catalog on " + c.baseUrl());
  }
}
