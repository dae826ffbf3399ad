package dev.shadowtest.recorder.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.impl.BasicEndpointDetails;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncServer;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;
import org.apache.hc.core5.http.nio.AsyncRequestConsumer;
import org.apache.hc.core5.http.nio.AsyncServerRequestHandler;
import org.apache.hc.core5.http.nio.entity.AbstractBinAsyncEntityConsumer;
import org.apache.hc.core5.http.nio.support.AsyncResponseBuilder;
import org.apache.hc.core5.http.nio.support.BasicRequestConsumer;
import org.apache.hc.core5.http.nio.support.BasicServerExchangeHandler;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.http.protocol.HttpProcessorBuilder;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2ServerBootstrap;
import org.apache.hc.core5.http2.protocol.H2RequestConformance;
import org.apache.hc.core5.http2.protocol.H2RequestValidateHost;
import org.apache.hc.core5.http2.protocol.H2ResponseConformance;
import org.apache.hc.core5.http2.protocol.H2ResponseConnControl;
import org.apache.hc.core5.http2.protocol.H2ResponseContent;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.ListenerEndpoint;

/**
 * HTTP/2 from clients. A client connection that speaks HTTP/2 (negotiated by ALPN on the TLS
 * listener, or opened with the HTTP/2 preface on the plain one: h2c with prior knowledge) is
 * bridged, byte for byte, to an HTTP/2 server of HttpCore's on a loopback port of its own; each of
 * its streams is forwarded by the same {@link ProxyHandler} as HTTP/1.1 requests (same refusals,
 * headers, capture and recording, {@code httpVersion} {@code HTTP/2}) to the upstream over
 * HTTP/1.1. Bodies of HTTP/2 streams are held whole (each at most {@link #MAX_BODY}, all at once at
 * most {@link #MAX_HELD}): they are not streamed.
 */
public final class H2Bridge implements AutoCloseable {

  /** The largest request or response body of one HTTP/2 stream. */
  static final int MAX_BODY = 64 << 20;

  /** Bodies of HTTP/2 streams held at once, at most. */
  static final long MAX_HELD = 256L << 20;

  private final HttpAsyncServer server;
  private final int port;
  private final ExecutorService workers = Executors.newCachedThreadPool(daemon("shadow-h2"));
  private final ProxyHandler handler;
  private final AtomicLong held = new AtomicLong();

  /** The real client of each bridge connection, by the bridge's local port. */
  private final Map<Integer, Socket> clients = new ConcurrentHashMap<>();

  public H2Bridge(ProxyHandler handler) throws IOException {
    this.handler = handler;
    this.server =
        H2ServerBootstrap.bootstrap()
            .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2)
            // HttpCore's defaults without RequestConformance (it refuses "https" streams on this
            // loopback connection: TLS was ended by the bridge) nor Date and Server (the
            // upstream's pass through)
            .setHttpProcessor(
                HttpProcessorBuilder.create()
                    .addAll(
                        H2ResponseConformance.INSTANCE,
                        H2ResponseContent.INSTANCE,
                        H2ResponseConnControl.INSTANCE)
                    .addAll(H2RequestValidateHost.INSTANCE, H2RequestConformance.INSTANCE)
                    .build())
            .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
            // every authority: the client named the proxy, not this loopback port
            .setRequestRouter(
                (request, context) -> () -> new BasicServerExchangeHandler<>(new Streams()))
            .create();
    server.start();
    try {
      ListenerEndpoint endpoint =
          server
              .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), URIScheme.HTTP)
              .get(10, TimeUnit.SECONDS);
      this.port = ((InetSocketAddress) endpoint.getAddress()).getPort();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close(CloseMode.IMMEDIATE);
      throw new IOException("interrupted while starting the HTTP/2 listener", e);
    } catch (ExecutionException | TimeoutException e) {
      server.close(CloseMode.IMMEDIATE);
      throw new IOException("cannot start the HTTP/2 listener: " + e.getMessage(), e);
    }
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Bridges a client connection that speaks HTTP/2 until either side closes; {@code preface} are
   * the bytes already read from it. Runs on the connection's thread.
   */
  void bridge(Socket client, InputStream in, byte[] preface) throws IOException {
    try (Socket inner = new Socket(InetAddress.getLoopbackAddress(), port)) {
      inner.setTcpNoDelay(true);
      clients.put(inner.getLocalPort(), client);
      try {
        OutputStream toInner = inner.getOutputStream();
        toInner.write(preface);
        toInner.flush();
        client.setSoTimeout(0);
        InputStream fromInner = inner.getInputStream();
        OutputStream toClient = client.getOutputStream();
        Thread back =
            new Thread(
                () -> WebSocketTunnel.pump(fromInner, toClient, client, (b, n) -> {}),
                "shadow-h2-bridge");
        back.setDaemon(true);
        back.start();
        pumpClientFrames(in, toInner, inner, preface.length == 0 ? PREFACE_LENGTH : 0);
        back.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        clients.remove(inner.getLocalPort());
      }
    } finally {
      client.close();
    }
  }

  /** The client connection preface of HTTP/2 (RFC 9113 3.4). */
  private static final int PREFACE_LENGTH = 24;

  /**
   * Copies the client's HTTP/2 frames to the inner server, each read passed on at once. One thing
   * is changed: a {@code SETTINGS_MAX_CONCURRENT_STREAMS} of 0 (the JDK's client says so: it
   * refuses pushed streams) becomes 1, because HttpCore 5.4 refuses 0 with a GOAWAY; the inner
   * server never pushes, so nothing else changes. Then half-closes the inner connection.
   */
  private static void pumpClientFrames(
      InputStream in, OutputStream out, Socket outSocket, int prefaceLeft) {
    byte[] buf = new byte[16 * 1024];
    byte[] header = new byte[9];
    int headerHave = 0;
    long payloadLeft = 0;
    boolean settings = false;
    int entryPos = 0; // position within the current 6-byte SETTINGS entry
    int entryId = 0;
    long entryValue = 0;
    int skip = prefaceLeft;
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        int i = 0;
        while (i < n) {
          if (skip > 0) {
            int k = Math.min(skip, n - i);
            skip -= k;
            i += k;
          } else if (payloadLeft == 0) {
            header[headerHave++] = buf[i++];
            if (headerHave == 9) {
              headerHave = 0;
              payloadLeft =
                  ((header[0] & 0xffL) << 16) | ((header[1] & 0xffL) << 8) | (header[2] & 0xffL);
              settings = header[3] == 0x4 && (header[4] & 0x1) == 0;
              entryPos = 0;
            }
          } else if (!settings) {
            int k = (int) Math.min(payloadLeft, n - i);
            payloadLeft -= k;
            i += k;
          } else {
            // SETTINGS entries: a 2-byte identifier, then a 4-byte value
            if (entryPos == 0) {
              entryId = (buf[i] & 0xff) << 8;
              entryValue = 0;
            } else if (entryPos == 1) {
              entryId |= buf[i] & 0xff;
            } else {
              entryValue = (entryValue << 8) | (buf[i] & 0xff);
              if (entryPos == 5 && entryId == 0x3 && entryValue == 0) {
                buf[i] = 1; // the value's last byte: always in this read
              }
            }
            entryPos = (entryPos + 1) % 6;
            payloadLeft--;
            i++;
          }
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away
    } finally {
      try {
        outSocket.shutdownOutput();
      } catch (IOException e) {
        // already closed
      }
    }
  }

  /** A request body held whole, up to {@link #MAX_BODY}; null content when it was larger. */
  private final class Body extends AbstractBinAsyncEntityConsumer<byte[]> {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long reserved;
    private boolean tooLarge;

    @Override
    protected void streamStart(ContentType contentType) {}

    @Override
    protected int capacityIncrement() {
      return 64 * 1024;
    }

    @Override
    protected void data(ByteBuffer src, boolean endOfStream) {
      int n = src.remaining();
      if (tooLarge || bytes.size() + (long) n > MAX_BODY || held.addAndGet(n) > MAX_HELD) {
        if (!tooLarge) {
          held.addAndGet(-n);
        }
        tooLarge = true;
        src.position(src.limit());
        return;
      }
      reserved += n;
      byte[] b = new byte[n];
      src.get(b);
      bytes.writeBytes(b);
    }

    @Override
    protected byte[] generateContent() {
      return tooLarge ? null : bytes.toByteArray();
    }

    @Override
    public void releaseResources() {
      held.addAndGet(-reserved);
      reserved = 0;
    }
  }

  /** Each HTTP/2 stream: forwarded on a worker thread by the proxy's handler. */
  private final class Streams implements AsyncServerRequestHandler<Message<HttpRequest, byte[]>> {

    @Override
    public AsyncRequestConsumer<Message<HttpRequest, byte[]>> prepare(
        HttpRequest request, EntityDetails entityDetails, HttpContext context) {
      return new BasicRequestConsumer<>(entityDetails == null ? null : new Body());
    }

    @Override
    public void handle(
        Message<HttpRequest, byte[]> message, ResponseTrigger trigger, HttpContext context) {
      workers.execute(() -> forward(message, trigger, context));
    }
  }

  private void forward(
      Message<HttpRequest, byte[]> message,
      AsyncServerRequestHandler.ResponseTrigger trigger,
      HttpContext context) {
    HttpRequest h2 = message.getHead();
    try {
      if (h2.getMethod().equalsIgnoreCase("CONNECT")) {
        respond(trigger, context, 405, "CONNECT is refused: this is a reverse proxy\n");
        return;
      }
      boolean withBody = message.getBody() != null || hasBody(h2);
      if (withBody && message.getBody() == null) {
        respond(
            trigger,
            context,
            413,
            "Payload Too Large: an HTTP/2 request body is held whole, at most 64 MiB\n");
        return;
      }
      // origin form, as an HTTP/1.1 request: the authority becomes the Host header
      BasicClassicHttpRequest request = new BasicClassicHttpRequest(h2.getMethod(), h2.getPath());
      request.setVersion(HttpVersion.HTTP_2);
      if (h2.getAuthority() != null && !h2.containsHeader("Host")) {
        request.addHeader("Host", h2.getAuthority().toString());
      }
      for (Header h : h2.getHeaders()) {
        request.addHeader(h);
      }
      if (message.getBody() != null) {
        request.setEntity(new ByteArrayEntity(message.getBody(), null));
      }
      HttpCoreContext classic = HttpCoreContext.create();
      classic.setAttribute(HttpCoreContext.CONNECTION_ENDPOINT, endpoint(context));
      BasicClassicHttpResponse response = new BasicClassicHttpResponse(200);
      handler.handle(request, response, classic);
      byte[] body = null;
      if (response.getEntity() != null) {
        if (response.getEntity().getContentLength() > MAX_BODY) {
          EntityUtils.consumeQuietly(response.getEntity()); // streamed through, and recorded
          respond(
              trigger,
              context,
              502,
              "Bad Gateway: the upstream's answer is larger than an HTTP/2 stream may hold"
                  + " here (64 MiB)\n");
          return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        response
            .getEntity()
            .writeTo(new Bounded(out)); // the capture is taken here, as for HTTP/1.1
        body = out.toByteArray();
      }
      AsyncResponseBuilder answer = AsyncResponseBuilder.create(response.getCode());
      for (Header h : response.getHeaders()) {
        String name = h.getName();
        // the length of a body passed on is the length of what is sent; without a body (HEAD,
        // 304) the upstream's, which describes the resource, is kept
        boolean length = name.equalsIgnoreCase("Content-Length");
        if (length ? body == null : !name.equalsIgnoreCase("Connection")) {
          answer.addHeader(h);
        }
      }
      if (body != null) {
        answer.addHeader("Content-Length", Integer.toString(body.length));
        Header type = response.getFirstHeader("Content-Type");
        answer.setEntity(body, type == null ? null : ContentType.parseLenient(type.getValue()));
      }
      trigger.submitResponse(answer.build(), context);
    } catch (IOException | HttpException | RuntimeException e) {
      try {
        respond(trigger, context, 502, "Bad Gateway: " + e.getMessage() + "\n");
      } catch (IOException | HttpException ignored) {
        // the stream is gone
      }
    }
  }

  private static boolean hasBody(HttpRequest r) {
    Header length = r.getFirstHeader("Content-Length");
    return length != null && !length.getValue().strip().equals("0");
  }

  private static void respond(
      AsyncServerRequestHandler.ResponseTrigger trigger,
      HttpContext context,
      int status,
      String text)
      throws HttpException, IOException {
    trigger.submitResponse(
        AsyncResponseBuilder.create(status).setEntity(text, ContentType.TEXT_PLAIN).build(),
        context);
  }

  /** The real client behind a bridge connection (for Forwarded headers), else the bridge's end. */
  private EndpointDetails endpoint(HttpContext context) {
    EndpointDetails inner = HttpCoreContext.cast(context).getEndpointDetails();
    if (inner != null && inner.getRemoteAddress() instanceof InetSocketAddress a) {
      Socket client = clients.get(a.getPort());
      if (client != null) {
        SocketAddress remote = client.getRemoteSocketAddress();
        SocketAddress local = client.getLocalSocketAddress();
        return new BasicEndpointDetails(remote, local, null, null);
      }
    }
    return inner;
  }

  /** Refuses to hold more than {@link #MAX_BODY} bytes of a response. */
  private static final class Bounded extends OutputStream {
    private final ByteArrayOutputStream out;

    Bounded(ByteArrayOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (out.size() + (long) len > MAX_BODY) {
        throw new IOException(
            "the upstream's answer is larger than an HTTP/2 stream may hold here (64 MiB)");
      }
      out.write(b, off, len);
    }
  }

  @Override
  public void close() {
    server.close(CloseMode.IMMEDIATE);
    workers.shutdownNow();
  }
}
