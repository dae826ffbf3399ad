package dev.shadowtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A target that closes each keep-alive connection after one answer, without saying so (as a
 * server closing idle connections does, at the moment a client reuses one): the request that went
 * out on the closed connection is sent again on a new one when that is safe (an idempotent method,
 * or a request never written), and a POST that may have reached the target is never sent twice.
 */
class SenderRetryTests {

  /**
   * Answers one request per connection, then closes it; counts the requests seen per target. With
   * {@code readsSecond}, it first reads (and counts) the connection's second request, then closes
   * without answering it: a request that reached the target, whose answer never came.
   */
  static final class OneAnswerServer implements AutoCloseable {
    final ServerSocket socket;
    final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    final Thread acceptor;
    final boolean readsSecond;

    OneAnswerServer(boolean readsSecond) throws IOException {
      this.readsSecond = readsSecond;
      socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
      acceptor =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    Socket c = socket.accept();
                    Thread t = new Thread(() -> answerOnce(c));
                    t.setDaemon(true);
                    t.start();
                  } catch (IOException e) {
                    return; // closed
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** Reads one request and counts it; false when the connection closed before one came. */
    private boolean read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return false; // closed before a request: a connection the client never used
        }
        head.write(b);
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      int length = 0;
      for (String line : text.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).strip());
        }
      }
      in.readNBytes(length);
      String target = text.substring(0, text.indexOf("\r\n"));
      seen.computeIfAbsent(target, k -> new AtomicInteger()).incrementAndGet();
      return true;
    }

    private void answerOnce(Socket c) {
      try (c) {
        InputStream in = c.getInputStream();
        if (!read(in)) {
          return;
        }
        byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        OutputStream out = c.getOutputStream();
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        if (readsSecond) {
          read(in); // then closed, unanswered
        }
      } catch (IOException e) {
        // the client went away: nothing to answer
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /**
   * {@code count} requests of {@code method}, each sent from the completion of the one before (on
   * the client's I/O thread, as a replay relays its slots): the next request takes the connection
   * the last answer came on, as the target closes it.
   */
  static List<Sender.Attempt> chain(Sender sender, URI base, String method, int count)
      throws Exception {
    List<Sender.Attempt> attempts = new ArrayList<>();
    CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
    for (int i = 0; i < count; i++) {
      String target = "/item/" + i;
      HttpRequest request =
          method.equals("GET")
              ? HttpRequest.of("GET", target)
              : new HttpRequest(
                  method, target, "HTTP/1.1", Headers.empty(), Body.text("{\"n\":" + i + "}"));
      all =
          all.thenCompose(v -> sender.send(base, request))
              .thenAccept(
                  a -> {
                    synchronized (attempts) {
                      attempts.add(a);
                    }
                  });
    }
    all.get(60, TimeUnit.SECONDS);
    return attempts;
  }

  /** A sender of up to 4 requests in flight, 5 s to connect and 5 s to answer. */
  static Sender sender() {
    return new Sender(4, Duration.ofSeconds(5), Duration.ofSeconds(5), Headers.empty(), false);
  }

  @Test
  void anIdempotentRequestOnAConnectionTheTargetClosedIsSentAgain() throws Exception {
    try (OneAnswerServer server = new OneAnswerServer(false);
        Sender sender = sender()) {
      List<Sender.Attempt> attempts = chain(sender, server.uri(), "GET", 300);
      assertThat(attempts).hasSize(300);
      assertThat(attempts)
          .as("every GET answered, none lost to a connection closed under it")
          .allSatisfy(a -> assertThat(a.error()).isNull());
      assertThat(server.seen).hasSize(300);
    }
  }

  @Test
  void aPostThatMayHaveReachedTheTargetIsNeverSentTwice() throws Exception {
    try (OneAnswerServer server = new OneAnswerServer(true);
        Sender sender = sender()) {
      List<Sender.Attempt> attempts = chain(sender, server.uri(), "POST", 300);
      assertThat(attempts).hasSize(300);
      assertThat(server.seen.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
      long failed = attempts.stream().filter(a -> !a.ok()).count();
      assertThat(failed).as("POSTs read by the target and left unanswered").isPositive();
      for (Sender.Attempt a : attempts) {
        if (!a.ok()) {
          assertThat(a.error()).startsWith("reset: "); // told as it was, not hidden
        }
      }
    }
  }

  @Test
  void aGetReadByTheTargetAndLeftUnansweredIsSentAgain_itsIdempotent() throws Exception {
    try (OneAnswerServer server = new OneAnswerServer(true);
        Sender sender = sender()) {
      List<Sender.Attempt> attempts = chain(sender, server.uri(), "GET", 300);
      assertThat(attempts).allSatisfy(a -> assertThat(a.error()).isNull());
    }
  }
}
