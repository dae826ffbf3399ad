package dev.shadowtest.recorder.internal;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** {@code GET /_shadow/stats} on 127.0.0.1 only: the counters as JSON. */
public final class AdminServer implements AutoCloseable {

  private final HttpServer server;

  public AdminServer(int port, Supplier<String> statsJson) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 8);
    server.createContext("/_shadow/stats", ex -> {
      byte[] body = (statsJson.get() + "\n").getBytes(StandardCharsets.UTF_8);
      int status = ex.getRequestMethod().equals("GET") ? 200 : 405;
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(status, status == 200 ? body.length : -1);
      try (OutputStream out = ex.getResponseBody()) {
        if (status == 200) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
