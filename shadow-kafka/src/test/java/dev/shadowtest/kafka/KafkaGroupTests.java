package dev.shadowtest.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.ExchangeSource;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.SourcePositions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
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
 * Workers of one consumer group at the source's level: each exchange is served to one worker,
 * the positions they keep cover the run exactly, a worker that leaves hands its partitions over,
 * and a group that finished the run serves nothing more.
 */
class KafkaGroupTests {

  static final int EXCHANGES = 3_000;
  static TestBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
    broker.createTopic("group", 6);
    try (ExchangeSink sink =
        ExchangeStorage.sink(broker.uri("group"), RecordingHeader.now("t", Redaction.none()))) {
      for (int i = 0; i < EXCHANGES; i++) {
        sink.write(KafkaStorageTests.exchange(i, "s" + i));
      }
    }
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  /** A replay as the source sees it: exchanges served, each done soon after; checkpoints kept. */
  record Worker(List<String> served, AtomicReference<SourcePositions> kept) {}

  Worker work(String location, int stopAfter) {
    return work(location, stopAfter, new CountDownLatch(1));
  }

  /** As {@link #work(String, int)}, one exchange per millisecond; {@code served} counts down once. */
  Worker work(String location, int stopAfter, CountDownLatch served) {
    Worker w = new Worker(new CopyOnWriteArrayList<>(), new AtomicReference<>());
    try (ExchangeSource s = ExchangeStorage.source(location, x -> {})) {
      s.track(w.kept()::set);
      while (s.hasNext()) {
        Exchange e = s.next();
        w.served().add(e.id());
        served.countDown();
        try {
          Thread.sleep(1);
        } catch (InterruptedException x) {
          Thread.currentThread().interrupt();
          break;
        }
        s.done(e.id());
        if (w.served().size() == stopAfter) {
          break; // this worker leaves mid-run (its close keeps and commits what is done)
        }
      }
    }
    return w;
  }

  @Test
  void threeWorkersShareTheTopicOneLeavesAndTheOthersFinishItsShare() throws Exception {
    Path props = dir.resolve("c.properties");
    Files.writeString(props, "session.timeout.ms=6000\nheartbeat.interval.ms=500\n");
    String location = broker.uri("group") + "?group=g1&properties=" + props;
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<Worker>> futures = new ArrayList<>();
    CountDownLatch firstServed = new CountDownLatch(1);
    futures.add(pool.submit(() -> work(location, 400, firstServed)));
    // the others join once the first worker holds every partition and is under way
    assertThat(firstServed.await(60, TimeUnit.SECONDS)).isTrue();
    futures.add(pool.submit(() -> work(location, Integer.MAX_VALUE)));
    futures.add(pool.submit(() -> work(location, Integer.MAX_VALUE)));
    List<Worker> workers = new ArrayList<>();
    for (Future<Worker> f : futures) {
      workers.add(f.get(3, TimeUnit.MINUTES));
    }
    pool.shutdown();
    assertThat(workers.get(0).served()).hasSize(400);

    // every exchange confirmed by some worker; bounds agree; served exactly once overall
    BitSet[] covered = new BitSet[6];
    for (int p = 0; p < 6; p++) {
      covered[p] = new BitSet();
    }
    long total = 0;
    for (Worker w : workers) {
      SourcePositions kept = w.kept().get();
      assertThat(kept.group()).isEqualTo("g1");
      assertThat(kept.partitionCount()).isEqualTo(6);
      for (SourcePositions.Partition p : kept.partitions()) {
        assertThat(p.from()).isZero();
        for (SourcePositions.Range r : p.done()) {
          covered[p.partition()].set((int) r.from(), (int) r.until());
        }
      }
      total += w.served().size();
    }
    long confirmed = 0;
    for (BitSet b : covered) {
      confirmed += b.cardinality();
      assertThat(b.nextClearBit(0)).isEqualTo(b.cardinality()); // no hole
    }
    assertThat(confirmed).isEqualTo(EXCHANGES);
    List<String> all = new ArrayList<>();
    workers.forEach(w -> all.addAll(w.served()));
    assertThat(all).doesNotHaveDuplicates();
    assertThat(total).isEqualTo(EXCHANGES);

    // the run is over for this group: a late worker serves nothing and ends
    Worker late = work(location, Integer.MAX_VALUE);
    assertThat(late.served()).isEmpty();
  }

  @Test
  void offsetsDeletedBeforeTheyWereReadAreAGapToldNeverConfirmed() throws Exception {
    broker.createTopic("retention", 1);
    try (ExchangeSink sink =
        ExchangeStorage.sink(broker.uri("retention"), RecordingHeader.now("t", Redaction.none()))) {
      for (int i = 0; i < 100; i++) {
        sink.write(KafkaStorageTests.exchange(i, "s"));
      }
    }
    String location = broker.uri("retention") + "?group=g-retention";
    Worker first = work(location, 10); // fixes the bounds 0-100, confirms 0-9, leaves
    assertThat(first.kept().get().partitions().get(0).done())
        .containsExactly(new SourcePositions.Range(0, 10));
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    try (Admin admin = Admin.create(p)) {
      admin
          .deleteRecords(
              Map.of(new TopicPartition("retention", 0), RecordsToDelete.beforeOffset(50)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    List<String> warnings = new CopyOnWriteArrayList<>();
    List<String> served = new ArrayList<>();
    AtomicReference<SourcePositions> kept = new AtomicReference<>();
    try (ExchangeSource s = ExchangeStorage.source(location, warnings::add)) {
      s.track(kept::set);
      while (s.hasNext()) {
        String id = s.next().id();
        served.add(id);
        s.done(id);
      }
    }
    assertThat(served).hasSize(50).startsWith("0@50");
    assertThat(warnings).anyMatch(w -> w.contains("partition 0: offsets 10-49 were deleted"));
    assertThat(kept.get().partitions().get(0).done())
        .as("the deleted offsets are not confirmed: merge tells them missing")
        .containsExactly(new SourcePositions.Range(50, 100));
  }

  @Test
  void aGroupUsedByAnotherConsumerIsRefused() throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "someone-elses");
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition("group", 1);
      c.assign(List.of(tp));
      c.commitSync(Map.of(tp, new OffsetAndMetadata(5)));
    }
    try (ExchangeSource s =
        ExchangeStorage.source(broker.uri("group") + "?group=someone-elses", x -> {})) {
      s.track(x -> {});
      assertThatThrownBy(s::hasNext)
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("holds offsets that shadow replay did not commit");
    }
  }

  @Test
  void aWorkerStartedLaterReplaysWhatIsLeftOfTheSameRun() throws Exception {
    String location = broker.uri("group") + "?group=g2";
    Worker first = work(location, 10);
    assertThat(first.served()).hasSize(10);
    // the bounds were fixed then: a worker started later replays the same run
    try (ExchangeSource s = ExchangeStorage.source(location, x -> {})) {
      s.track(p -> {});
      int n = 0;
      while (s.hasNext()) {
        s.done(s.next().id());
        n++;
      }
      assertThat(n).isEqualTo(EXCHANGES - 10);
    }
  }
}
