package dev.shadowtest.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncServer;
import org.apache.hc.core5.http.nio.AsyncRequestConsumer;
import org.apache.hc.core5.http.nio.AsyncServerRequestHandler;
import org.apache.hc.core5.http.nio.entity.StringAsyncEntityConsumer;
import org.apache.hc.core5.http.nio.support.AsyncResponseBuilder;
import org.apache.hc.core5.http.nio.support.BasicRequestConsumer;
import org.apache.hc.core5.http.nio.support.BasicServerExchangeHandler;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.http.protocol.HttpProcessorBuilder;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2ServerBootstrap;
import org.apache.hc.core5.http2.protocol.H2ResponseConformance;
import org.apache.hc.core5.http2.protocol.H2ResponseConnControl;
import org.apache.hc.core5.http2.protocol.H2ResponseContent;
import org.apache.hc.core5.http2.ssl.H2ServerTlsStrategy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.ListenerEndpoint;

/**
 * A loopback server of HttpCore 5 that speaks HTTP/2 (the JDK's server speaks only HTTP/1.1):
 * over plain TCP HTTP/2 only, with prior knowledge ({@code h2c}; an HTTP/1.1 request gets 505),
 * over TLS {@code h2} or {@code http/1.1}, as the client asks by ALPN. It keeps every request with the protocol
 * version it came in, so tests assert what a client really spoke. Shared through shadow-http's
 * test-jar.
 *
 * <pre>{@code
 * try (Http2LoopbackServer s = Http2LoopbackServer.start(null, false, seen -> "{\"ok\":true}")) {
 *   // send to s.uri(), then: s.seen().get(0).protocol() is "HTTP/2.0"
 * }
 * }</pre>
 */
public final class Http2LoopbackServer implements AutoCloseable {

  /** A request as the server saw it. */
  public record Seen(
      String method,
      String path,
      String protocol,
      String authority,
      List<Header> headers,
      String body) {

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
      for (Header h : headers) {
        if (h.getName().equalsIgnoreCase(name)) {
          return h.getValue();
        }
      }
      return null;
    }
  }

  private final HttpAsyncServer server;
  private final URI uri;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  private Http2LoopbackServer(
      SSLContext tls, boolean needClientAuth, Function<Seen, String> jsonBody) {
    H2ServerBootstrap bootstrap =
        H2ServerBootstrap.bootstrap()
            // over TLS, ALPN decides; over plain TCP HttpCore negotiates nothing: HTTP/2 only
            .setVersionPolicy(
                tls == null ? HttpVersionPolicy.FORCE_HTTP_2 : HttpVersionPolicy.NEGOTIATE)
            .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
            // HttpCore's defaults without Date and Server: answers carry only what was asked
            .setHttpProcessor(
                HttpProcessorBuilder.create()
                    .addAll(
                        H2ResponseConformance.INSTANCE,
                        H2ResponseContent.INSTANCE,
                        H2ResponseConnControl.INSTANCE)
                    .build())
            // every authority: clients name 127.0.0.1 and a port, or a recorded host
            .setRequestRouter(
                (request, context) ->
                    () -> new BasicServerExchangeHandler<>(new Handler(jsonBody)));
    if (tls != null) {
      bootstrap.setTlsStrategy(
          new H2ServerTlsStrategy(
              tls, (endpoint, engine) -> engine.setNeedClientAuth(needClientAuth), null));
    }
    server = bootstrap.create();
    server.start();
    try {
      ListenerEndpoint endpoint =
          server
              .listen(
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                  tls == null ? URIScheme.HTTP : URIScheme.HTTPS)
              .get(10, TimeUnit.SECONDS);
      int port = ((InetSocketAddress) endpoint.getAddress()).getPort();
      uri = URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + port);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close(CloseMode.IMMEDIATE);
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      server.close(CloseMode.IMMEDIATE);
      throw new UncheckedIOException(new IOException("cannot listen on 127.0.0.1", e));
    }
  }

  /**
   * Starts a server: plain ({@code tls} null) or TLS with the context's certificate, asking for a
   * client certificate with {@code needClientAuth}; every request is answered 200 with the JSON
   * body {@code jsonBody} makes of it.
   */
  public static Http2LoopbackServer start(
      SSLContext tls, boolean needClientAuth, Function<Seen, String> jsonBody) {
    return new Http2LoopbackServer(tls, needClientAuth, jsonBody);
  }

  /** {@code http://127.0.0.1:PORT}, or {@code https://...} with TLS. */
  public URI uri() {
    return uri;
  }

  /** Every request so far, in the order they were answered. */
  public List<Seen> seen() {
    return new ArrayList<>(seen);
  }

  @Override
  public void close() {
    server.close(CloseMode.IMMEDIATE);
  }

  private final class Handler implements AsyncServerRequestHandler<Message<HttpRequest, String>> {
    private final Function<Seen, String> jsonBody;

    Handler(Function<Seen, String> jsonBody) {
      this.jsonBody = jsonBody;
    }

    @Override
    public AsyncRequestConsumer<Message<HttpRequest, String>> prepare(
        HttpRequest request, EntityDetails entityDetails, HttpContext context) {
      return new BasicRequestConsumer<>(
          entityDetails == null ? null : new StringAsyncEntityConsumer());
    }

    @Override
    public void handle(
        Message<HttpRequest, String> message, ResponseTrigger trigger, HttpContext context)
        throws HttpException, IOException {
      HttpRequest r = message.getHead();
      ProtocolVersion version =
          r.getVersion() != null
              ? r.getVersion()
              : HttpCoreContext.cast(context).getProtocolVersion();
      Seen s =
          new Seen(
              r.getMethod(),
              r.getPath(),
              String.valueOf(version),
              r.getAuthority() == null ? null : r.getAuthority().toString(),
              List.of(r.getHeaders()),
              message.getBody());
      seen.add(s);
      trigger.submitResponse(
          AsyncResponseBuilder.create(200)
              // no charset parameter: answers compare equal to a recorded application/json
              .setEntity(jsonBody.apply(s), ContentType.create("application/json"))
              .build(),
          context);
    }
  }
}
