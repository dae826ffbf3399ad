package dev.shadowtest.recorder.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * A WebSocket handshake forwarded to the upstream on a connection of its own; when the upstream
 * switches protocols (101), the client's connection and that one become a tunnel: bytes pass
 * untouched both ways until either side closes. The frames are read as they pass, for the
 * transcript ({@link WebSocketTranscript}). Any other answer to the handshake is passed back as
 * it is and the connection closed.
 */
final class WebSocketTunnel {

  /** The longest response head accepted from the upstream. */
  private static final int MAX_HEAD = 64 << 10;

  private WebSocketTunnel() {}

  /** True for a WebSocket handshake: a GET asking to upgrade its connection to {@code websocket}. */
  static boolean isHandshake(ClassicHttpRequest request) {
    return request.getMethod().equalsIgnoreCase("GET")
        && hasToken(request.getHeaders("Upgrade"), "websocket")
        && hasToken(request.getHeaders("Connection"), "upgrade");
  }

  private static boolean hasToken(Header[] headers, String token) {
    for (Header h : headers) {
      for (String t : h.getValue().split(",")) {
        if (t.strip().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The upstream's answer to the handshake: its head as sent, parsed. */
  record Answer(byte[] head, int status, String reason, List<Header> headers) {}

  /**
   * Opens the upstream connection and sends the handshake: {@code target} and {@code headers}
   * (end-to-end ones; {@code Connection: Upgrade} and the client's {@code Upgrade} are added).
   */
  static Socket connect(HttpHost upstream, SSLContext tls, int connectMillis, int readMillis)
      throws IOException {
    Socket plain = new Socket();
    try {
      plain.connect(
          new InetSocketAddress(upstream.getHostName(), upstream.getPort()), connectMillis);
      plain.setTcpNoDelay(true);
      plain.setKeepAlive(true);
      plain.setSoTimeout(readMillis);
      if (!"https".equalsIgnoreCase(upstream.getSchemeName())) {
        return plain;
      }
      SSLSocket s =
          (SSLSocket)
              tls.getSocketFactory()
                  .createSocket(plain, upstream.getHostName(), upstream.getPort(), true);
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      p.setApplicationProtocols(new String[] {"http/1.1"});
      s.setSSLParameters(p);
      s.startHandshake();
      return s;
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  /** Writes the request head. */
  static void sendHead(OutputStream out, String method, String target, List<Header> headers)
      throws IOException {
    StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    for (Header h : headers) {
      b.append(h.getName()).append(": ").append(h.getValue()).append("\r\n");
    }
    b.append("\r\n");
    out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads the response head (up to and including its empty line). */
  static Answer readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(512);
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the upstream closed before it answered the WebSocket handshake");
      }
      head.write(c);
      if (head.size() > MAX_HEAD) {
        throw new IOException("the upstream's answer to the WebSocket handshake is too long");
      }
      matched = c == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : c == '\r' ? 1 : 0;
    }
    byte[] bytes = head.toByteArray();
    String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
      throw new IOException("the upstream did not answer in HTTP/1.1: " + lines[0]);
    }
    int status;
    try {
      status = Integer.parseInt(statusLine[1]);
    } catch (NumberFormatException e) {
      throw new IOException("the upstream's status line is not HTTP: " + lines[0]);
    }
    List<Header> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.add(
            new BasicHeader(
                lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip()));
      }
    }
    return new Answer(bytes, status, statusLine.length > 2 ? statusLine[2] : "", headers);
  }

  /**
   * Copies {@code in} to {@code out} until {@code in} ends, each read passed on at once, and shows
   * it to {@code seen} after it was passed on. Then half-closes {@code out}'s socket.
   */
  static void pump(
      InputStream in, OutputStream out, Socket outSocket, BiConsumer<byte[], Integer> seen) {
    byte[] buf = new byte[16 * 1024];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
        seen.accept(buf, n);
      }
    } catch (IOException e) {
      // one side went away: the tunnel ends
    } finally {
      try {
        if (outSocket instanceof SSLSocket) {
          outSocket.close(); // TLS has no half-close: the close_notify ends it
        } else {
          outSocket.shutdownOutput();
        }
      } catch (IOException e) {
        // already closed
      }
    }
  }

  /**
   * The head of an answer that is not a 101, as the upstream sent it but for its connection
   * headers: the proxy closes the client's connection after it, and says so.
   */
  static byte[] closingHead(Answer answer) {
    String text = new String(answer.head(), StandardCharsets.ISO_8859_1);
    StringBuilder b = new StringBuilder(text.substring(0, text.indexOf("\r\n") + 2));
    for (Header h : answer.headers()) {
      if (!h.getName().equalsIgnoreCase("Connection")
          && !h.getName().equalsIgnoreCase("Keep-Alive")) {
        b.append(h.getName()).append(": ").append(h.getValue()).append("\r\n");
      }
    }
    b.append("Connection: close\r\n\r\n");
    return b.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Passes the body of an answer that is not a 101 to the client, as framed by the upstream: none
   * for 1xx, 204 and 304; its {@code Content-Length}; its chunks (trailers included); else up to
   * the end of the connection. Keeps its first {@code limit} bytes in {@code kept}.
   */
  static void passBody(
      InputStream raw, OutputStream out, Answer answer, int limit, ByteArrayOutputStream kept)
      throws IOException {
    int status = answer.status();
    if (status < 200 || status == 204 || status == 304) {
      return;
    }
    InputStream in = new BufferedInputStream(raw, 16 * 1024);
    String length = value(answer.headers(), "Content-Length");
    String coding = value(answer.headers(), "Transfer-Encoding");
    if (coding != null && coding.contains("chunked")) {
      while (true) {
        String sizeLine = copyLine(in, out);
        int semi = sizeLine.indexOf(';');
        long size;
        try {
          size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("the upstream's chunked body is malformed: " + sizeLine);
        }
        if (size == 0) {
          while (!copyLine(in, out).isEmpty()) {
            // trailers, up to the empty line
          }
          out.flush();
          return;
        }
        copy(in, out, size, limit, kept);
        copyLine(in, out); // the CRLF after the chunk
      }
    }
    long left = Long.MAX_VALUE;
    if (length != null) {
      try {
        left = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        throw new IOException("the upstream's Content-Length is not a number: " + length);
      }
    }
    copy(in, out, left, limit, kept);
    out.flush();
  }

  /** Copies up to {@code n} bytes (all, to the end, for {@code Long.MAX_VALUE}). */
  private static void copy(
      InputStream in, OutputStream out, long n, int limit, ByteArrayOutputStream kept)
      throws IOException {
    byte[] buf = new byte[16 * 1024];
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        if (n == Long.MAX_VALUE) {
          return; // read to the end: the end
        }
        throw new IOException("the upstream closed before the end of its answer");
      }
      out.write(buf, 0, r);
      if (n != Long.MAX_VALUE) {
        n -= r;
      }
      if (kept.size() < limit) {
        kept.write(buf, 0, Math.min(r, limit - kept.size()));
      }
    }
  }

  /** Copies one line (CRLF included) and returns it without its line break; at most 8 KiB. */
  private static String copyLine(InputStream in, OutputStream out) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      out.write(c);
      if (c == '\n') {
        int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? 1 : 0;
        return line.substring(0, line.length() - end);
      }
      if (line.length() > 8192) {
        throw new IOException("a line of the upstream's chunked body is too long");
      }
      line.append((char) c);
    }
    throw new IOException("the upstream closed inside its chunked body");
  }

  /** The lower-case value of a header in {@code headers}, or null. */
  static String value(List<Header> headers, String name) {
    for (Header h : headers) {
      if (h.getName().equalsIgnoreCase(name)) {
        return h.getValue().toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }
}
