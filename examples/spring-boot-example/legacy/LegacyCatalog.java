import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A stand-in for the LEGACY catalog, the system the Spring Boot service replaces: the same API,
 * answered the way the old system did (its own JSON writer, its own request ids and timestamps,
 * {@code application/json;charset=UTF-8}, version 1.14.2). It reads the same product table as the
 * new service, as both would read one database. Only record.sh runs it, with a single-file launch:
 *
 * <pre>{@code java legacy/LegacyCatalog.java 18081 src/main/resources/catalog/items.csv}</pre>
 */
public class LegacyCatalog {

  record Item(long id, String sku, String name, String category, BigDecimal listPrice, int discountPercent, int stock) {}

  static final int PAGE_SIZE = 10;
  static final Map<Long, Item> ITEMS = new TreeMap<>();

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    List<String> lines = Files.readAllLines(Path.of(args.length > 1 ? args[1] : "src/main/resources/catalog/items.csv"));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      ITEMS.put(Long.parseLong(f[0]), new Item(Long.parseLong(f[0]), f[1], f[2], f[3], new BigDecimal(f[4]),
          Integer.parseInt(f[5]), Integer.parseInt(f[6])));
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/api/", LegacyCatalog::handle);
    server.start();
    System.out.println("legacy catalog on http://127.0.0.1:" + port + " (" + ITEMS.size() + " items)");
  }

  static void handle(HttpExchange ex) throws IOException {
    String requestId = UUID.randomUUID().toString();
    String path = ex.getRequestURI().getPath();
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    int status = 200;
    String body;
    if (path.equals("/api/health")) {
      body = "{\"version\":\"1.14.2\",\"status\":\"UP\"}";
    } else if (path.equals("/api/categories")) {
      Map<String, Integer> counts = new TreeMap<>();
      ITEMS.values().forEach(i -> counts.merge(i.category(), 1, Integer::sum));
      List<String> out = new ArrayList<>();
      counts.forEach((slug, n) -> out.add("{\"slug\":" + q(slug) + ",\"name\":"
          + q(Character.toUpperCase(slug.charAt(0)) + slug.substring(1)) + ",\"itemCount\":" + n + "}"));
      body = "[" + String.join(",", out) + "]";
    } else if (path.equals("/api/items")) {
      int page = Integer.parseInt(query.getOrDefault("page", "1"));
      String category = query.get("category");
      if (page < 1) {
        status = 400;
        body = problem("bad-page", "Bad page", status, "page must be 1 or more, got " + page, path, requestId);
      } else {
        List<Item> matching = ITEMS.values().stream().filter(i -> category == null || i.category().equals(category)).toList();
        int from = Math.min((page - 1) * PAGE_SIZE, matching.size());
        List<String> items = new ArrayList<>();
        for (Item i : matching.subList(from, Math.min(from + PAGE_SIZE, matching.size()))) {
          items.add("{\"id\":" + i.id() + ",\"name\":" + q(i.name()) + ",\"sku\":" + q(i.sku()) + ",\"inStock\":"
              + (i.stock() > 0) + "}");
        }
        body = "{\"requestId\":" + q(requestId) + ",\"category\":" + (category == null ? "null" : q(category))
            + ",\"page\":" + page + ",\"size\":" + PAGE_SIZE + ",\"totalItems\":" + matching.size() + ",\"totalPages\":"
            + (matching.size() + PAGE_SIZE - 1) / PAGE_SIZE + ",\"items\":[" + String.join(",", items) + "]}";
      }
    } else if (path.startsWith("/api/items/")) {
      long id = Long.parseLong(path.substring("/api/items/".length()));
      Item i = ITEMS.get(id);
      if (i == null) {
        status = 404;
        body = problem("item-not-found", "Item not found", status, "No item with id " + id, path, requestId);
      } else {
        // banker's rounding, as the accounting system behind the old catalog always did
        BigDecimal amount = i.listPrice().multiply(BigDecimal.valueOf(100 - i.discountPercent())).movePointLeft(2)
            .setScale(2, RoundingMode.HALF_EVEN);
        body = "{\"id\":" + i.id() + ",\"sku\":" + q(i.sku()) + ",\"name\":" + q(i.name()) + ",\"category\":"
            + q(i.category()) + ",\"inStock\":" + (i.stock() > 0) + ",\"price\":{\"currency\":\"EUR\",\"amount\":"
            + amount.toPlainString() + ",\"listAmount\":" + i.listPrice().toPlainString() + ",\"discountPercent\":"
            + i.discountPercent() + "},\"servedAt\":" + q(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString()) + "}";
      }
    } else {
      status = 404;
      body = problem("not-found", "Not found", status, "No such resource", path, requestId);
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type",
        (status >= 400 ? "application/problem+json" : "application/json") + ";charset=UTF-8");
    ex.getResponseHeaders().set("X-Request-Id", requestId);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  static String problem(String type, String title, int status, String detail, String instance, String requestId) {
    return "{\"type\":" + q("https://catalog.example.com/problems/" + type) + ",\"title\":" + q(title) + ",\"status\":"
        + status + ",\"detail\":" + q(detail) + ",\"instance\":" + q(instance) + ",\"requestId\":" + q(requestId) + "}";
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
