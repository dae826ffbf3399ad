package dev.shadowtest.recorder.internal;

import dev.shadowtest.recorder.internal.CaptureParts.RawBody;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.message.BufferedHeader;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * Made-up proxied exchanges that take every branch of the encoders (JSON text with quotes,
 * backslashes and control characters, two-, three- and four-byte UTF-8, malformed UTF-8 and binary
 * bodies written as base64, long escape-heavy text, cut bodies, no body, masked headers, a header
 * the model path must write), for {@link CaptureWriter#warmUp}: encoded and thrown away before the
 * listener opens, so that the JIT compiles the encoders while the machine is idle.
 *
 * <p>Why: the encoders loop over every body byte. Started under load on a small machine, the JIT's
 * compiler thread shares the cores with the connection threads, and a recorder measured here ran
 * its body loop in the interpreter for 25 s (queued for compilation after 1 s), at a third of its
 * throughput, dropping captures. Every branch is taken here so that live traffic does not find one
 * the compiled code left out (which would send it back to the interpreter).
 */
final class CaptureWarmup {

  private CaptureWarmup() {}

  /** One of each kind of exchange, with bodies of about 30 KB in all. */
  static List<CaptureParts> samples() {
    Random random = new Random(42);
    List<CaptureParts> out = new ArrayList<>();
    out.add(get(200, json(20, random)));
    out.add(get(200, json(6, random)));
    out.add(get(404, utf8("{\"error\":\"not found\",\"path\":\"/api/items/7\"}")));
    out.add(
        post(
            utf8("{\"note\":\"line\\nbreak \\\"quoted\\\" C:\\\\dir\",\"tab\":\"a\tb\"}"),
            utf8(
                "{\"name\":\"Zoë Ünal\",\"city\":\"東京\",\"mood\":\"\uD83D\uDE00\","
                    + "\"ctl\":\"\u0001\u001f\b\f\r\"}")));
    out.add(get(200, html(random)));
    out.add(get(200, bytes(random, 3000))); // binary: base64
    for (int form = 0; form < MALFORMED.length; form++) {
      out.add(get(200, malformed(form))); // invalid UTF-8: base64
    }
    out.add(get(200, controls(random, 6000))); // long, escape-heavy: base64 is smaller
    out.add(get(200, json(120, random))); // long JSON text: kept as text
    byte[] cut = json(20, random);
    out.add(
        parts(
            "GET",
            "/api/items?page=2",
            requestHeaders(),
            null,
            200,
            responseHeaders(cut.length * 3),
            new RawBody(cut, cut.length / 2, true, cut.length * 3L),
            Truncation.CLIENT_ABORT));
    out.add(
        parts("DELETE", "/api/items/9", requestHeaders(), null, 204, new Header[0], null, null));
    Header[] odd = requestHeaders();
    odd[odd.length - 1] = new BasicHeader("X-Note", "two\r\nlines"); // the model path's
    out.add(parts("GET", "/odd", odd, null, 200, responseHeaders(2), body(utf8("{}")), null));
    return out;
  }

  private static CaptureParts get(int status, byte[] body) {
    return parts(
        "GET",
        "/api/items?page=" + status + "&q=caf%C3%A9",
        requestHeaders(),
        null,
        status,
        responseHeaders(body.length),
        body(body),
        null);
  }

  private static CaptureParts post(byte[] request, byte[] response) {
    Header[] headers = requestHeaders();
    Header[] withBody = new Header[headers.length + 2];
    System.arraycopy(headers, 0, withBody, 0, headers.length);
    withBody[headers.length] = parsed("Content-Type", "application/json; charset=utf-8");
    withBody[headers.length + 1] = parsed("Content-Length", Integer.toString(request.length));
    return parts(
        "POST",
        "/api/orders",
        withBody,
        body(request),
        201,
        responseHeaders(response.length),
        body(response),
        null);
  }

  private static CaptureParts parts(
      String method,
      String target,
      Header[] requestHeaders,
      RawBody requestBody,
      int status,
      Header[] responseHeaders,
      RawBody responseBody,
      Truncation cut) {
    return new CaptureParts(
        "warmup",
        Instant.parse("2026-01-01T00:00:00.123456Z"),
        1234,
        method,
        target,
        "HTTP/1.1",
        requestHeaders,
        requestBody,
        status,
        status == 204 ? "No Content" : "OK",
        responseHeaders,
        responseBody,
        cut);
  }

  private static RawBody body(byte[] b) {
    return new RawBody(b, b.length, false, b.length);
  }

  /** Headers as HttpCore's parser makes them (and one as the proxy adds them). */
  private static Header[] requestHeaders() {
    return new Header[] {
      parsed("Host", "api.example.com"),
      parsed("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"),
      parsed("Accept", "application/json, text/plain, */*"),
      parsed("Accept-Encoding", "gzip, deflate, br"),
      parsed("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
      parsed("Cookie", "session=abc123; theme=dark"),
      parsed("X-Request-Id", "6f1c2a3e-9d4b-4c1a-8e2f-0b1d2c3e4f5a"),
      new BasicHeader("X-Forwarded-For", "203.0.113.7")
    };
  }

  private static Header[] responseHeaders(int length) {
    return new Header[] {
      parsed("Date", "Thu, 01 Jan 2026 00:00:00 GMT"),
      parsed("Content-Type", "application/json; charset=utf-8"),
      parsed("Content-Length", Integer.toString(length)),
      parsed("Cache-Control", "no-cache"),
      parsed("Set-Cookie", "session=def456; Path=/; HttpOnly"),
      parsed("ETag", "W/\"5e-1a2b3c\""),
      parsed("X-Note", "Grüße, \"quoted\"")
    };
  }

  private static Header parsed(String name, String value) {
    CharArrayBuffer line = new CharArrayBuffer(name.length() + value.length() + 2);
    line.append(name);
    line.append(": ");
    line.append(value);
    return BufferedHeader.create(line);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] json(int items, Random random) {
    StringBuilder b = new StringBuilder("{\"items\":[");
    for (int i = 0; i < items; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(random.nextInt(100_000))
          .append(",\"name\":\"Product ")
          .append(i)
          .append("\",\"price\":{\"amount\":")
          .append(random.nextInt(10_000) / 100.0)
          .append(",\"currency\":\"EUR\"},\"tags\":[\"a\",\"b\"]}");
    }
    return utf8(b.append("],\"total\":").append(items).append("}").toString());
  }

  private static byte[] html(Random random) {
    StringBuilder b = new StringBuilder("<!doctype html><html><body><ul>");
    for (int i = 0; i < 40; i++) {
      b.append("<li class=\"item\" data-id='")
          .append(random.nextInt(1000))
          .append("'>Caf\u00e9 &amp; cr\u00e8me \u2014 \u20ac")
          .append(i)
          .append("</li>\n");
    }
    return utf8(b.append("</ul></body></html>").toString());
  }

  private static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /**
   * Malformed UTF-8 after valid text: a byte no sequence starts with, overlong forms (two- and
   * three-byte), a surrogate, a code point above U+10FFFF, a bad continuation, a cut sequence.
   */
  private static final byte[][] MALFORMED = {
    {(byte) 0xC0, (byte) 0xAF},
    {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    {(byte) 0xF0, (byte) 0x9F, (byte) 0x41, (byte) 0x80},
    {(byte) 0xE2, (byte) 0x82}
  };

  private static byte[] malformed(int form) {
    byte[] text = utf8("{\"a\":\"ok \u00e9 \u4e2d \uD83D\uDE00 \uDBFF\uDFFF\"}");
    byte[] bad = MALFORMED[form];
    byte[] out = new byte[text.length + bad.length];
    System.arraycopy(text, 0, out, 0, text.length);
    System.arraycopy(bad, 0, out, text.length, bad.length);
    return out;
  }

  /** Text made mostly of control characters: longer escaped than in base64. */
  private static byte[] controls(Random random, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i % 3 == 0 ? 'a' + random.nextInt(26) : random.nextInt(32));
    }
    return b;
  }
}
