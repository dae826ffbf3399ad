package dev.shadowtest.recorder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.testing.LoopbackServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/** The "legacy system" for the recorder's tests: a {@link LoopbackServer} with routes. */
final class Upstream implements AutoCloseable {

  final LoopbackServer loopback;
  final HttpServer server;
  final List<String> targets = new CopyOnWriteArrayList<>();
  final AtomicInteger requests = new AtomicInteger();

  Upstream() throws IOException {
    loopback = LoopbackServer.start(32, this::handle);
    server = loopback.server();
  }

  URI uri() {
    return loopback.uri();
  }

  /** A deterministic byte pattern, so a streamed body can be checked without keeping it. */
  static byte patternByte(long i) {
    return (byte) (i * 31 + (i >> 13));
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    String target = ex.getRequestURI().toString();
    targets.add(ex.getRequestMethod() + " " + target);
    String path = ex.getRequestURI().getPath();
    try {
      switch (path) {
        case "/echo" -> {
          byte[] body = ex.getRequestBody().readAllBytes();
          StringBuilder headers = new StringBuilder();
          ex.getRequestHeaders()
              .forEach((k, v) -> headers.append(k).append('=').append(v).append(';'));
          ex.getResponseHeaders().add("X-Multi", "a");
          ex.getResponseHeaders().add("X-Multi", "b");
          ex.getResponseHeaders().add("Content-Type", "text/plain");
          send(
              ex,
              200,
              (ex.getRequestMethod()
                      + " "
                      + target
                      + "\n"
                      + headers
                      + "\n"
                      + new String(body, StandardCharsets.UTF_8))
                  .getBytes(StandardCharsets.UTF_8));
        }
        case "/json" -> {
          ex.getRequestBody().readAllBytes();
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.getResponseHeaders().add("Set-Cookie", "sid=response-cookie-secret");
          ex.getResponseHeaders().add("X-Session-Token", "response-session-secret");
          send(
              ex,
              200,
              ("{\"user\":\"ann\",\"card\":{\"number\":\"4111-1111-1111-1111\",\"brand\":\"visa\"},"
                      + "\"password\":\"resp-pass-secret\",\"items\":[{\"sku\":\"a\",\"password\":\"nested-pass-secret\"}]}")
                  .getBytes(StandardCharsets.UTF_8));
        }
        case "/chunked" -> {
          ex.getRequestBody().readAllBytes();
          ex.getResponseHeaders().add("Content-Type", "text/plain");
          ex.sendResponseHeaders(200, 0); // chunked
          try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < 5; i++) {
              out.write(("part " + i + "\n").getBytes(StandardCharsets.UTF_8));
              out.flush();
            }
          }
        }
        case "/big" -> {
          long n = Long.parseLong(ex.getRequestURI().getQuery().substring(2));
          ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
          ex.sendResponseHeaders(200, n);
          byte[] buf = new byte[64 * 1024];
          try (OutputStream out = ex.getResponseBody()) {
            for (long i = 0; i < n; ) {
              int k = (int) Math.min(buf.length, n - i);
              for (int j = 0; j < k; j++) {
                buf[j] = patternByte(i + j);
              }
              out.write(buf, 0, k);
              i += k;
            }
          } catch (IOException aborted) {
            // the client went away
          }
        }
        case "/upload" -> {
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          long n = 0;
          try (InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[64 * 1024];
            int k;
            while ((k = in.read(buf)) >= 0) {
              sha.update(buf, 0, k);
              n += k;
            }
          }
          send(
              ex,
              200,
              (n + " " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.UTF_8));
        }
        case "/binary" -> {
          byte[] b = new byte[256];
          for (int i = 0; i < 256; i++) {
            b[i] = (byte) i;
          }
          ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
          send(ex, 200, b);
        }
        case "/gzip-bomb", "/gzip-4mb" -> {
          // 100 KB that inflate to 100 MiB of zeros; forty of them end to end (one gzip stream of
          // many members): 4 MB that inflate to 4 GiB
          ex.getResponseHeaders().add("Content-Type", "text/plain");
          ex.getResponseHeaders().add("Content-Encoding", "gzip");
          byte[] member = bomb();
          ex.sendResponseHeaders(
              200, path.equals("/gzip-bomb") ? member.length : 40L * member.length);
          try (OutputStream out = ex.getResponseBody()) {
            for (int i = path.equals("/gzip-bomb") ? 39 : 0; i < 40; i++) {
              out.write(member);
            }
          }
        }
        case "/slow" -> {
          Thread.sleep(1500);
          send(ex, 200, "slow".getBytes(StandardCharsets.UTF_8));
        }
        default -> send(ex, 404, "no".getBytes(StandardCharsets.UTF_8));
      }
    } catch (Exception e) {
      ex.close();
    }
  }

  private static byte[] bomb;

  /** A gzip member of 100 MiB of zeros (about 100 KB), made once. */
  static synchronized byte[] bomb() throws IOException {
    if (bomb == null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (OutputStream o = new GZIPOutputStream(out)) {
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < 100; i++) {
          o.write(zeros);
        }
      }
      bomb = out.toByteArray();
    }
    return bomb;
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    loopback.close();
  }
}
