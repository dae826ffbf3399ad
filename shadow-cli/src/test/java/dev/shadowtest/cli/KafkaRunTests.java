package dev.shadowtest.cli;

import static dev.shadowtest.cli.ShadowCliTests.process;
import static dev.shadowtest.cli.ShadowCliTests.shadow;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSource;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.SourcePositions;
import dev.shadowtest.kafka.TestBroker;
import dev.shadowtest.recorder.Recorder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Past one machine, end to end against a real Kafka broker: traffic recorded through the proxy
 * into a 6-partition topic, replayed by 3 worker processes of one consumer group, one killed
 * mid-run and started again; the merged run equals a single-process replay exactly.
 */
class KafkaRunTests {

  static final int EXCHANGES = 20_000;
  static final ObjectMapper JSON = new ObjectMapper();

  static TestBroker broker;
  static HttpServer legacy;
  static HttpServer candidate;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
    legacy = server(false);
    candidate = server(true);
  }

  @AfterAll
  static void stop() {
    legacy.stop(0);
    candidate.stop(0);
    broker.close();
  }

  /**
   * A shop: items, orders and users by number. The candidate prices every 10th order otherwise
   * and fails every 50th user.
   */
  static HttpServer server(boolean isCandidate) throws IOException {
    HttpServer s =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    s.createContext(
        "/",
        x -> {
          String[] path = x.getRequestURI().getPath().split("/");
          int n = Integer.parseInt(path[2]);
          int status = 200;
          String body;
          if (path[1].equals("orders")) {
            int price = isCandidate && n % 10 == 0 ? n + 1 : n;
            body = "{\"id\":" + n + ",\"price\":" + price + ",\"status\":\"OPEN\"}";
          } else if (path[1].equals("users")) {
            status = isCandidate && n % 50 == 0 ? 500 : 200;
            body = "{\"id\":" + n + ",\"name\":\"user " + n + "\"}";
          } else {
            body = "{\"id\":" + n + ",\"name\":\"item " + n + "\",\"tags\":[\"a\",\"b\"]}";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().set("Content-Type", "application/json");
          x.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
          }
        });
    s.setExecutor(Executors.newFixedThreadPool(8));
    s.start();
    return s;
  }

  static String base(HttpServer s) {
    return "http://127.0.0.1:" + s.getAddress().getPort();
  }

  /** Sends {@code count} requests through the recorder, 16 at a time; the statuses seen. */
  static List<Integer> traffic(URI proxy, int first, int count) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    AtomicInteger next = new AtomicInteger(first);
    List<Future<List<Integer>>> workers = new ArrayList<>();
    for (int w = 0; w < 16; w++) {
      workers.add(
          pool.submit(
              () -> {
                List<Integer> statuses = new ArrayList<>();
                for (int i = next.getAndIncrement();
                    i < first + count;
                    i = next.getAndIncrement()) {
                  String kind = i % 3 == 0 ? "items" : i % 3 == 1 ? "orders" : "users";
                  HttpResponse<String> r =
                      client.send(
                          HttpRequest.newBuilder(proxy.resolve("/" + kind + "/" + i)).build(),
                          HttpResponse.BodyHandlers.ofString());
                  statuses.add(r.statusCode());
                }
                return statuses;
              }));
    }
    List<Integer> all = new ArrayList<>();
    for (Future<List<Integer>> f : workers) {
      all.addAll(f.get(5, TimeUnit.MINUTES));
    }
    pool.shutdown();
    return all;
  }

  @Test
  void threeWorkersOneKilledAndRestartedMergeToExactlyTheSingleProcessRun() throws Exception {
    broker.createTopic("traffic", 6);
    String topic = broker.uri("traffic");
    try (Recorder r =
        Recorder.start(
            LiveShadowTests.recordConfig(
                "--listen", "127.0.0.1:0", "--upstream", base(legacy), "--out", topic))) {
      assertThat(traffic(r.url(), 0, EXCHANGES)).containsOnly(200);
      r.stop(Duration.ofSeconds(60));
      assertThat(r.stats().recorded()).isEqualTo(EXCHANGES);
      assertThat(r.stats().droppedTotal()).isZero();
    }

    // the reference: one process reads the whole topic
    Path single = dir.resolve("single");
    ShadowCliTests.Run one =
        shadow("replay", "--recording", topic, "--candidate", base(candidate), "--out", single);
    assertThat(one.code()).as(one.err()).isEqualTo(1); // the seeded differences fail the gate

    // the workers: a dead one is noticed after 6 s
    Path props = dir.resolve("client.properties");
    Files.writeString(props, "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n");
    String source = topic + "?properties=" + props;
    List<Path> runs = new ArrayList<>();
    List<Process> workers = new ArrayList<>();
    for (int w = 1; w <= 3; w++) {
      Path out = dir.resolve("worker-" + w);
      runs.add(out);
      workers.add(worker(source, out));
    }
    // worker 2 dies mid-run, once it has confirmed part of its share
    Path positions = runs.get(1).resolve(SourcePositions.FILE);
    for (int i = 0; i < 2400 && !confirmedSome(positions); i++) { // up to 2 min on a loaded host
      Thread.sleep(50);
    }
    assertThat(confirmedSome(positions)).as("worker 2 confirmed some exchanges").isTrue();
    workers.get(1).destroyForcibly().waitFor();
    Path restarted = dir.resolve("worker-2-restarted");
    runs.add(restarted);
    workers.add(worker(source, restarted));
    for (Process p : workers.subList(0, 1)) {
      awaitExit(p);
    }
    for (Process p : workers.subList(2, workers.size())) {
      awaitExit(p);
    }
    assertThat(Files.exists(runs.get(1).resolve("summary.json"))).isTrue(); // its last checkpoint's

    List<Object> merge = new ArrayList<>(List.of("merge", "--out", dir.resolve("merged")));
    merge.addAll(runs);
    ShadowCliTests.Run merged = shadow(merge.toArray());
    assertThat(merged.code()).as(merged.out() + merged.err()).isEqualTo(1);
    assertThat(merged.err()).doesNotContain("missing");
    JsonNode expected = essence(single.resolve("summary.json"));
    JsonNode actual = essence(dir.resolve("merged").resolve("summary.json"));
    assertThat(expected.get("exchanges").asLong()).isEqualTo(EXCHANGES);
    long seeded = 0; // every 10th order priced otherwise, every 50th user failing
    for (int i = 0; i < EXCHANGES; i++) {
      seeded += i % 3 == 1 && i % 10 == 0 || i % 3 == 2 && i % 50 == 0 ? 1 : 0;
    }
    assertThat(expected.get("discrepant").asLong()).isEqualTo(seeded);
    assertThat(actual.toPrettyString())
        .as("merged run; the workers' errors:%s", errorLines(runs))
        .isEqualTo(expected.toPrettyString());
  }

  /** Every result line with an error in these runs, and the end of each worker's log. */
  static String errorLines(List<Path> runs) {
    StringBuilder out = new StringBuilder();
    for (Path run : runs) {
      out.append("\n").append(run.getFileName()).append(':');
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(
                  new GZIPInputStream(Files.newInputStream(run.resolve("results.jsonl.gz"))),
                  StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.contains("\"error\"")) {
            out.append("\n  ").append(line);
          }
        }
      } catch (IOException e) {
        out.append("\n  (results read up to ").append(e).append(')');
      }
      try {
        List<String> log = Files.readAllLines(run.resolveSibling(run.getFileName() + ".log"));
        log.subList(Math.max(0, log.size() - 15), log.size())
            .forEach(l -> out.append("\n  | ").append(l));
      } catch (IOException e) {
        out.append("\n  (no log: ").append(e).append(')');
      }
    }
    return out.toString();
  }

  static Process worker(String source, Path out) throws IOException {
    return process(
            "-Xmx256m",
            "replay",
            "--recording",
            source,
            "--group",
            "nightly",
            "--candidate",
            base(candidate),
            "--rate",
            "700",
            "--out",
            out.toString())
        .redirectErrorStream(true)
        .redirectOutput(out.resolveSibling(out.getFileName() + ".log").toFile())
        .start();
  }

  static void awaitExit(Process p) throws Exception {
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("a worker ended").isTrue();
    assertThat(p.exitValue()).as("exit 0 or 1 (its share's gate)").isIn(0, 1);
  }

  static boolean confirmedSome(Path positions) {
    try {
      SourcePositions p = SourcePositions.read(positions.getParent());
      return p != null
          && p.partitions().stream()
              .anyMatch(x -> !x.done().isEmpty() && x.done().get(0).until() > x.from());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A summary's counts, top level and per endpoint with its fields: what must be exact. */
  static JsonNode essence(Path summary) throws IOException {
    JsonNode s = JSON.readTree(summary.toFile());
    ObjectNode out = JSON.createObjectNode();
    List<String> counts =
        List.of(
            "exchanges",
            "skipped",
            "errors",
            "noBaseline",
            "compared",
            "matched",
            "discrepant",
            "noise",
            "serverErrors");
    counts.forEach(c -> out.set(c, s.get(c)));
    ArrayNode endpoints = out.putArray("endpoints");
    for (JsonNode e : s.get("endpoints")) {
      ObjectNode n = endpoints.addObject();
      n.set("endpoint", e.get("endpoint"));
      counts.stream().filter(e::has).forEach(c -> n.set(c, e.get(c)));
      ArrayNode fields = n.putArray("fields");
      for (JsonNode f : e.get("fields")) {
        fields
            .addObject()
            .put("path", f.get("path").asText())
            .put("type", f.get("type").asText())
            .put("count", f.get("count").asLong());
      }
    }
    return out;
  }

  @Test
  void aBrokerDownLeavesLiveTrafficAloneDropsAreCountedAndCaptureResumes() throws Exception {
    broker.createTopic("outage", 2);
    Path props = dir.resolve("producer.properties");
    Files.writeString(
        props,
        "delivery.timeout.ms=3000\nrequest.timeout.ms=1000\nlinger.ms=5\nmax.block.ms=300\n"
            + "reconnect.backoff.max.ms=500\nretry.backoff.max.ms=500\n");
    String topic = broker.uri("outage") + "?properties=" + props;
    long recorded;
    try (Recorder r =
        Recorder.start(
            LiveShadowTests.recordConfig(
                "--listen", "127.0.0.1:0", "--upstream", base(legacy), "--out", topic))) {
      assertThat(traffic(r.url(), 0, 100)).containsOnly(200);
      awaitRecorded(r, 100);
      broker.stop();
      try {
        assertThat(traffic(r.url(), 100, 100))
            .as("live traffic while the broker is down")
            .containsOnly(200);
        // deliveries fail after delivery.timeout.ms, counted (some may wait in flight for the
        // broker, and be delivered when it is back: the end's count says nothing is lost)
        for (int i = 0; i < 300 && r.stats().droppedTotal() == 0; i++) {
          Thread.sleep(50);
        }
        assertThat(r.stats().dropped()).containsOnlyKeys("delivery-failed");
        assertThat(r.stats().droppedTotal()).isBetween(1L, 100L);
      } finally {
        broker.restart();
      }
      // the producer finds the broker again: what comes now is captured
      for (int i = 0; i < 200 && r.stats().recorded() + r.stats().droppedTotal() < 200; i++) {
        Thread.sleep(50);
      }
      Thread.sleep(2_000);
      assertThat(traffic(r.url(), 200, 100)).containsOnly(200);
      r.stop(Duration.ofSeconds(30));
      assertThat(r.stats().recorded() + r.stats().droppedTotal())
          .as("every capture recorded or counted as dropped")
          .isEqualTo(300);
      assertThat(r.stats().proxied()).isEqualTo(300);
      recorded = r.stats().recorded();
    }
    List<Integer> read = new ArrayList<>();
    try (ExchangeSource source = ExchangeStorage.source(broker.uri("outage"), w -> {})) {
      while (source.hasNext()) {
        Exchange e = source.next();
        read.add(Integer.parseInt(e.request().target().split("/")[2]));
      }
    }
    assertThat(read)
        .as("what was recorded is in the topic, once")
        .hasSize((int) recorded)
        .doesNotHaveDuplicates();
    assertThat(read.stream().filter(n -> n < 100)).hasSize(100);
    assertThat(read.stream().filter(n -> n >= 200))
        .as("captured after the broker came back")
        .hasSize(100);
  }

  @Test
  void recordingsArePublishedToATopicAndSavedBackWithTheirRedaction() throws Exception {
    broker.createTopic("shop", 3);
    Path har = ShadowCliTests.EXAMPLES.resolve("shop.har");
    ShadowCliTests.Run imported =
        shadow("import", "--from", "har", har, "--out", broker.uri("shop"));
    assertThat(imported.code()).as(imported.err()).isZero();
    Path back = dir.resolve("back.jsonl.gz");
    ShadowCliTests.Run exported =
        shadow("export", "--to", "recording", broker.uri("shop"), "--out", back);
    assertThat(exported.code()).as(exported.err()).isZero();
    Path direct = dir.resolve("direct.jsonl");
    assertThat(shadow("import", "--from", "har", har, "--out", direct).code()).isZero();
    try (ExchangeSource a = ExchangeStorage.source(direct.toString(), w -> {});
        ExchangeSource b = ExchangeStorage.source(back.toString(), w -> {})) {
      assertThat(b.header().redaction()).isEqualTo(a.header().redaction());
      List<String> expected = new ArrayList<>();
      a.forEachRemaining(
          e ->
              expected.add(
                  e.request().method()
                      + " "
                      + e.request().target()
                      + " "
                      + (e.response() == null ? "-" : e.response().status())));
      List<String> actual = new ArrayList<>();
      b.forEachRemaining(
          e ->
              actual.add(
                  e.request().method()
                      + " "
                      + e.request().target()
                      + " "
                      + (e.response() == null ? "-" : e.response().status())));
      assertThat(actual).isNotEmpty().containsExactlyInAnyOrderElementsOf(expected);
    }
    // and a file published as it is, then replayed from the topic like the file
    broker.createTopic("published", 2);
    assertThat(
            shadow("export", "--to", "recording", direct, "--out", broker.uri("published")).code())
        .isZero();
    ShadowCliTests.Run inspected = shadow("inspect", broker.uri("published"));
    assertThat(inspected.code()).as(inspected.err()).isZero();
    // a file of recording version 2: JSON records on the topic, version 2 again when saved back,
    // the same bodies
    Path v2 = dir.resolve("v2.jsonl");
    assertThat(
            shadow("import", "--from", "har", har, "--out", v2, "--recording-version", "2").code())
        .isZero();
    broker.createTopic("published2", 1);
    assertThat(shadow("export", "--to", "recording", v2, "--out", broker.uri("published2")).code())
        .isZero();
    Path back2 = dir.resolve("back2.jsonl");
    ShadowCliTests.Run saved =
        shadow("export", "--to", "recording", broker.uri("published2"), "--out", back2);
    assertThat(saved.code()).as(saved.err()).isZero();
    try (ExchangeSource a = ExchangeStorage.source(direct.toString(), w -> {});
        ExchangeSource b = ExchangeStorage.source(back2.toString(), w -> {})) {
      assertThat(b.header().version()).isEqualTo(2);
      List<Object> expected = new ArrayList<>();
      a.forEachRemaining(e -> expected.add(e.response() == null ? "-" : e.response().body()));
      List<Object> actual = new ArrayList<>();
      b.forEachRemaining(e -> actual.add(e.response() == null ? "-" : e.response().body()));
      assertThat(actual).hasSize(7).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void badKafkaLocationsAndOptionsAreExit2WithWhatIsWrong() throws Exception {
    replayRefused("the topic \"nope\" does not exist", "--recording", broker.uri("nope"));
    ShadowCliTests.Run record =
        shadow(
            "record",
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            base(legacy),
            "--out",
            broker.uri("nope"));
    assertThat(record.code()).isEqualTo(2);
    assertThat(record.err()).contains("does not exist");
    replayRefused("is not HOST:PORT", "--recording", "kafka://broker/topic");
    // a group another consumer committed offsets in is not a run of Shadow's
    broker.createTopic("foreign", 1);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "theirs");
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition("foreign", 0);
      c.assign(List.of(tp));
      c.commitSync(Map.of(tp, new OffsetAndMetadata(0)));
    }
    replayRefused(
        "holds offsets that shadow replay did not commit",
        "--recording",
        broker.uri("foreign"),
        "--group",
        "theirs");
    Path file = dir.resolve("rec.jsonl");
    Files.writeString(file, ShadowCliTests.HEADER + "\n");
    replayRefused("--group needs a kafka:// recording", "--recording", file, "--group", "g");
    String notWith = "not with --shard, --loop or --duration";
    replayRefused(notWith, "--recording", broker.uri("nope"), "--group", "g", "--loop", "2");
    replayRefused(notWith, "--recording", broker.uri("nope") + "?group=g", "--shard", "1/2");
    replayRefused(
        "give one --recording", "--recording", broker.uri("a"), broker.uri("b"), "--group", "g");
  }

  /** {@code shadow replay} with {@code options} against the candidate: exit 2, saying {@code why}. */
  void replayRefused(String why, Object... options) {
    List<Object> args = new ArrayList<>(List.of("replay"));
    args.addAll(List.of(options));
    args.addAll(List.of("--candidate", base(candidate), "--out", dir.resolve("r")));
    ShadowCliTests.Run r = shadow(args.toArray());
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(why);
  }

  static void awaitRecorded(Recorder r, long n) throws InterruptedException {
    for (int i = 0; i < 600 && r.stats().recorded() < n; i++) {
      Thread.sleep(50);
    }
    assertThat(r.stats().recorded()).isEqualTo(n);
  }
}
