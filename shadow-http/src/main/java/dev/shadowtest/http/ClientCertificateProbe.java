package dev.shadowtest.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Tells whether a server that asked for a client certificate requires the one it got (or its
 * absence refused), when a connection closed after the handshake says nothing: TLS 1.3 refuses a
 * client certificate after the client's side of the handshake, often without an alert the client
 * sees, and a server that only wants one (nginx's {@code ssl_verify_client optional}) asks alike.
 *
 * <p>One test connection with the same TLS settings, on which nothing is sent: a server that
 * refuses what it got breaks it off (an alert, a close, a reset) at once; one that accepts it waits
 * for a request.
 */
final class ClientCertificateProbe {

  private ClientCertificateProbe() {}

  /** What the test connection found. */
  enum Requirement {
    /** The server broke off a connection without a request: it refuses what it was given. */
    REQUIRED,
    /** The server kept the connection open, waiting for a request: what it was given will do. */
    NOT_REQUIRED,
    /** No answer either way (the connection or its handshake failed otherwise). */
    UNKNOWN
  }

  /**
   * Connects to {@code host:port} with {@code context}, and waits at most {@code wait} after the
   * handshake for the server to break the connection off.
   */
  static Requirement probe(
      SSLContext context, String host, int port, Duration connectTimeout, Duration wait) {
    boolean handshaken = false;
    try (Socket tcp = new Socket()) {
      tcp.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
      tcp.setSoTimeout((int) Math.max(1, wait.toMillis()));
      try (SSLSocket tls =
          (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, false)) {
        tls.startHandshake();
        handshaken = true;
        // nothing is sent: a server that keeps the connection waits for a request
        return tls.getInputStream().read() < 0 ? Requirement.REQUIRED : Requirement.UNKNOWN;
      }
    } catch (SocketTimeoutException e) {
      return handshaken ? Requirement.NOT_REQUIRED : Requirement.UNKNOWN;
    } catch (SSLException e) {
      return Requirement.REQUIRED; // an alert: the handshake reached the server and it refused
    } catch (IOException e) {
      return handshaken ? Requirement.REQUIRED : Requirement.UNKNOWN;
    }
  }
}
