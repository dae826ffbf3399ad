package dev.shadowtest.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka broker (KRaft, broker and controller in one) inside the test JVM, on loopback
 * ports, with its data in a temporary directory. {@link #stop} and {@link #start} again keep the
 * ports and the data: a broker that goes down and comes back.
 */
public final class TestBroker implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private final int saslPort;
  private KafkaRaftServer server;

  /** The user and password its SASL/PLAIN listener accepts. */
  public static final String USER = "shadow";

  public static final String PASSWORD = "s3cret";

  private TestBroker(Path dir, int port, int controllerPort, int saslPort) {
    this.dir = dir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.saslPort = saslPort;
  }

  /** A formatted, started broker on free loopback ports. */
  public static TestBroker start() throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      Path dir = Files.createTempDirectory("shadow-kafka-");
      TestBroker b = new TestBroker(dir, freePort(), freePort(), freePort());
      try {
        b.format();
        b.startServer();
        return b;
      } catch (RuntimeException e) {
        // a port taken between choosing it and binding it: once more on others
        b.close();
        last = new IOException("cannot start the test broker: " + e.getMessage(), e);
      }
    }
    throw last;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** host:port of its client listener. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** host:port of its SASL_PLAINTEXT listener (mechanism PLAIN, {@link #USER}). */
  public String saslBootstrap() {
    return "127.0.0.1:" + saslPort;
  }

  /** {@code kafka://127.0.0.1:PORT/topic}. */
  public String uri(String topic) {
    return "kafka://" + bootstrap() + "/" + topic;
  }

  private Map<String, Object> config() {
    Map<String, Object> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + port
            + ",CONTROLLER://127.0.0.1:"
            + controllerPort
            + ",SASL_PLAINTEXT://127.0.0.1:"
            + saslPort);
    p.put(
        "advertised.listeners",
        "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("sasl.enabled.mechanisms", "PLAIN");
    p.put(
        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_"
            + USER
            + "=\""
            + PASSWORD
            + "\";");
    p.put("log.dirs", dir.toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "3");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  private void format() {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setClusterId(Uuid.randomUuid().toString())
          .setNodeId(1)
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(dir.toString())
          .setDirectories(List.of(dir.toString()))
          .setReleaseVersion(MetadataVersion.latestProduction())
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format " + dir + ": " + e.getMessage(), e);
    }
  }

  private void startServer() {
    server = new KafkaRaftServer(new KafkaConfig(config(), false), Time.SYSTEM);
    server.startup();
  }

  /** Starts it again after {@link #stop}, on the same ports, with its data. */
  public void restart() {
    startServer();
  }

  /** Stops it, keeping its data (clients see a broker that is down). */
  public void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** Creates {@code topic} with {@code partitions} partitions. */
  public void createTopic(String topic, int partitions) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    try (Admin admin = Admin.create(p)) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Utils.delete(dir.toFile());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }
}
