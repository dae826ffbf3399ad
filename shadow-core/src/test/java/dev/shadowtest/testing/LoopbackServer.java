package dev.shadowtest.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The one HTTP server of Shadow's tests (shadow-core's test-jar): a real server on 127.0.0.1 at
 * an ephemeral port, on daemon threads, that every module's fixtures build on (replay's {@code
 * TestServer}, the recorder's {@code Upstream}, the JUnit extension's {@code TestServices}, the
 * CLI's fixtures). Network tests only ever target loopback.
 */
public final class LoopbackServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor;
  private final String scheme;

  private LoopbackServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
    this.scheme = server instanceof HttpsServer ? "https" : "http";
  }

  /** Starts a server answering every path with {@code handler}, on {@code threads} threads. */
  public static LoopbackServer start(int threads, HttpHandler handler) {
    return start(threads, "/", handler);
  }

  /** Starts a server answering under {@code context} with {@code handler}. */
  public static LoopbackServer start(int threads, String context, HttpHandler handler) {
    try {
      return start(
          threads,
          context,
          handler,
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
    }
  }

  /**
   * Starts an HTTPS server (HTTP/1.1) answering every path with {@code handler}, with the server
   * certificate of {@code tls}; with {@code needClientAuth} a client must show a certificate that
   * {@code tls} trusts (see {@link TestCertificates#serverContext}).
   */
  public static LoopbackServer startHttps(
      int threads, SSLContext tls, boolean needClientAuth, HttpHandler handler) {
    try {
      HttpsServer s =
          HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
      s.setHttpsConfigurator(
          new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
              SSLParameters p = getSSLContext().getDefaultSSLParameters();
              p.setNeedClientAuth(needClientAuth);
              params.setSSLParameters(p);
            }
          });
      return start(threads, "/", handler, s);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
    }
  }

  private static LoopbackServer start(
      int threads, String context, HttpHandler handler, HttpServer s) {
    ExecutorService executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "loopback-server");
              t.setDaemon(true);
              return t;
            });
    s.setExecutor(executor);
    s.createContext(context, handler);
    s.start();
    return new LoopbackServer(s, executor);
  }

  /** The underlying server (its address, more contexts). */
  public HttpServer server() {
    return server;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:PORT} ({@code https://} for an HTTPS server). */
  public URI uri() {
    return URI.create(scheme + "://127.0.0.1:" + port());
  }

  /** Answers {@code ex} with a status, a Content-Type (or null) and a body (empty: none). */
  public static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    if (contentType != null) {
      ex.getResponseHeaders().add("Content-Type", contentType);
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  /** {@link #send(HttpExchange, int, String, byte[])} of UTF-8 text. */
  public static void send(HttpExchange ex, int status, String contentType, String body)
      throws IOException {
    send(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
