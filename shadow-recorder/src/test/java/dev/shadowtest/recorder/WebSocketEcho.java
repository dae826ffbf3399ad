package dev.shadowtest.recorder;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * A WebSocket echo server for the tests (RFC 6455, written here from the RFC: no library): every
 * frame comes back as it came (same FIN bit, opcode and payload, unmasked), so fragmented messages
 * stay fragmented; a close is answered with a close. {@code /refuse} answers 403.
 */
final class WebSocketEcho implements AutoCloseable {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

  WebSocketEcho() throws IOException {
    Thread t = new Thread(this::accept, "websocket-echo");
    t.setDaemon(true);
    t.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "websocket-echo-connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      String head = readHead(in);
      String key = null;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
          key = line.substring(line.indexOf(':') + 1).strip();
        }
      }
      if (head.startsWith("GET /refuse") || key == null) {
        out.write(
            "HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\nContent-Type: text/plain\r\n\r\nrefused"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return;
      }
      String accept =
          Base64.getEncoder()
              .encodeToString(
                  MessageDigest.getInstance("SHA-1")
                      .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
      out.write(
          ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Accept: "
                  + accept
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      DataInputStream frames = new DataInputStream(in);
      while (true) {
        int b0 = frames.readUnsignedByte();
        int b1 = frames.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
          length = frames.readUnsignedShort();
        } else if (length == 127) {
          length = frames.readLong();
        }
        byte[] mask = new byte[4];
        if ((b1 & 0x80) != 0) {
          frames.readFully(mask);
        }
        byte[] payload = new byte[(int) length];
        frames.readFully(payload);
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i & 3];
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(b0);
        if (length < 126) {
          frame.write((int) length);
        } else if (length < 65536) {
          frame.write(126);
          frame.write((int) (length >> 8));
          frame.write((int) length);
        } else {
          frame.write(127);
          for (int k = 7; k >= 0; k--) {
            frame.write((int) (length >> (8 * k)));
          }
        }
        frame.write(payload);
        out.write(frame.toByteArray());
        out.flush();
        if ((b0 & 0x0f) == 0x8) {
          return; // the close, answered
        }
      }
    } catch (IOException | NoSuchAlgorithmException e) {
      // the connection ended
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed during the handshake");
      }
      head.write(c);
      matched = c == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : c == '\r' ? 1 : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
