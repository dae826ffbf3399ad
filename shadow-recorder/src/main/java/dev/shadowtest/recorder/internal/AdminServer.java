package dev.shadowtest.recorder.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.util.function.Supplier;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * {@code GET /_shadow/stats} on 127.0.0.1 only: the counters as JSON. Every connection is served
 * on its own thread, so a client that sends half a request holds only its own connection, and
 * only until {@link #IDLE} passes without a byte from it.
 */
public final class AdminServer implements AutoCloseable {

  /** A connection that sends nothing for this long is closed (a half request, an idle keep-alive). */
  static final Timeout IDLE = Timeout.ofSeconds(5);

  static final String PATH = "/_shadow/stats";

  private final HttpServer server;

  public AdminServer(int port, Supplier<String> statsJson) throws IOException {
    server =
        ServerBootstrap.bootstrap()
            .setLocalAddress(InetAddress.getLoopbackAddress())
            .setListenerPort(port)
            .setSocketConfig(SocketConfig.custom().setSoTimeout(IDLE).build())
            // any Host: loopback is the only way in
            .setRequestRouter(
                (request, context) ->
                    request.getPath().equals(PATH) || request.getPath().startsWith(PATH + "?")
                        ? (req, response, ctx) -> stats(req.getMethod(), response, statsJson)
                        : (req, response, ctx) -> response.setCode(404))
            .create();
    server.start();
  }

  private static void stats(
      String method, ClassicHttpResponse response, Supplier<String> statsJson) {
    if (!method.equals("GET")) {
      response.setCode(405);
      response.setHeader("Allow", "GET");
      return;
    }
    response.setCode(200);
    response.setEntity(new StringEntity(statsJson.get() + "\n", ContentType.APPLICATION_JSON));
  }

  public int port() {
    return server.getLocalPort();
  }

  @Override
  public void close() {
    server.close(CloseMode.IMMEDIATE);
  }
}
