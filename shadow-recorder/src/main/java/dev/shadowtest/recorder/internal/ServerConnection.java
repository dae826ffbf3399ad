package dev.shadowtest.recorder.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpServerConnection;
import org.apache.hc.core5.http.impl.io.SocketHolder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * A client connection of the proxy. It tells its connection thread's handler which connection it
 * is serving ({@link #current()}: a WebSocket handshake takes the socket over as a tunnel).
 *
 * <p>With TLS, the listener thread only accepts; on the connection's own thread, before its first
 * request, the first byte tells a TLS handshake (a record of type 22) from plain HTTP: TLS is
 * handshaken (modern protocols and suites only) and the connection goes on over it; a plain HTTP
 * request gets {@code 400} saying that this port speaks HTTPS, and the connection is closed
 * (nginx answers the same mistake the same way).
 */
public final class ServerConnection extends DefaultBHttpServerConnection {

  /** The TLS record type of a handshake: every TLS connection starts with it. */
  private static final int HANDSHAKE = 0x16;

  /** How long a new connection may take to say its first byte and finish the handshake. */
  static final int HANDSHAKE_MILLIS = 30_000;

  private static final ThreadLocal<ServerConnection> CURRENT = new ThreadLocal<>();

  /** What an HTTP/2 connection with prior knowledge (h2c) sends first (RFC 9113 3.4). */
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final SSLContext context;
  private final H2Bridge h2;
  private final Counters counters;
  private final SelectedChannel io; // a plain connection read and written without blocking
  private volatile Socket raw; // until the first bytes are read (TLS, HTTP/2): then it is bound

  /**
   * The HTTP/1 settings of both sides of the proxy: HttpCore's defaults but 8 KiB buffers, as
   * nginx's. HttpCore 5.4 gives each connection three 32 KiB buffers: 192 KiB of heap per client
   * (its connection and its upstream one), 49 MiB at 256 connections, which the young collections
   * then copied (pauses of 50-75 ms when a load of 256 connections began). Headers and bodies of
   * any size still pass: a buffer bounds one read, not a message.
   */
  public static final Http1Config HTTP1 = Http1Config.custom().setBufferSize(8 * 1024).build();

  private ServerConnection(
      Socket raw, SelectedChannel io, SSLContext context, H2Bridge h2, Counters counters) {
    super(context == null ? "http" : "https", HTTP1);
    this.raw = raw;
    this.io = io;
    this.context = context;
    this.h2 = h2;
    this.counters = counters;
  }

  /**
   * A connection the listener accepted: plain HTTP without {@code tls}, else HTTPS handshaken on
   * its thread before its first request; with {@code h2}, HTTP/2 clients (ALPN {@code h2}, or h2c
   * with prior knowledge) are bridged to it. With {@code io} (plain HTTP/1 only), it is read and
   * written through that non-blocking channel; else through the socket's blocking streams.
   */
  static ServerConnection accepted(
      Socket socket, SelectedChannel io, SSLContext tls, H2Bridge h2, Counters counters)
      throws IOException {
    boolean deferred = tls != null || h2 != null;
    if (deferred && io != null) {
      throw new IllegalArgumentException("TLS and HTTP/2 detection read the socket's streams");
    }
    ServerConnection c = new ServerConnection(deferred ? socket : null, io, tls, h2, counters);
    if (io != null) {
      c.bind(io.holder());
    } else if (!deferred) {
      c.bind(socket);
    }
    return c;
  }

  /**
   * What a parked connection keeps (its socket, and with TLS its session), or null when it cannot
   * be parked: not yet past its first bytes, or with bytes already read and not yet used. Call
   * only when HttpCore's own buffer is empty.
   */
  Resumable parkable() throws IOException {
    if (raw != null) {
      return null;
    }
    SocketHolder holder = getSocketHolder();
    if (holder == null) {
      return null;
    }
    SSLSocket tls = holder.getSSLSocket();
    if (tls != null && tls.getInputStream().available() > 0) {
      return null;
    }
    CURRENT.remove(); // this thread no longer serves it
    return new Resumable(holder.getBaseSocket(), tls, io, context, h2, counters);
  }

  /** A parked connection: a new {@link ServerConnection} goes on where the last one stopped. */
  record Resumable(
      Socket socket,
      SSLSocket tls,
      SelectedChannel io,
      SSLContext context,
      H2Bridge h2,
      Counters counters) {
    ServerConnection resume() throws IOException {
      ServerConnection c = new ServerConnection(null, io, context, h2, counters);
      if (tls != null) {
        c.bind(tls, socket);
      } else if (io != null) {
        c.bind(io.holder());
      } else {
        c.bind(socket);
      }
      return c;
    }
  }

  /** The connection whose request this thread is handling, or null. */
  static ServerConnection current() {
    return CURRENT.get();
  }

  /**
   * The connection's socket (TLS or plain) in blocking mode: a tunnel reads and writes its streams
   * directly. Call on the thread that serves the connection.
   */
  Socket socket() throws IOException {
    if (io != null) {
      io.blocking();
    }
    return getSocketHolder().getSocket();
  }

  @Override
  public ClassicHttpRequest receiveRequestHeader() throws HttpException, IOException {
    Socket s = raw;
    if (s != null && !handshake(s)) {
      return null; // closed: the worker ends
    }
    CURRENT.set(this);
    return super.receiveRequestHeader();
  }

  /** True when TLS is up; false when the connection was answered and closed. */
  private boolean handshake(Socket s) throws IOException {
    int timeout = s.getSoTimeout();
    s.setSoTimeout(HANDSHAKE_MILLIS);
    InputStream in = s.getInputStream();
    int first = in.read();
    if (first < 0) {
      s.close();
      return false;
    }
    if (context == null) {
      return plain(s, in, first, timeout);
    }
    if (first != HANDSHAKE) {
      refusePlainHttp(s);
      return false;
    }
    SSLSocket tls =
        (SSLSocket)
            context
                .getSocketFactory()
                .createSocket(s, new ByteArrayInputStream(new byte[] {(byte) first}), true);
    SSLParameters p = tls.getSSLParameters();
    TlsFiles.modern(p, tls.getSupportedCipherSuites(), h2 != null);
    tls.setSSLParameters(p);
    tls.setUseClientMode(false);
    try {
      tls.startHandshake();
    } catch (IOException e) {
      tls.close(); // a client that does not trust us, or speaks no modern TLS: it sees why
      throw e;
    }
    tls.setSoTimeout(timeout);
    raw = null;
    if (h2 != null && "h2".equals(tls.getApplicationProtocol())) {
      h2.bridge(tls, tls.getInputStream(), new byte[0]);
      return false; // the bridge served the connection until it closed
    }
    bind(tls, s);
    return true;
  }

  /**
   * A plain connection: the HTTP/2 preface (h2c with prior knowledge) is bridged; anything else is
   * HTTP/1.1, read from its first byte on.
   */
  private boolean plain(Socket s, InputStream in, int first, int timeout) throws IOException {
    byte[] seen = new byte[PREFACE.length];
    int n = 0;
    int b = first;
    while (b >= 0 && b == (PREFACE[n] & 0xff)) {
      seen[n++] = (byte) b;
      if (n == PREFACE.length) {
        raw = null;
        h2.bridge(s, in, PREFACE);
        return false;
      }
      b = in.read();
    }
    if (b >= 0) {
      seen[n++] = (byte) b;
    }
    byte[] prefix = Arrays.copyOf(seen, n);
    s.setSoTimeout(timeout);
    raw = null;
    bind(
        new SocketHolder(s) {
          @Override
          protected InputStream getInputStream(Socket socket) throws IOException {
            return new SequenceInputStream(
                new ByteArrayInputStream(prefix), socket.getInputStream());
          }
        });
    return true;
  }

  private void refusePlainHttp(Socket s) throws IOException {
    counters.refused.increment();
    byte[] body =
        ("Bad Request: this port speaks HTTPS (TLS); a plain HTTP request was sent to it."
                + " Use https:// to reach it.\n")
            .getBytes(StandardCharsets.US_ASCII);
    String head =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    try {
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      s.shutdownOutput();
      // read what the client still sends (its request), briefly: closing with unread input would
      // reset the connection and the client might never see the answer
      s.setSoTimeout(200);
      byte[] drain = new byte[4096];
      int total = 0;
      int n;
      while (total < 65_536 && (n = s.getInputStream().read(drain)) >= 0) {
        total += n;
      }
    } catch (IOException e) {
      // the client went away: nothing more to say
    } finally {
      s.close();
    }
  }

  @Override
  public boolean isOpen() {
    Socket s = raw;
    return s != null ? !s.isClosed() : super.isOpen();
  }

  @Override
  public void close() throws IOException {
    CURRENT.remove();
    Socket s = raw;
    if (s != null) {
      s.close();
    } else {
      super.close();
    }
  }

  @Override
  public void close(CloseMode mode) {
    CURRENT.remove();
    Socket s = raw;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    } else {
      super.close(mode);
    }
  }

  @Override
  public SocketAddress getRemoteAddress() {
    Socket s = raw;
    return s != null ? s.getRemoteSocketAddress() : super.getRemoteAddress();
  }

  @Override
  public SocketAddress getLocalAddress() {
    Socket s = raw;
    return s != null ? s.getLocalSocketAddress() : super.getLocalAddress();
  }

  @Override
  public EndpointDetails getEndpointDetails() {
    return raw != null ? null : super.getEndpointDetails();
  }

  @Override
  public void setSocketTimeout(Timeout timeout) {
    Socket s = raw;
    if (s != null) {
      try {
        s.setSoTimeout(timeout.toMillisecondsIntBound());
      } catch (IOException e) {
        // a closed socket: the next read says so
      }
    } else {
      super.setSocketTimeout(timeout);
    }
  }

  @Override
  public Timeout getSocketTimeout() {
    Socket s = raw;
    if (s != null) {
      try {
        return Timeout.ofMilliseconds(s.getSoTimeout());
      } catch (IOException e) {
        return Timeout.DISABLED;
      }
    }
    return super.getSocketTimeout();
  }
}
