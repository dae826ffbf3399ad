package dev.shadowtest.recorder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The idle clients of {@link RecorderIdleConnectionsTests}, in a process of their own: {@code N
 * PORT}. Opens N keep-alive connections to the proxy, one GET answered on each, and says {@code
 * ready N}; on the line {@code again} from its standard input, asks once more on every connection
 * and says {@code answered K}, then exits.
 */
public final class IdleClients {

  private IdleClients() {}

  public static void main(String[] args) throws IOException {
    int n = Integer.parseInt(args[0]);
    int port = Integer.parseInt(args[1]);
    List<Socket> sockets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
      s.setSoTimeout(60_000);
      sockets.add(s);
      RecorderIdleConnectionsTests.exchange(s, "/echo?idle=" + i);
    }
    System.out.println("ready " + sockets.size());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (!"again".equals(in.readLine())) {
      return;
    }
    int answered = 0;
    for (int i = 0; i < n; i++) {
      try {
        if (RecorderIdleConnectionsTests.exchange(sockets.get(i), "/echo?again=" + i)
            .contains("again=" + i)) {
          answered++;
        }
      } catch (IOException e) {
        // not answered: counted by its absence
      }
    }
    System.out.println("answered " + answered);
    System.out.flush();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
