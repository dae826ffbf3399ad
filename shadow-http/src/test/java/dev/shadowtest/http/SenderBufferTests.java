package dev.shadowtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.testing.LoopbackServer;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The buffers HttpCore gives each HTTP/1.1 connection: larger than its default at the usual
 * concurrency (an answer of up to 64 KiB is handed over in one piece), bounded in total at high concurrency,
 * and answers of every size around them arrive whole.
 */
class SenderBufferTests {

  @Test
  void theBuffersShrinkAsConnectionsGrowAndStayWithinTheirBudget() {
    assertThat(Sender.http1BufferSize(1)).isEqualTo(64 << 10);
    assertThat(Sender.http1BufferSize(64)).isEqualTo(64 << 10);
    assertThat(Sender.http1BufferSize(85)).isEqualTo(64 << 10);
    assertThat(Sender.http1BufferSize(86)).isLessThan(64 << 10);
    assertThat(Sender.http1BufferSize(256)).isEqualTo(21 << 10);
    assertThat(Sender.http1BufferSize(606)).isEqualTo(9 << 10);
    assertThat(Sender.http1BufferSize(607)).isEqualTo(8 << 10);
    assertThat(Sender.http1BufferSize(10_000)).isEqualTo(8 << 10);
    int previous = Integer.MAX_VALUE;
    for (int c = 1; c <= 10_000; c++) {
      int size = Sender.http1BufferSize(c);
      assertThat(size).isBetween(8 << 10, 64 << 10).isLessThanOrEqualTo(previous);
      assertThat(size % 1024).isZero();
      if (size > 8 << 10) {
        // three buffers per connection, all connections to one target: at most 16 MiB
        assertThat(3L * c * size).isLessThanOrEqualTo(16L << 20);
      }
      previous = size;
    }
  }

  @Test
  void answersOfEverySizeAroundTheBuffersArriveWhole() throws Exception {
    byte[] all = new byte[200_000];
    new Random(19).nextBytes(all);
    try (LoopbackServer server =
            LoopbackServer.start(
                4,
                exchange -> {
                  String query = exchange.getRequestURI().getQuery();
                  int n = Integer.parseInt(query.substring(query.indexOf('=') + 1));
                  boolean chunked = query.startsWith("chunked");
                  exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                  exchange.sendResponseHeaders(200, chunked ? 0 : n == 0 ? -1 : n);
                  try (OutputStream out = exchange.getResponseBody()) {
                    out.write(all, 0, n);
                  }
                });
        Sender sender =
            new Sender(4, Duration.ofSeconds(5), Duration.ofSeconds(10), Headers.empty(), false)) {
      int[] sizes = {0, 1, 8191, 8192, 8193, 21503, 65535, 65536, 65537, 131072, 200_000};
      URI base = server.uri();
      List<CompletableFuture<Sender.Attempt>> sent = new ArrayList<>();
      List<Integer> expected = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (String framing : new String[] {"length", "chunked"}) {
          for (int n : sizes) {
            sent.add(sender.send(base, HttpRequest.of("GET", "/x?" + framing + "=" + n)));
            expected.add(n);
          }
        }
      }
      for (int i = 0; i < sent.size(); i++) {
        Sender.Attempt attempt = sent.get(i).get(30, TimeUnit.SECONDS);
        assertThat(attempt.error()).as("exchange %d", i).isNull();
        assertThat(attempt.response().status()).isEqualTo(200);
        Body body = attempt.response().body();
        int n = expected.get(i);
        byte[] got = body == null ? new byte[0] : body.bytes();
        assertThat(got).as("answer %d of %d bytes", i, n).hasSize(n);
        assertThat(Arrays.mismatch(got, 0, n, all, 0, n)).isEqualTo(-1);
      }
    }
  }
}
