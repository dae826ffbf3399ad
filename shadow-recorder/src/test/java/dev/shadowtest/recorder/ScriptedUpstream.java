package dev.shadowtest.recorder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An upstream on 127.0.0.1 that serves one connection with a script: it reads the request head
 * (kept in {@link #head}), writes {@code answer} as it is, then either closes at once (an upstream
 * that breaks off) or keeps the connection until the proxy closes it (at most 2 s).
 */
final class ScriptedUpstream implements AutoCloseable {

  /** The request head's lines as the upstream received them, the request line first. */
  final List<String> head = Collections.synchronizedList(new ArrayList<>());

  private final ServerSocket socket;
  private final Thread thread;

  private ScriptedUpstream(byte[] answer, boolean closeAtOnce) throws IOException {
    socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    thread =
        new Thread(
            () -> {
              try (Socket s = socket.accept()) {
                var in =
                    new BufferedReader(
                        new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                String line;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                  head.add(line);
                }
                s.getOutputStream().write(answer);
                s.getOutputStream().flush();
                if (!closeAtOnce) {
                  s.setSoTimeout(2000);
                  s.getInputStream().read();
                }
              } catch (IOException e) {
                // the test ends
              }
            },
            "scripted-upstream");
    thread.start();
  }

  /** Answers {@code answer} (ISO-8859-1) and closes the connection at once. */
  static ScriptedUpstream thenClose(String answer) throws IOException {
    return new ScriptedUpstream(answer.getBytes(StandardCharsets.ISO_8859_1), true);
  }

  /** Answers {@code answer} and keeps the connection until the proxy closes it. */
  static ScriptedUpstream thenWait(byte[] answer) throws IOException {
    return new ScriptedUpstream(answer, false);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort());
  }

  @Override
  public void close() throws IOException, InterruptedException {
    socket.close();
    thread.join(3000);
  }
}
