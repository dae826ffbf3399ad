package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.ShadowListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.impl.HttpProcessors;
import org.apache.hc.core5.http.impl.io.DefaultClassicHttpResponseFactory;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.io.support.BasicHttpServerRequestHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A served connection's reads and writes: a request that arrives in pieces, pipelined requests, a
 * client that stops in the middle of a request (the read timeout ends it) and a large answer to a
 * client that reads late (the server's writes find the socket full), each followed by the
 * connection's next request. The connection is non-blocking throughout (SelectedChannel): its
 * waits end at their timeouts, and at once when the listener closes.
 */
@Timeout(60)
class ListenerReadsAndWritesTests {

  /** 4 MiB: far more than loopback's socket buffers hold, so the server's writes find them full. */
  private static final byte[] LARGE = new byte[4 << 20];

  static {
    new Random(42).nextBytes(LARGE);
  }

  private Listener listener;
  private final Counters counters = new Counters(ShadowListener.NONE);
  private final AtomicInteger largeAnswers = new AtomicInteger();

  /** Answers {@code /large} with {@link #LARGE}, anything else with the request body's echo. */
  private Listener listener(int readTimeoutMillis) throws IOException {
    HttpService service =
        new HttpService(
            HttpProcessors.server(),
            new BasicHttpServerRequestHandler(
                (request, context) ->
                    (req, response, ctx) -> {
                      if (req.getPath().equals("/large")) {
                        largeAnswers.incrementAndGet();
                        response.setEntity(
                            new ByteArrayEntity(LARGE, ContentType.APPLICATION_OCTET_STREAM));
                        return;
                      }
                      ClassicHttpRequest r = (ClassicHttpRequest) req;
                      String body =
                          r.getEntity() == null ? "" : EntityUtils.toString(r.getEntity());
                      response.setEntity(new StringEntity("echo:" + body));
                    },
                DefaultClassicHttpResponseFactory.INSTANCE),
            Http1Config.DEFAULT,
            DefaultConnectionReuseStrategy.INSTANCE,
            null);
    listener =
        new Listener(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            service,
            null,
            null,
            counters,
            readTimeoutMillis);
    listener.start();
    return listener;
  }

  @AfterEach
  void close() {
    if (listener != null) {
      listener.close();
    }
  }

  private static void send(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** One response: its head, then exactly Content-Length bytes of body. */
  private static byte[] response(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("the response's head, so far: %s", head).isNotNegative();
      head.append((char) b);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 200");
    int length = -1;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    assertThat(length).as("Content-Length in %s", head).isNotNegative();
    return in.readNBytes(length);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }

  @Test
  void aRequestThatArrivesInPiecesIsReadWholeAndTheNextOneToo() throws Exception {
    Listener l = listener(10_000);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), l.port())) {
      s.setSoTimeout(10_000);
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      for (int round = 0; round < 3; round++) {
        // each pause leaves the server's read with nothing: it waits, then reads on
        send(out, "POST /echo HTTP/1.1\r\nHo");
        Thread.sleep(30);
        send(out, "st: x\r\nContent-Length: 10\r\n\r\nhello");
        Thread.sleep(30);
        send(out, "-" + round + "abc");
        assertThat(text(response(s.getInputStream()))).isEqualTo("echo:hello-" + round + "abc");
      }
      // two requests in one write (pipelined): both answered, in order, without waiting
      send(
          out,
          "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nA"
              + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nB");
      assertThat(text(response(s.getInputStream()))).isEqualTo("echo:A");
      assertThat(text(response(s.getInputStream()))).isEqualTo("echo:B");
    }
  }

  /**
   * A connection that was answered once and then sent the start of a request and nothing more:
   * the server's read waits for the rest.
   */
  private static Socket stoppedMidRequest(Listener l) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), l.port());
    s.setSoTimeout(20_000);
    OutputStream out = s.getOutputStream();
    send(out, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(text(response(s.getInputStream()))).isEqualTo("echo:");
    send(out, "GET /echo HTTP/1.1\r\nHo");
    return s;
  }

  @Test
  void aClientThatStopsInTheMiddleOfItsRequestIsClosedAtTheReadTimeout() throws Exception {
    Listener l = listener(300);
    long t0 = System.nanoTime();
    try (Socket s = stoppedMidRequest(l)) {
      assertThat(ListenerTests.closedByServer(s)).isTrue();
      // the server's read gives up at its timeout (300 ms) and closes, long before the client's
      // own 20 s: a read that waited forever would fail here, and so would a socket whose
      // descriptor stayed on the connection thread's selector until the idle thread ends (10 s)
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    }
  }

  @Test
  void aLargeAnswerToAClientThatReadsLateArrivesWholeAndTheConnectionGoesOn() throws Exception {
    Listener l = listener(10_000);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), l.port())) {
      s.setSoTimeout(10_000);
      s.setReceiveBufferSize(16 * 1024);
      OutputStream out = s.getOutputStream();
      for (int round = 0; round < 2; round++) {
        send(out, "GET /large HTTP/1.1\r\nHost: x\r\n\r\n");
        Thread.sleep(300); // the server fills both socket buffers, then its write must wait
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        // read slowly at first, in small pieces: the server's write waits again and again
        byte[] piece = new byte[4096];
        StringBuilder h = new StringBuilder();
        while (!h.toString().endsWith("\r\n\r\n")) {
          h.append((char) in.read());
        }
        assertThat(h.toString()).startsWith("HTTP/1.1 200").contains("Content-Length: 4194304");
        int n;
        int pieces = 0;
        while (got.size() < LARGE.length && (n = in.read(piece)) > 0) {
          got.write(piece, 0, n);
          if (++pieces % 64 == 0 && pieces < 512) {
            Thread.sleep(5);
          }
        }
        assertThat(got.toByteArray()).isEqualTo(LARGE);
      }
      send(out, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok");
      assertThat(text(response(s.getInputStream()))).isEqualTo("echo:ok");
    }
  }

  @Test
  void closingTheListenerEndsAReadThatIsWaitingAtOnce() throws Exception {
    Listener l = listener(30_000);
    try (Socket s = stoppedMidRequest(l)) {
      Thread.sleep(200); // the server's read waits (for 30 s)
      long t0 = System.nanoTime();
      l.close();
      assertThat(ListenerTests.closedByServer(s)).isTrue();
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
      waitFor(() -> counters.connections.get() == 0, 5_000);
    }
  }

  @Test
  void aClientThatReadsNothingOfALargeAnswerIsClosedAfterTheTimeoutWithoutProgress()
      throws Exception {
    Listener l = listener(500);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), l.port())) {
      s.setReceiveBufferSize(16 * 1024);
      send(s.getOutputStream(), "GET /large HTTP/1.1\r\nHost: x\r\n\r\n");
      waitFor(() -> largeAnswers.get() == 1, 5_000); // so the connection was open
      // it never reads: the server's write finds the socket full, waits 500 ms, and gives up
      waitFor(() -> counters.connections.get() == 0, 10_000);
    }
  }

  private static void waitFor(BooleanSupplier condition, long millis) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited %d ms", millis).isLessThan(end);
      Thread.sleep(10);
    }
  }
}
