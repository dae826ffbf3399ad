package dev.shadowtest.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.ExchangeSource;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.SourcePositions;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kafka: sink and source against a real broker: what is written is read back, exactly. */
class KafkaStorageTests {

  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  static Exchange exchange(int i, String session) {
    HttpRequest rq =
        new HttpRequest(
            "GET",
            "/orders/" + i,
            "HTTP/1.1",
            Headers.of("X-Session", session, "Accept", "application/json"),
            Body.of(new byte[0]));
    HttpResponse rs =
        new HttpResponse(
            200,
            "OK",
            Headers.of("Content-Type", "application/json"),
            Body.of(("{\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
    return new Exchange(
        "rec-" + i,
        Instant.parse("2026-11-26T10:00:00Z").plusMillis(i),
        1500L,
        rq,
        rs,
        null,
        Map.of());
  }

  @Test
  void whatTheSinkWritesTheSourceReadsBackWithItsPlaceAsId() throws Exception {
    broker.createTopic("roundtrip", 3);
    RecordingHeader header = RecordingHeader.now("test", Redaction.defaults());
    try (ExchangeSink sink =
        ExchangeStorage.sink(broker.uri("roundtrip") + "?key=header:X-Session", header)) {
      for (int i = 0; i < 300; i++) {
        sink.write(exchange(i, "s" + (i % 7)));
      }
    }
    List<Exchange> read = new ArrayList<>();
    Map<String, Integer> partitionOfSession = new HashMap<>();
    Map<Integer, Long> lastOffset = new HashMap<>();
    try (ExchangeSource source = ExchangeStorage.source(broker.uri("roundtrip"), w -> {})) {
      assertThat(source.header().redaction()).isEqualTo(Redaction.defaults());
      assertThat(source.header().source()).isEqualTo("test");
      source.forEachRemaining(read::add);
      assertThat(source.unreadable()).isZero();
    }
    assertThat(read).hasSize(300);
    for (Exchange e : read) {
      long[] place = SourcePositions.place(e.id());
      assertThat(place).as(e.id()).isNotNull();
      // a session's exchanges share a partition, in the order written
      String session = e.request().headers().first("X-Session").orElseThrow();
      Integer p = partitionOfSession.putIfAbsent(session, (int) place[0]);
      assertThat(p == null ? (int) place[0] : p).isEqualTo((int) place[0]);
      Long before = lastOffset.put((int) place[0], place[1]);
      assertThat(before == null || before < place[1]).isTrue();
      int i = Integer.parseInt(e.request().target().substring("/orders/".length()));
      assertThat(e.startedAt()).isEqualTo(exchange(i, "").startedAt());
      assertThat(e.response().body().bytes()).isEqualTo(exchange(i, "").response().body().bytes());
    }
    assertThat(read.stream().map(e -> e.request().target()).distinct()).hasSize(300);
  }

  @Test
  void anExchangeLargerThanTheTopicTakesHasItsBodyCut() throws Exception {
    broker.createTopic("large", 1);
    byte[] big = new byte[3 << 20];
    Arrays.fill(big, (byte) 'a');
    Exchange e = exchange(1, "s");
    e = e.withResponse(e.response().withBody(Body.of(big)));
    try (ExchangeSink sink =
        ExchangeStorage.sink(broker.uri("large"), RecordingHeader.now("t", Redaction.none()))) {
      sink.write(e);
      assertThat(((KafkaSink) sink).cut()).isEqualTo(1);
    }
    try (ExchangeSource source = ExchangeStorage.source(broker.uri("large"), w -> {})) {
      Exchange back = source.next();
      assertThat(back.response().body().truncated()).isTrue();
      assertThat(back.response().body().size()).isEqualTo(3 << 20);
      assertThat(source.hasNext()).isFalse();
    }
  }

  @Test
  void badLocationsAreRefusedWithWhatIsWrong(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ExchangeStorage.source("kafka://localhost:9092", w -> {}))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("expected kafka://BROKER:PORT");
    assertThatThrownBy(() -> ExchangeStorage.source("kafka://localhost/t", w -> {}))
        .hasMessageContaining("is not HOST:PORT");
    assertThatThrownBy(() -> ExchangeStorage.source("kafka://h:1/bad topic!", w -> {}))
        .isInstanceOf(BadInputException.class);
    assertThatThrownBy(() -> ExchangeStorage.source("kafka://h:1/t?grup=x", w -> {}))
        .hasMessageContaining("unknown parameter \"grup\"");
    assertThatThrownBy(() -> ExchangeStorage.source("kafka://h:1/t?until=yesterday", w -> {}))
        .hasMessageContaining("is not an ISO-8601 instant");
    assertThatThrownBy(
            () ->
                ExchangeStorage.source(
                    "kafka://h:1/t?properties=" + dir.resolve("none.properties"), w -> {}))
        .hasMessageContaining("no such Kafka client properties file");
    Path other = dir.resolve("other-cluster.properties");
    Files.writeString(other, "bootstrap.servers=prod-kafka:9092\n");
    assertThatThrownBy(() -> ExchangeStorage.source("kafka://h:1/t?properties=" + other, w -> {}))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(
            "bootstrap.servers=prod-kafka:9092 is not the brokers of the URL (h:1)");
    // the same brokers, in another order and spacing, are the URL's
    Path same = dir.resolve("same-cluster.properties");
    Files.writeString(same, "bootstrap.servers=b:2, a:1\n");
    assertThat(
            KafkaLocation.parse(java.net.URI.create("kafka://a:1,b:2/t?properties=" + same))
                .brokers())
        .isEqualTo("a:1,b:2");
    assertThatThrownBy(() -> ExchangeStorage.source(broker.uri("no-such-topic"), w -> {}))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("the topic \"no-such-topic\" does not exist");
    Path wrong = dir.resolve("wrong-password.properties");
    Files.writeString(
        wrong,
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
            + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\""
            + TestBroker.USER
            + "\" password=\"wrong\";\n");
    assertThatThrownBy(
            () ->
                ExchangeStorage.source(
                    "kafka://" + broker.saslBootstrap() + "/roundtrip?properties=" + wrong,
                    w -> {}))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("the brokers refused to authenticate us")
        .hasMessageContaining(wrong.toString());
    Path right = dir.resolve("right-password.properties");
    Files.writeString(right, Files.readString(wrong).replace("wrong", TestBroker.PASSWORD));
    broker.createTopic("sasl", 1);
    try (ExchangeSource s =
        ExchangeStorage.source(
            "kafka://" + broker.saslBootstrap() + "/sasl?properties=" + right, w -> {})) {
      assertThat(s.hasNext()).as("SASL with the right password").isFalse();
    }
    Path props = dir.resolve("client.properties");
    Files.writeString(props, "default.api.timeout.ms=1500\n");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                ExchangeStorage.sink(
                    "kafka://127.0.0.1:" + closed + "/t?properties=" + props,
                    RecordingHeader.now("t", Redaction.none())))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("no broker answered within 1 s");
  }
}
