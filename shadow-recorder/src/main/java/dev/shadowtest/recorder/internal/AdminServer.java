package dev.shadowtest.recorder.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ServerSocketFactory;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The recorder's read-only admin port: {@code GET /_shadow/stats} (the counters as JSON) and
 * {@code GET /metrics} (Prometheus, from {@link LiveMetrics}). On loopback by default; on any
 * other address only with a token, which every request then carries as {@code Authorization:
 * Bearer <token>}.
 *
 * <pre>{@code
 * try (AdminServer admin =
 *     new AdminServer(InetAddress.getLoopbackAddress(), 0, null, statsJson, metrics)) {
 *   URI metricsUri = URI.create("http://127.0.0.1:" + admin.port() + "/metrics");
 * }
 * }</pre>
 *
 * <p>Every connection is served on its own thread, so a client that sends half a request holds
 * only its own connection, and only until {@link #IDLE} passes without a byte from it.
 */
public final class AdminServer implements AutoCloseable {

  /** A connection that sends nothing for this long is closed (a half request, an idle keep-alive). */
  static final Timeout IDLE = Timeout.ofSeconds(5);

  static final String STATS_PATH = "/_shadow/stats";
  static final String METRICS_PATH = "/metrics";

  private static final ContentType METRICS_TYPE = ContentType.parse(LiveMetrics.CONTENT_TYPE);

  private final HttpServer server;

  /** {@code GET /_shadow/stats} on loopback, without a token and without {@code /metrics}. */
  public AdminServer(int port, Supplier<String> statsJson) throws IOException {
    this(InetAddress.getLoopbackAddress(), port, null, statsJson, null);
  }

  /** Connections served at once; further ones wait to be accepted. */
  static final int MAX_CONNECTIONS = 16;

  /** Server sockets that accept a connection only while fewer than {@code max} are open. */
  private static final class BoundedFactory extends ServerSocketFactory {
    private final int max;

    BoundedFactory(int max) {
      this.max = max;
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new BoundedServerSocket(new Semaphore(max));
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      ServerSocket s = createServerSocket();
      s.bind(new InetSocketAddress(port));
      return s;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      ServerSocket s = createServerSocket();
      s.bind(new InetSocketAddress(port), backlog);
      return s;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
        throws IOException {
      ServerSocket s = createServerSocket();
      s.bind(new InetSocketAddress(address, port), backlog);
      return s;
    }
  }

  private static final class BoundedServerSocket extends ServerSocket {
    private final Semaphore open;

    BoundedServerSocket(Semaphore open) throws IOException {
      this.open = open;
    }

    @Override
    public Socket accept() throws IOException {
      try {
        while (!open.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          if (isClosed()) {
            throw new SocketException("closed");
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SocketException("interrupted");
      }
      AtomicBoolean released = new AtomicBoolean();
      Socket s =
          new Socket() {
            @Override
            public synchronized void close() throws IOException {
              try {
                super.close();
              } finally {
                if (released.compareAndSet(false, true)) {
                  open.release();
                }
              }
            }
          };
      try {
        implAccept(s);
      } catch (IOException | RuntimeException e) {
        if (released.compareAndSet(false, true)) {
          open.release();
        }
        throw e;
      }
      return s;
    }
  }

  /**
   * @param bind the address to listen on; anything but loopback needs a token
   * @param port 0 for any free port
   * @param token the bearer token every request must carry, or null for none
   * @param statsJson the counters as JSON, asked for at every request
   * @param metrics what {@code /metrics} serves, or null to answer it 404
   * @throws IllegalArgumentException on a non-loopback address without a token, or a token that
   *     no {@code Authorization} header can carry (empty, spaces, non-ASCII)
   */
  public AdminServer(
      InetAddress bind, int port, String token, Supplier<String> statsJson, LiveMetrics metrics)
      throws IOException {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(statsJson, "statsJson");
    if (token != null && (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      // the token itself is never in a message
      throw new IllegalArgumentException(
          "the admin token must be printable ASCII without spaces, and not empty");
    }
    if (token == null && !bind.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "the admin port on "
              + bind.getHostAddress()
              + " would answer other machines without a token: use --admin-token-env VAR (the"
              + " environment variable VAR holds the token), or bind it to loopback");
    }
    byte[] expected = token == null ? null : token.getBytes(StandardCharsets.US_ASCII);
    server =
        ServerBootstrap.bootstrap()
            .setLocalAddress(bind)
            .setListenerPort(port)
            .setSocketConfig(SocketConfig.custom().setSoTimeout(IDLE).build())
            // each connection has its own thread: at most MAX_CONNECTIONS at once, so that clients
            // that connect and say nothing cannot run the proxy's process out of threads
            .setServerSocketFactory(new BoundedFactory(MAX_CONNECTIONS))
            // any Host: without a token loopback is the only way in, with one the token is
            .setRequestRouter(
                (request, context) ->
                    (req, response, ctx) -> answer(req, response, expected, statsJson, metrics))
            .create();
    server.start();
  }

  private static void answer(
      ClassicHttpRequest request,
      ClassicHttpResponse response,
      byte[] token,
      Supplier<String> statsJson,
      LiveMetrics metrics) {
    // the token first: without it, not even which paths exist is told
    if (token != null && !authorized(request, token)) {
      response.setCode(401);
      response.setHeader("WWW-Authenticate", "Bearer");
      response.setEntity(
          new StringEntity(
              "this admin port needs Authorization: Bearer <token>\n", ContentType.TEXT_PLAIN));
      return;
    }
    String path = request.getPath();
    int query = path.indexOf('?');
    path = query < 0 ? path : path.substring(0, query);
    Supplier<HttpEntity> body;
    if (path.equals(STATS_PATH)) {
      body = () -> new StringEntity(statsJson.get() + "\n", ContentType.APPLICATION_JSON);
    } else if (path.equals(METRICS_PATH) && metrics != null) {
      body = () -> new StringEntity(metrics.scrape(), METRICS_TYPE);
    } else {
      response.setCode(404);
      return;
    }
    if (!request.getMethod().equals("GET")) {
      response.setCode(405);
      response.setHeader("Allow", "GET");
      return;
    }
    response.setCode(200);
    response.setEntity(body.get());
  }

  /** Exactly one {@code Authorization: Bearer <token>}, compared in constant time. */
  private static boolean authorized(ClassicHttpRequest request, byte[] token) {
    Header[] given = request.getHeaders("Authorization");
    if (given.length != 1) {
      return false;
    }
    String value = given[0].getValue();
    String scheme = "Bearer ";
    if (value == null || !value.regionMatches(true, 0, scheme, 0, scheme.length())) {
      return false;
    }
    byte[] presented = value.substring(scheme.length()).strip().getBytes(StandardCharsets.UTF_8);
    // time depends on the presented length only, which its sender knows anyway
    return MessageDigest.isEqual(presented, token);
  }

  public int port() {
    return server.getLocalPort();
  }

  @Override
  public void close() {
    server.close(CloseMode.IMMEDIATE);
  }
}
