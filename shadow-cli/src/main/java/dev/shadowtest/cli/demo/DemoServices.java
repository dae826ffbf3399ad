package dev.shadowtest.cli.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.impl.routing.RequestRouter;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The demo's small shop API, served by HttpCore 5 on loopback ephemeral ports: two instances of
 * the legacy system and one candidate with seeded, realistic differences.
 *
 * <ul>
 *   <li>{@code GET /api/products/{id}}: the candidate's price is 1.00 higher for ids ending in 3
 *       (a real regression on 10% of the endpoint);
 *   <li>{@code GET /api/products?category=&page=}: the candidate returns the items in reverse
 *       order (the demo rules declare {@code $.items} unordered: not a discrepancy);
 *   <li>{@code GET /api/users/{id}}: the candidate answers 500 for ids with {@code id % 25 == 7};
 *       {@code lastLogin} differs on every call, in both legacy instances too: learned as noise;
 *   <li>every JSON body has {@code generatedAt} and {@code requestId}, and every response an
 *       {@code X-Request-Id} header, all different per call (ignored by the demo rules);
 *   <li>{@code GET /img/products/{id}.png} (binary), {@code GET /api/health},
 *       {@code GET /api/products/{id}/reviews}, and {@code POST /api/carts} (not replayed: unsafe).
 * </ul>
 */
public final class DemoServices implements AutoCloseable {

  /** Which system a server plays. */
  public enum Role {
    LEGACY,
    CANDIDATE
  }

  private final List<HttpServer> servers = new ArrayList<>();
  private final URI legacy;
  private final URI legacyTwin;
  private final URI candidate;

  private DemoServices() throws IOException {
    legacy = start(Role.LEGACY);
    legacyTwin = start(Role.LEGACY);
    candidate = start(Role.CANDIDATE);
  }

  /** Starts the three servers. */
  public static DemoServices start() throws IOException {
    return new DemoServices();
  }

  public URI legacy() {
    return legacy;
  }

  public URI legacyTwin() {
    return legacyTwin;
  }

  public URI candidate() {
    return candidate;
  }

  /** The demo's traffic: {@code n} requests, always the same. Each is [method, target, body or null]. */
  public static List<String[]> traffic(int n) {
    List<String[]> out = new ArrayList<>(n);
    String[] categories = {"kitchen", "garden", "toys"};
    Random random = new Random(20261125L); // fixed: the same traffic every run
    for (int i = 0; i < n; i++) {
      int product = 1 + random.nextInt(500);
      int user = 1 + random.nextInt(400);
      switch (i % 10) {
        case 0, 1, 2 -> out.add(new String[] {"GET", "/api/products/" + product, null});
        case 3 ->
            out.add(
                new String[] {
                  "GET",
                  "/api/products?category=" + categories[i % 3] + "&page=" + (1 + i % 5),
                  null
                });
        case 4, 5 -> out.add(new String[] {"GET", "/api/users/" + user, null});
        case 6 -> out.add(new String[] {"GET", "/img/products/" + product + ".png", null});
        case 7 ->
            out.add(
                new String[] {"POST", "/api/carts", "{\"sku\":\"P-" + product + "\",\"qty\":1}"});
        case 8 -> out.add(new String[] {"GET", "/api/health", null});
        default -> out.add(new String[] {"GET", "/api/products/" + product + "/reviews", null});
      }
    }
    return out;
  }

  /** The seeded ground truth: true when the candidate really differs for this request. */
  public static boolean seededDiscrepancy(String method, String target) {
    if (!method.equals("GET")) {
      return false;
    }
    Integer product = id(target, "/api/products/");
    if (product != null) {
      return product % 10 == 3;
    }
    Integer user = id(target, "/api/users/");
    return user != null && user % 25 == 7;
  }

  /** The rules file the demo ships. */
  public static String rulesYaml() {
    return """
        # Rules for the Shadow demo: see docs/rules.md
        version: 1
        defaults:
          ignoreHeaders: [X-Request-Id]
          ignore: ["$.generatedAt", "$.requestId"]
        endpoints:
          - match: "GET /api/products"
            unorderedArrays: ["$.items"]
          - match: "GET /api/products/{id}"
            numericTolerance: 0.001
        """;
  }

  private URI start(Role role) throws IOException {
    AtomicLong counter = new AtomicLong();
    HttpRequestHandler handler =
        (request, response, context) -> answer(role, counter, request, response);
    RequestRouter<HttpRequestHandler> router =
        RequestRouter.<HttpRequestHandler>builder()
            .addRoute(RequestRouter.LOCAL_AUTHORITY, "*", handler)
            .resolveAuthority(RequestRouter.LOCAL_AUTHORITY_RESOLVER)
            .build();
    HttpServer server =
        ServerBootstrap.bootstrap()
            .setLocalAddress(InetAddress.getLoopbackAddress())
            .setListenerPort(0)
            .setCanonicalHostName("127.0.0.1")
            .setSocketConfig(SocketConfig.custom().setSoTimeout(Timeout.ofSeconds(30)).build())
            .setRequestRouter(router)
            .create();
    server.start();
    servers.add(server);
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private static void answer(
      Role role, AtomicLong counter, ClassicHttpRequest request, ClassicHttpResponse response)
      throws IOException {
    long n = counter.incrementAndGet();
    String path;
    try {
      path = request.getUri().getRawPath();
    } catch (URISyntaxException e) {
      path = request.getPath();
    }
    String query =
        request.getPath().contains("?")
            ? request.getPath().substring(request.getPath().indexOf('?') + 1)
            : "";
    String method = request.getMethod().toUpperCase(Locale.ROOT);
    if (request.getEntity() != null) {
      EntityUtils.consume(request.getEntity());
    }
    response.addHeader("X-Request-Id", UUID.randomUUID().toString());
    String noise =
        "\"generatedAt\":\"" + Instant.now() + "\",\"requestId\":\"" + UUID.randomUUID() + "\"";
    Integer product = id(path, "/api/products/");
    Integer user = id(path, "/api/users/");
    if (method.equals("GET") && product != null) {
      double price =
          10 + product % 7 + 0.99 + (role == Role.CANDIDATE && product % 10 == 3 ? 1.0 : 0.0);
      json(
          response,
          200,
          String.format(
              Locale.ROOT,
              "{\"id\":%d,\"name\":\"Product %d\",\"price\":{\"amount\":%.2f,\"currency\":\"EUR\"},\"stock\":%d,%s}",
              product,
              product,
              price,
              product % 13,
              noise));
    } else if (method.equals("GET") && path.equals("/api/products")) {
      StringBuilder items = new StringBuilder();
      for (int k = 0; k < 5; k++) {
        int id = role == Role.CANDIDATE ? 5 - k : k + 1; // the candidate sorts the other way
        items
            .append(k == 0 ? "" : ",")
            .append("{\"id\":")
            .append(id)
            .append(",\"name\":\"Item ")
            .append(id)
            .append("\"}");
      }
      json(
          response,
          200,
          "{\"query\":\""
              + query.replace("\"", "")
              + "\",\"items\":["
              + items
              + "],\"total\":5,"
              + noise
              + "}");
    } else if (method.equals("GET") && user != null && path.matches("/api/users/\\d+")) {
      if (role == Role.CANDIDATE && user % 25 == 7) {
        json(response, 500, "{\"error\":\"internal error\"}");
      } else {
        json(
            response,
            200,
            "{\"id\":"
                + user
                + ",\"name\":\"user"
                + user
                + "\",\"email\":\"user"
                + user
                + "@example.test\",\"lastLogin\":"
                + (System.nanoTime() + n)
                + ","
                + noise
                + "}");
      }
    } else if (method.equals("GET") && path.startsWith("/img/products/") && path.endsWith(".png")) {
      byte[] png = new byte[64];
      png[0] = (byte) 0x89;
      png[1] = 'P';
      png[2] = 'N';
      png[3] = 'G';
      for (int k = 4; k < png.length; k++) {
        png[k] = (byte) (path.hashCode() * k);
      }
      response.setCode(200);
      response.setEntity(new ByteArrayEntity(png, ContentType.IMAGE_PNG));
    } else if (method.equals("GET") && path.endsWith("/reviews")) {
      json(
          response,
          200,
          "{\"reviews\":[{\"stars\":5,\"text\":\"Great \\u2615\"},{\"stars\":3,\"text\":\"OK\"}]}");
    } else if (method.equals("POST") && path.equals("/api/carts")) {
      json(response, 201, "{\"cart\":\"c-" + n + "\",\"items\":1," + noise + "}");
    } else if (method.equals("GET") && path.equals("/api/health")) {
      json(response, 200, "{\"status\":\"UP\"}");
    } else {
      json(response, 404, "{\"error\":\"not found\"}");
    }
  }

  private static void json(ClassicHttpResponse response, int status, String body) {
    response.setCode(status);
    response.setEntity(
        new ByteArrayEntity(body.getBytes(StandardCharsets.UTF_8), ContentType.APPLICATION_JSON));
  }

  /** The integer id right after {@code prefix} in {@code path}, or null. */
  static Integer id(String target, String prefix) {
    String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
    if (!path.startsWith(prefix)) {
      return null;
    }
    String rest = path.substring(prefix.length());
    int slash = rest.indexOf('/');
    String digits = slash < 0 ? rest : rest.substring(0, slash);
    if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
      return null;
    }
    return slash >= 0
        ? null
        : Integer.parseInt(digits); // /api/products/42/reviews is not a product
  }

  @Override
  public void close() {
    for (HttpServer s : servers) {
      s.close(CloseMode.IMMEDIATE);
    }
  }
}
