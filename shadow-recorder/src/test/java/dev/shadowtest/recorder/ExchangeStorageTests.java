package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSource;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.ShadowListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder writes to whatever sink its {@code --out} names: a storage of a new scheme ({@code
 * mem:}, registered through ServiceLoader in this module's test resources) gets every recorded
 * exchange, redacted, without the recorder knowing more than the scheme.
 */
@Timeout(60)
class ExchangeStorageTests {

  @TempDir Path dir;

  @Test
  void aStorageRegisteredThroughServiceLoaderReceivesTheRecording() throws Exception {
    assertThat(ExchangeStorage.all()).containsKeys("file", "mem");
    HttpClient client = HttpClient.newHttpClient();
    List<String> heard = java.util.Collections.synchronizedList(new ArrayList<>());
    ShadowListener listener =
        new ShadowListener() {
          @Override
          public void recorded(String exchangeId) {
            heard.add(exchangeId);
          }
        };
    try (Upstream up = new Upstream();
        Recorder r =
            Recorder.start(
                RecorderConfig.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    up.uri(),
                    "mem:capture-1"),
                listener)) {
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> res =
            client.send(
                HttpRequest.newBuilder(URI.create(r.url() + "/echo?i=" + i))
                    .header("Authorization", "Bearer secret-token")
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
      }
      RecorderStats s = r.stop(Duration.ofSeconds(10));
      assertThat(s.recorded()).isEqualTo(5);
      assertThat(r.files()).isEmpty(); // no file was written
    }
    MemoryStorage.Held held = MemoryStorage.HELD.get("capture-1");
    assertThat(held.header().source()).isEqualTo("recorder");
    assertThat(held.exchanges()).hasSize(5);
    assertThat(heard).hasSize(5); // the listener heard each one
    assertThat(held.exchanges().get(0).request().target()).isEqualTo("/echo?i=0");
    assertThat(held.exchanges().get(0).request().headers().first("Authorization"))
        .hasValue("[REDACTED]");
    // and a reader of that scheme reads it back, as replay does
    List<Exchange> back = new ArrayList<>();
    try (ExchangeSource source = ExchangeStorage.source("mem:capture-1", w -> {})) {
      source.forEachRemaining(back::add);
    }
    assertThat(back).hasSize(5);
  }

  @Test
  void anUnknownSchemeIsRefusedNamingTheKnownOnes() {
    assertThatThrownBy(
            () ->
                RecorderConfig.of(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    URI.create("http://127.0.0.1:1"),
                    "kafka:nightly"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("no exchange storage serves \"kafka:\"")
        .hasMessageContaining("known: file:, mem:");
    // a plain path, and a file whose name starts like a scheme, are files
    assertThat(ExchangeStorage.file(dir.resolve("rec.jsonl").toString()))
        .isEqualTo(dir.resolve("rec.jsonl"));
    assertThat(ExchangeStorage.location(Path.of("rec:1.jsonl"))).isEqualTo("./rec:1.jsonl");
    assertThat(ExchangeStorage.file("mem:x")).isNull();
  }
}
