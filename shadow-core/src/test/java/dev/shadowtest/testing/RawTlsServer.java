package dev.shadowtest.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on 127.0.0.1 of bare sockets, for what the JDK's HTTPS server cannot be made to do:
 * ALPN that refuses {@code h2}, a client certificate wanted but not required, a connection reset
 * (not closed) by the application after the handshake. Each connection is handshaken on its own
 * daemon thread, then handed to a {@link Conversation}.
 *
 * <pre>{@code
 * try (RawTlsServer s = RawTlsServer.start(context, p -> p.setWantClientAuth(true),
 *     (tls, tcp) -> { RawTlsServer.readHead(tls); RawTlsServer.reset(tcp); })) {
 *   // send to s.uri()
 * }
 * }</pre>
 */
public final class RawTlsServer implements AutoCloseable {

  /** What the server does with one connection once its handshake is done. */
  public interface Conversation {
    void have(SSLSocket tls, Socket tcp) throws IOException;
  }

  private final ServerSocket listener;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger handshaken = new AtomicInteger();

  private RawTlsServer(
      SSLContext tls, Consumer<SSLParameters> parameters, Conversation conversation)
      throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!listener.isClosed()) {
                Socket tcp;
                try {
                  tcp = listener.accept();
                } catch (IOException e) {
                  return; // closed
                }
                accepted.incrementAndGet();
                Thread t = new Thread(() -> serve(tls, parameters, conversation, tcp), "raw-tls");
                t.setDaemon(true);
                t.start();
              }
            },
            "raw-tls-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a server of {@code tls} with the parameters {@code parameters} sets. */
  public static RawTlsServer start(
      SSLContext tls, Consumer<SSLParameters> parameters, Conversation conversation) {
    try {
      return new RawTlsServer(tls, parameters, conversation);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
    }
  }

  /**
   * A server like nginx with {@code ssl_verify_client optional}: it asks for a client certificate,
   * takes the connection without one, and its application resets every request.
   */
  public static RawTlsServer wantingACertificateAndResetting(SSLContext tls) {
    return start(
        tls,
        p -> p.setWantClientAuth(true),
        (socket, tcp) -> {
          readHead(socket);
          reset(tcp);
        });
  }

  private void serve(
      SSLContext tls, Consumer<SSLParameters> parameters, Conversation conversation, Socket tcp) {
    try (tcp) {
      SSLSocket socket =
          (SSLSocket) tls.getSocketFactory().createSocket(tcp, null, tcp.getPort(), false);
      socket.setUseClientMode(false);
      SSLParameters p = socket.getSSLParameters();
      parameters.accept(p);
      socket.setSSLParameters(p);
      socket.startHandshake();
      handshaken.incrementAndGet();
      conversation.have(socket, tcp);
    } catch (IOException e) {
      // the client went away, or the handshake failed: the client sees it
    }
  }

  /** The head of the next HTTP/1.1 request on {@code tls} (up to the blank line), or null at end. */
  public static String readHead(SSLSocket tls) throws IOException {
    InputStream in = tls.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    for (int b = in.read(); b >= 0; b = in.read()) {
      head.write(b);
      matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : b == '\r' ? 1 : 0;
      if (matched == 4) {
        return head.toString(StandardCharsets.US_ASCII);
      }
    }
    return null;
  }

  /** Answers 200 with a JSON body and closes. */
  public static void answer(SSLSocket tls, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    OutputStream out = tls.getOutputStream();
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  /** Resets the connection: an RST, no TLS close_notify. */
  public static void reset(Socket tcp) throws IOException {
    tcp.setSoLinger(true, 0);
    tcp.close();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Connections whose handshake succeeded so far. */
  public int handshaken() {
    return handshaken.get();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** {@code https://127.0.0.1:PORT}. */
  public URI uri() {
    return URI.create("https://127.0.0.1:" + port());
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // closed already
    }
  }
}
