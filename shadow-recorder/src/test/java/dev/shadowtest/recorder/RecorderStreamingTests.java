package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Exchange;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Server-sent events and long polls stream through the proxy as they come, never held back. */
class RecorderStreamingTests {

  @TempDir Path dir;

  /**
   * An upstream that sends one event, then waits until the test has seen it through the proxy
   * before it sends the second and ends: a proxy that holds bytes back until the end never lets
   * the test see the first event.
   */
  private static final class EventSource implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    final CountDownLatch firstSeen = new CountDownLatch(1);
    final Thread thread = new Thread(this::serve, "event-source");

    EventSource() throws IOException {
      thread.setDaemon(true);
      thread.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private void serve() {
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        BufferedReader head =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        String line;
        while ((line = head.readLine()) != null && !line.isEmpty()) {
          // the request head
        }
        OutputStream out = s.getOutputStream();
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        chunk(out, "id: 1\ndata: first\n\n");
        out.flush();
        if (!firstSeen.await(5, TimeUnit.SECONDS)) {
          return; // the first event never got through in time: the stream breaks off
        }
        chunk(out, "id: 2\ndata: second\n\n");
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException | InterruptedException e) {
        // the test failed or ended
      }
    }

    private static void chunk(OutputStream out, String data) throws IOException {
      byte[] b = data.getBytes(StandardCharsets.UTF_8);
      out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void close() throws IOException {
      firstSeen.countDown();
      server.close();
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void serverSentEventsReachTheClientAsTheUpstreamSendsThem(boolean recorded) throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (EventSource up = new EventSource();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), up.uri(), out)
                    .withFilters(
                        1.0, Set.of(), null, recorded ? null : Pattern.compile("^/events")))) {
      HttpResponse<InputStream> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(r.url().resolve("/events"))
                      .timeout(Duration.ofSeconds(20))
                      .build(),
                  HttpResponse.BodyHandlers.ofInputStream());
      assertThat(answer.headers().firstValue("Content-Type")).hasValue("text/event-stream");
      try (BufferedReader events =
          new BufferedReader(new InputStreamReader(answer.body(), StandardCharsets.UTF_8))) {
        assertThat(events.readLine()).isEqualTo("id: 1");
        assertThat(events.readLine()).isEqualTo("data: first");
        up.firstSeen.countDown(); // only now does the upstream send the rest
        assertThat(events.readLine()).isEmpty();
        assertThat(events.readLine()).isEqualTo("id: 2");
        assertThat(events.readLine()).isEqualTo("data: second");
      }
      r.stop(Duration.ofSeconds(5));
      List<Exchange> recordedExchanges = RecorderTests.read(out);
      if (recorded) {
        assertThat(recordedExchanges).hasSize(1);
        assertThat(new String(recordedExchanges.get(0).response().body().bytes()))
            .isEqualTo("id: 1\ndata: first\n\nid: 2\ndata: second\n\n");
      } else {
        assertThat(recordedExchanges).isEmpty();
      }
    }
  }
}
