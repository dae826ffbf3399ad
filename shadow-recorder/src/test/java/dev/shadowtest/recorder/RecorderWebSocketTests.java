package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.Exchange;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** WebSocket connections pass through the proxy untouched, and are recorded. */
class RecorderWebSocketTests {

  @TempDir Path dir;

  private static final int MESSAGES = 1000;

  /** What the client sends: text, binary, and text in three fragments, in turn. */
  private static String message(int i) {
    return switch (i % 3) {
      case 0 -> "text " + i + " \u00e9\u20ac " + "x".repeat(i % 50);
      case 1 -> "binary " + i;
      default -> "fragmented " + i + " " + "y".repeat(200 + i % 300);
    };
  }

  /** Collects whole messages (parts joined), text as "T:" and binary as "B:" + the text. */
  private static final class Collector implements WebSocket.Listener {
    final List<String> received = new CopyOnWriteArrayList<>();
    final CountDownLatch all = new CountDownLatch(MESSAGES);
    final CountDownLatch closed = new CountDownLatch(1);
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    @Override
    public void onOpen(WebSocket ws) {
      ws.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        received.add("T:" + text);
        text.setLength(0);
        all.countDown();
      }
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      binary.writeBytes(b);
      if (last) {
        received.add("B:" + binary.toString(StandardCharsets.UTF_8));
        binary.reset();
        all.countDown();
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      closed.countDown();
      return null;
    }
  }

  private static List<String> expected() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      out.add((i % 3 == 1 ? "B:" : "T:") + message(i));
    }
    return out;
  }

  private static void send(WebSocket ws) {
    for (int i = 0; i < MESSAGES; i++) {
      String m = message(i);
      switch (i % 3) {
        case 0 -> ws.sendText(m, true).join();
        case 1 -> ws.sendBinary(ByteBuffer.wrap(m.getBytes(StandardCharsets.UTF_8)), true).join();
        default -> {
          int a = m.length() / 3;
          int b = 2 * m.length() / 3;
          ws.sendText(m.substring(0, a), false).join();
          ws.sendText(m.substring(a, b), false).join();
          ws.sendText(m.substring(b), true).join();
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aThousandMessagesPassThroughUnchangedAndAreRecordedInOrder(boolean recordMessages)
      throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (WebSocketEcho echo = new WebSocketEcho();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), echo.uri(), out)
                    .withWebSocketMessages(recordMessages))) {
      Collector collector = new Collector();
      URI ws = URI.create("ws://127.0.0.1:" + r.port() + "/chat?room=1");
      WebSocket socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .connectTimeout(Duration.ofSeconds(10))
              .buildAsync(ws, collector)
              .get(10, TimeUnit.SECONDS);
      send(socket);
      assertThat(collector.all.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(collector.received).containsExactlyElementsOf(expected());
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
      assertThat(collector.closed.await(10, TimeUnit.SECONDS)).isTrue();
      // the proxy is still an HTTP proxy for other connections
      HttpResponse<String> plain =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(r.url().resolve("/refuse"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(plain.statusCode()).isEqualTo(403);
      waitForRecorded(r, 2);
      r.stop(Duration.ofSeconds(5));
      List<Exchange> recorded = RecorderTests.read(out);
      assertThat(recorded).hasSize(2);
      Exchange handshake =
          recorded.stream().filter(e -> e.request().target().startsWith("/chat")).findFirst().get();
      assertThat(handshake.request().target()).isEqualTo("/chat?room=1");
      assertThat(handshake.response().status()).isEqualTo(101);
      assertThat(handshake.tags())
          .containsEntry(Exchange.TAG_WEBSOCKET, "v1")
          .containsEntry(Exchange.TAG_WEBSOCKET + ".clientMessages", "" + MESSAGES)
          .containsEntry(Exchange.TAG_WEBSOCKET + ".serverMessages", "" + MESSAGES);
      if (!recordMessages) {
        assertThat(handshake.response().body().size()).isZero();
        return;
      }
      List<String> fromClient = new ArrayList<>();
      List<String> fromServer = new ArrayList<>();
      ObjectMapper json = new ObjectMapper();
      for (String line :
          new String(handshake.response().body().bytes(), StandardCharsets.UTF_8).split("\n")) {
        JsonNode m = json.readTree(line);
        String type = m.get("type").asText();
        String value =
            type.equals("close")
                ? "C:" + m.get("code").asInt() + " " + m.path("reason").asText()
                : m.has("text")
                    ? "T:" + m.get("text").asText()
                    : "B:"
                        + new String(
                            Base64.getDecoder().decode(m.get("base64").asText()),
                            StandardCharsets.UTF_8);
        (m.get("from").asText().equals("client") ? fromClient : fromServer).add(value);
      }
      List<String> withClose = new ArrayList<>(expected());
      withClose.add("C:1000 done");
      assertThat(fromClient).containsExactlyElementsOf(withClose);
      assertThat(fromServer).containsExactlyElementsOf(withClose);
    }
  }

  @Test
  void aHandshakeTheUpstreamRefusesComesBackAsItIs() throws Exception {
    try (WebSocketEcho echo = new WebSocketEcho();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    echo.uri(),
                    dir.resolve("rec.jsonl.gz")))) {
      CompletableFuture<WebSocket> ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + r.port() + "/refuse"),
                  new WebSocket.Listener() {});
      assertThat(ws).failsWithin(Duration.ofSeconds(10));
      waitForRecorded(r, 1);
      r.stop(Duration.ofSeconds(5));
      List<Exchange> recorded = RecorderTests.read(dir.resolve("rec.jsonl.gz"));
      assertThat(recorded).hasSize(1);
      assertThat(recorded.get(0).response().status()).isEqualTo(403);
      assertThat(new String(recorded.get(0).response().body().bytes(), StandardCharsets.UTF_8))
          .isEqualTo("refused");
    }
  }

  @Test
  void aConnectionStillOpenAtAGracefulStopIsRecorded() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (WebSocketEcho echo = new WebSocketEcho();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), echo.uri(), out))) {
      Collector collector = new Collector();
      WebSocket socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create("ws://127.0.0.1:" + r.port() + "/open"), collector)
              .get(10, TimeUnit.SECONDS);
      socket.sendText("still here", true).join();
      RecorderStats stats = r.stop(Duration.ofSeconds(10)); // the connection is open
      assertThat(stats.recorded()).isEqualTo(1);
      assertThat(stats.droppedTotal()).isZero();
      assertThat(RecorderTests.read(out).get(0).tags())
          .containsEntry(Exchange.TAG_WEBSOCKET + ".clientMessages", "1");
    }
  }

  private static void waitForRecorded(Recorder r, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (r.stats().recorded() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }
}
