package dev.shadowtest.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Seeded generator of awkward exchanges: unicode, empty and binary bodies, repeats, odd methods. */
final class RandomExchanges {

  private static final String[] METHODS = {
    "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "PROPFIND", "M-SEARCH", "BREW"
  };
  private static final String[] WORDS = {
    "api",
    "users",
    "ördnung",
    "日本語",
    "emoji😀",
    "a b",
    "x%20y",
    "\"quoted\"",
    "back\\slash",
    "tab\there",
    "new\nline",
    "",
    "{",
    "}",
    "null"
  };

  private final Random random;

  RandomExchanges(long seed) {
    random = new Random(seed);
  }

  List<Exchange> list(int n) {
    List<Exchange> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(next(i));
    }
    return out;
  }

  Exchange next(int i) {
    String method = METHODS[random.nextInt(METHODS.length)];
    StringBuilder target = new StringBuilder("/");
    int segments = random.nextInt(10) == 0 ? 400 : 1 + random.nextInt(5); // some very long targets
    for (int s = 0; s < segments; s++) {
      target.append(word()).append('/');
    }
    if (random.nextBoolean()) {
      target.append("?q=").append(word()).append("&q=").append(random.nextInt());
    }
    HttpRequest request =
        new HttpRequest(
            method,
            target.toString(),
            random.nextInt(5) == 0 ? "HTTP/2.0" : "HTTP/1.1",
            headers(),
            body());
    HttpResponse response =
        random.nextInt(10) == 0
            ? null
            : new HttpResponse(
                100 + random.nextInt(500), random.nextBoolean() ? "OK" : word(), headers(), body());
    Map<String, String> tags = new LinkedHashMap<>();
    if (random.nextBoolean()) {
      tags.put("session", word());
      tags.put("ünï", word());
    }
    Instant started =
        random.nextInt(8) == 0
            ? null
            : Instant.ofEpochSecond(
                1_700_000_000L + random.nextInt(1_000_000), random.nextInt(1_000_000_000));
    Long duration = random.nextInt(8) == 0 ? null : (long) random.nextInt(5_000_000);
    return new Exchange(
        "ex-" + i + "-" + Long.toHexString(random.nextLong()),
        started,
        duration,
        request,
        response,
        response == null ? "connect timeout" : null,
        tags);
  }

  private String word() {
    return WORDS[random.nextInt(WORDS.length)];
  }

  private Headers headers() {
    int n = random.nextInt(8);
    String[] kv = new String[n * 2];
    for (int i = 0; i < n; i++) {
      // repeated names in different case, empty values
      kv[2 * i] =
          random.nextInt(3) == 0
              ? "Set-Cookie"
              : random.nextBoolean() ? "set-cookie" : "X-" + word().replace('\n', '_');
      kv[2 * i + 1] =
          random.nextInt(5) == 0
              ? ""
              : word().replace('\n', ' '); // a recorded field never holds CR or LF
    }
    return Headers.of(kv);
  }

  private Body body() {
    switch (random.nextInt(8)) {
      case 0:
        return Body.none();
      case 6:
        return Body.notCaptured(
            random.nextBoolean() ? -1 : 1 + random.nextInt(1 << 20)); // a producer left it out
      case 1:
        return Body.text("");
      case 2:
        {
          byte[] b = new byte[random.nextInt(3000)];
          random.nextBytes(b);
          return Body.binary(b);
        }
      case 3:
        return new Body.Binary(
            new byte[] {(byte) 0xff, 0, 1}, true, 1 + 3 + random.nextInt(1 << 20));
      case 4:
        return new Body.Text("{\"partial\":", true, 10_485_760L);
      case 5:
        return Body.binary(new byte[0]);
      default:
        {
          StringBuilder sb = new StringBuilder("{\"text\":\"");
          int n = random.nextInt(50);
          for (int i = 0; i < n; i++) {
            sb.append(word()).append(' ');
          }
          sb.append("\\u0000\u0000\u2028\"}"); // JSON escapes, a NUL and a line separator
          return Body.text(sb.toString());
        }
    }
  }
}
