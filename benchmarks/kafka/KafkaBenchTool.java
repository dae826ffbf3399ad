import dev.shadowtest.kafka.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka side of benchmarks/kafka/kafka-bench.sh, compiled against shadow-kafka's test class
 * path (its {@code TestBroker}: a KRaft broker and controller in one JVM, on loopback).
 *
 * <pre>
 *   broker FILE [TOPIC:PARTITIONS...]   starts the broker, creates the topics, writes its
 *                                       bootstrap address to FILE, runs until killed
 *   create BOOTSTRAP TOPIC PARTITIONS   creates a topic (replication 1)
 *   offsets BOOTSTRAP TOPIC             prints the sum of the topic's end offsets (its records:
 *                                       no transactions, so no control records)
 *   watch BOOTSTRAP TOPIC MILLIS        prints "EPOCH_MS SUM" every MILLIS until killed
 * </pre>
 */
public final class KafkaBenchTool {

  public static void main(String[] args) throws Exception {
    switch (args.length == 0 ? "" : args[0]) {
      case "broker" -> broker(Path.of(args[1]), List.of(args).subList(2, args.length));
      case "create" -> create(args[1], args[2], Integer.parseInt(args[3]));
      case "offsets" -> System.out.println(offsets(args[1], args[2]));
      case "watch" -> watch(args[1], args[2], Long.parseLong(args[3]));
      default -> {
        System.err.println(
            "usage: KafkaBenchTool broker FILE [TOPIC:PARTITIONS...] | create BOOTSTRAP TOPIC"
                + " PARTITIONS | offsets BOOTSTRAP TOPIC");
        System.exit(2);
      }
    }
  }

  private static void broker(Path file, List<String> topics) throws Exception {
    TestBroker broker = TestBroker.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.close(); // stops it and deletes its data directory
                  stopped.countDown();
                }));
    for (String t : topics) {
      int colon = t.lastIndexOf(':');
      broker.createTopic(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)));
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, broker.bootstrap() + "\n");
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    System.out.println("broker " + broker.bootstrap() + " (pid " + ProcessHandle.current().pid() + ")");
    System.out.flush();
    stopped.await();
  }

  private static void create(String bootstrap, String topic, int partitions) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "kafka-bench-offsets");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static long offsets(String bootstrap, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
      return sum(c, partitions(c, topic));
    }
  }

  private static void watch(String bootstrap, String topic, long millis) throws Exception {
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
      List<TopicPartition> tps = partitions(c, topic);
      while (true) {
        long sum = sum(c, tps);
        System.out.println(System.currentTimeMillis() + " " + sum);
        System.out.flush();
        Thread.sleep(millis);
      }
    }
  }

  private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic) {
    List<TopicPartition> tps = new ArrayList<>();
    for (PartitionInfo i : c.partitionsFor(topic)) {
      tps.add(new TopicPartition(topic, i.partition()));
    }
    return tps;
  }

  private static long sum(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> tps) {
    long sum = 0;
    for (long end : c.endOffsets(tps).values()) {
      sum += end;
    }
    return sum;
  }
}
