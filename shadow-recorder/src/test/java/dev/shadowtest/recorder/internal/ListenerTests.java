package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.ShadowListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.impl.HttpProcessors;
import org.apache.hc.core5.http.impl.io.DefaultClassicHttpResponseFactory;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.io.support.BasicHttpServerRequestHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The listener's parking: idle connections time out, a close ends parked ones too. */
@Timeout(60)
class ListenerTests {

  static Listener listener(Counters counters, int readTimeoutMillis) throws IOException {
    HttpService service =
        new HttpService(
            HttpProcessors.server(),
            new BasicHttpServerRequestHandler(
                (request, context) ->
                    (req, response, ctx) -> response.setEntity(new StringEntity("ok")),
                DefaultClassicHttpResponseFactory.INSTANCE),
            Http1Config.DEFAULT,
            DefaultConnectionReuseStrategy.INSTANCE,
            null);
    Listener l =
        new Listener(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            service,
            null,
            null,
            counters,
            readTimeoutMillis);
    l.start();
    return l;
  }

  static void get(Socket s) throws IOException {
    s.getOutputStream()
        .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] answer = new byte[4096];
    int n = s.getInputStream().read(answer);
    assertThat(new String(answer, 0, n, StandardCharsets.US_ASCII))
        .startsWith("HTTP/1.1 200")
        .endsWith("ok");
  }

  /** True when the server closed the connection: the read sees its end (or a reset). */
  static boolean closedByServer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      return in.read() < 0;
    } catch (SocketException e) {
      return true; // reset
    }
  }

  @Test
  void aParkedConnectionIdleLongerThanTheReadTimeoutIsClosed() throws Exception {
    Counters counters = new Counters(ShadowListener.NONE);
    Listener l = listener(counters, 300);
    try (Socket served = new Socket(InetAddress.getLoopbackAddress(), l.port());
        Socket silent = new Socket(InetAddress.getLoopbackAddress(), l.port())) {
      served.setSoTimeout(10_000);
      silent.setSoTimeout(10_000);
      get(served);
      // both idle: one after its answer, one that never said anything; the sweep closes both
      assertThat(closedByServer(served)).isTrue();
      assertThat(closedByServer(silent)).isTrue();
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (counters.connections.get() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(counters.connections.get()).isZero();
      assertThat(counters.idleConnections.get()).isZero();
    } finally {
      l.close();
    }
  }

  @Test
  void closeEndsParkedConnectionsAndStopsAccepting() throws Exception {
    Counters counters = new Counters(ShadowListener.NONE);
    Listener l = listener(counters, 60_000);
    int port = l.port();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      get(s);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (counters.idleConnections.get() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(counters.idleConnections.get()).isEqualTo(1);
      l.close();
      assertThat(closedByServer(s)).isTrue();
      assertThat(counters.connections.get()).isZero();
    }
    // no longer accepting: refused (or, should another process have taken the freed port in the
    // meantime, accepted by someone else: this listener counts no connection)
    try (Socket again = new Socket(InetAddress.getLoopbackAddress(), port)) {
      Thread.sleep(200);
      assertThat(counters.connections.get()).isZero();
    } catch (IOException e) {
      assertThat(e).hasMessageContaining("refused");
    }
  }
}
