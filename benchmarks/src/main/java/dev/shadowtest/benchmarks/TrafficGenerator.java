package dev.shadowtest.benchmarks;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Deterministic, realistic-looking recorded traffic: the same seed always gives the same
 * exchanges, so every benchmark run (and every format) works on identical content.
 *
 * <ul>
 *   <li>GET (about 65%) and POST, targets such as {@code /api/users/123?x=1};
 *   <li>4 to 8 header fields per message, always with one repeated name
 *       ({@code X-Forwarded-For} in requests, {@code Set-Cookie} in responses);
 *   <li>JSON text bodies of 100 to 1500 bytes (POST requests, responses), about 5% of bodies
 *       small binary blobs (32 to 512 bytes, written as base64);
 *   <li>about 1% of exchanges without a response, with an {@code error}.
 * </ul>
 */
final class TrafficGenerator {

  static final long SEED = 0x5EED_C0DEC_2026L;

  private static final Instant START = Instant.parse("2026-11-24T10:00:00Z");
  private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final String[] RESOURCES = {
    "users", "orders", "products", "carts", "invoices", "accounts"
  };
  private static final String[] SUB_RESOURCES = {"", "", "", "/lines", "/history", "/addresses"};
  private static final String[] QUERY_KEYS = {"x", "verbose", "page", "size", "expand", "lang"};
  private static final String[] AGENTS = {
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "okhttp/4.12.0",
    "checkout-service/3.4.1 (+java 17)",
    "curl/8.5.0",
  };
  private static final String[] FIRST_NAMES = {
    "Ada", "Grace", "Linus", "Zoë", "José", "Ingrid", "Wei", "Amara", "Jürgen", "Olivia"
  };
  private static final String[] LAST_NAMES = {
    "Lovelace", "Hopper", "Müller", "Nakamura", "García", "O'Brien", "Svensson", "Okafor"
  };
  private static final String[] WORDS = {
    "priority",
    "shipping",
    "gift wrap",
    "express",
    "backorder",
    "fragile",
    "discount",
    "loyalty",
    "warehouse \"B\"",
    "returns",
    "subscription",
    "bundle",
    "clearance",
  };
  private static final String[] STATUS_REASONS = {
    "200",
    "OK",
    "201",
    "Created",
    "204",
    "No Content",
    "304",
    "Not Modified",
    "400",
    "Bad Request",
    "404",
    "Not Found",
    "409",
    "Conflict",
    "500",
    "Internal Server Error",
    "503",
    "Service Unavailable"
  };

  private final Random random;
  private long clockMillis;

  TrafficGenerator(long seed) {
    this.random = new Random(seed);
  }

  /** The next exchange of the stream. */
  Exchange next() {
    clockMillis += 1 + random.nextInt(60);
    boolean post = random.nextInt(100) < 35;
    String method = post ? "POST" : "GET";
    String target = target();
    Body requestBody = post ? body() : Body.none();
    HttpRequest request =
        new HttpRequest(method, target, "HTTP/1.1", requestHeaders(post, requestBody), requestBody);

    HttpResponse response = null;
    String error = null;
    if (random.nextInt(100) == 0) {
      error = random.nextBoolean() ? "connect timeout" : "read timeout after 30000 ms";
    } else {
      int s = statusIndex(post);
      int status = Integer.parseInt(STATUS_REASONS[2 * s]);
      Body responseBody = status == 204 || status == 304 ? Body.none() : body();
      response =
          new HttpResponse(
              status, STATUS_REASONS[2 * s + 1], responseHeaders(responseBody), responseBody);
    }
    Map<String, String> tags =
        random.nextInt(10) < 3
            ? Map.of("session", "s-" + Integer.toHexString(random.nextInt(1 << 20)))
            : Map.of();
    long duration = 200 + (long) Math.exp(random.nextDouble() * 12); // 0.2 ms .. ~160 ms, long tail
    return new Exchange(
        ulid(), START.plusMillis(clockMillis), duration, request, response, error, tags);
  }

  /** {@code n} exchanges, in order. */
  List<Exchange> next(int n) {
    List<Exchange> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  private int statusIndex(boolean post) {
    int r = random.nextInt(100);
    if (r < 82) {
      return post && r < 40 ? 1 : 0; // 200 / 201
    }
    if (r < 85) {
      return post ? 2 : 3; // 204 / 304
    }
    if (r < 89) {
      return 4;
    }
    if (r < 95) {
      return 5;
    }
    if (r < 96) {
      return 6;
    }
    return r < 99 ? 7 : 8;
  }

  private String ulid() {
    char[] c = new char[26];
    c[0] = '0';
    c[1] = '1';
    c[2] = 'J';
    for (int i = 3; i < 26; i++) {
      c[i] = CROCKFORD[random.nextInt(32)];
    }
    return new String(c);
  }

  private String target() {
    StringBuilder sb =
        new StringBuilder(48)
            .append("/api/")
            .append(RESOURCES[random.nextInt(RESOURCES.length)])
            .append('/')
            .append(1 + random.nextInt(100_000))
            .append(SUB_RESOURCES[random.nextInt(SUB_RESOURCES.length)]);
    int params = random.nextInt(3);
    for (int i = 0; i < params; i++) {
      sb.append(i == 0 ? '?' : '&')
          .append(QUERY_KEYS[random.nextInt(QUERY_KEYS.length)])
          .append('=')
          .append(random.nextInt(50));
    }
    return sb.toString();
  }

  private Headers requestHeaders(boolean post, Body body) {
    List<Headers.Field> f = new ArrayList<>(8);
    f.add(new Headers.Field("Host", "legacy.internal:8080"));
    f.add(new Headers.Field("Accept", "application/json"));
    f.add(new Headers.Field("X-Forwarded-For", ip()));
    f.add(new Headers.Field("X-Forwarded-For", ip()));
    if (post) {
      f.add(
          new Headers.Field(
              "Content-Type",
              body instanceof Body.Binary ? "application/octet-stream" : "application/json"));
      f.add(new Headers.Field("Content-Length", Long.toString(body.size())));
    }
    int extra = random.nextInt(5); // 0..4 more, at most 8 in all
    for (int i = 0; i < extra && f.size() < 8; i++) {
      switch (random.nextInt(4)) {
        case 0 -> f.add(new Headers.Field("User-Agent", AGENTS[random.nextInt(AGENTS.length)]));
        case 1 -> f.add(new Headers.Field("Authorization", "[REDACTED]"));
        case 2 -> f.add(new Headers.Field("Accept-Encoding", "gzip, deflate, br"));
        default -> f.add(new Headers.Field("X-Request-Id", uuid()));
      }
    }
    return Headers.of(f);
  }

  private Headers responseHeaders(Body body) {
    List<Headers.Field> f = new ArrayList<>(8);
    f.add(
        new Headers.Field(
            "Content-Type",
            body instanceof Body.Binary ? "image/png" : "application/json; charset=utf-8"));
    f.add(new Headers.Field("Content-Length", Long.toString(body.size())));
    f.add(new Headers.Field("Set-Cookie", "[REDACTED]"));
    f.add(new Headers.Field("Set-Cookie", "[REDACTED]"));
    int extra = random.nextInt(5);
    for (int i = 0; i < extra; i++) {
      switch (random.nextInt(4)) {
        case 0 ->
            f.add(
                new Headers.Field(
                    "Date",
                    "Tue, 24 Nov 2026 10:"
                        + two(random.nextInt(60))
                        + ":"
                        + two(random.nextInt(60))
                        + " GMT"));
        case 1 -> f.add(new Headers.Field("Cache-Control", "no-store, max-age=0"));
        case 2 -> f.add(new Headers.Field("Server", "legacy-app/7.2"));
        default -> f.add(new Headers.Field("X-Request-Id", uuid()));
      }
    }
    return Headers.of(f);
  }

  /** A body: about 5% small binary blobs, otherwise JSON text of 100 to 1500 bytes. */
  private Body body() {
    if (random.nextInt(100) < 5) {
      byte[] data = new byte[32 + random.nextInt(481)];
      random.nextBytes(data);
      data[0] = (byte) 0x89; // PNG-like magic; never valid UTF-8
      return Body.binary(data);
    }
    return Body.text(json(100 + random.nextInt(1401)));
  }

  /** A JSON document of roughly {@code length} bytes (never over 1500). */
  private String json(int length) {
    StringBuilder sb = new StringBuilder(length + 64);
    sb.append("{\"id\":")
        .append(random.nextInt(1_000_000))
        .append(",\"name\":\"")
        .append(FIRST_NAMES[random.nextInt(FIRST_NAMES.length)])
        .append(' ')
        .append(LAST_NAMES[random.nextInt(LAST_NAMES.length)])
        .append("\",\"active\":")
        .append(random.nextBoolean())
        .append(",\"items\":[");
    boolean first = true;
    while (true) {
      String item =
          "{\"sku\":\"SKU-"
              + (10_000 + random.nextInt(90_000))
              + "\",\"qty\":"
              + (1 + random.nextInt(9))
              + ",\"price\":"
              + random.nextInt(500)
              + "."
              + two(random.nextInt(100))
              + ",\"note\":\""
              + WORDS[random.nextInt(WORDS.length)].replace("\"", "\\\"")
              + "\"}";
      if (!first && sb.length() + item.length() + 3 > length) {
        break;
      }
      if (!first) {
        sb.append(',');
      }
      sb.append(item);
      first = false;
    }
    return sb.append("]}").toString();
  }

  private String ip() {
    return "10."
        + random.nextInt(256)
        + "."
        + random.nextInt(256)
        + "."
        + (1 + random.nextInt(254));
  }

  private String uuid() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private static String two(int n) {
    return n < 10 ? "0" + n : Integer.toString(n);
  }
}
