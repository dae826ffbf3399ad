package dev.shadowtest.kafka;

import dev.shadowtest.core.BadInputException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Client settings and the checks every {@code kafka:} location gets before it is used. */
final class Clients {

  /** How long a check waits for the brokers before saying they cannot be reached. */
  static final Duration CHECK_TIMEOUT = Duration.ofSeconds(15);

  private Clients() {}

  /** The user's client properties over ours: brokers, a client id. */
  static Properties base(KafkaLocation at, String clientId) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, at.brokers());
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    p.putAll(at.properties());
    return p;
  }

  /** What a topic is: its partitions and the largest record it takes. */
  record Topic(int partitions, int maxMessageBytes) {}

  /**
   * Checks that the brokers answer and {@code at}'s topic exists (Shadow never creates one).
   *
   * @throws BadInputException when the brokers cannot be reached, refuse us, or lack the topic
   */
  static Topic check(KafkaLocation at) {
    Properties p = base(at, "shadow-check");
    long timeout = timeoutMs(at);
    p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout);
    p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout, 30_000));
    try (Admin admin = Admin.create(p)) {
      TopicDescription d =
          admin
              .describeTopics(
                  List.of(at.topic()), new DescribeTopicsOptions().timeoutMs((int) timeout))
              .allTopicNames()
              .get()
              .get(at.topic());
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, at.topic());
      int max = 1 << 20;
      try {
        Map<ConfigResource, Config> configs =
            admin
                .describeConfigs(List.of(r), new DescribeConfigsOptions().timeoutMs((int) timeout))
                .all()
                .get();
        var entry = configs.get(r).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        if (entry != null && entry.value() != null) {
          max = Integer.parseInt(entry.value());
        }
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof AuthorizationException)) {
          throw e; // not allowed to read the topic's settings: the default limit is assumed
        }
      }
      return new Topic(d.partitions().size(), max);
    } catch (ExecutionException e) {
      throw refused(at, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BadInputException(at.shown() + ": interrupted while checking the topic");
    } catch (KafkaException e) {
      throw refused(at, e);
    }
  }

  /** The check's timeout: the user's {@code default.api.timeout.ms}, else 15 s. */
  static long timeoutMs(KafkaLocation at) {
    Object v = at.properties().get(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG);
    try {
      return v == null ? CHECK_TIMEOUT.toMillis() : Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new BadInputException(
          at.propertiesFile() + ": default.api.timeout.ms=" + v + " is not a number");
    }
  }

  /** The user's error, as Kafka told it. */
  static BadInputException refused(KafkaLocation at, Throwable cause) {
    if (cause instanceof UnknownTopicOrPartitionException) {
      return new BadInputException(
          at.shown()
              + ": the topic \""
              + at.topic()
              + "\" does not exist (Shadow never creates topics: create it with the partitions and"
              + " retention the run needs, e.g. kafka-topics.sh --create --topic "
              + at.topic()
              + " --partitions 6)");
    }
    if (cause instanceof AuthenticationException) {
      return new BadInputException(
          at.shown()
              + ": the brokers refused to authenticate us ("
              + cause.getMessage()
              + "); check the SASL/TLS settings"
              + (at.propertiesFile() == null
                  ? " (properties=FILE)"
                  : " in " + at.propertiesFile()));
    }
    if (cause instanceof AuthorizationException) {
      return new BadInputException(at.shown() + ": not authorised (" + cause.getMessage() + ")");
    }
    if (cause instanceof TimeoutException) {
      return unreachable(at, timeoutMs(at));
    }
    return new BadInputException(
        at.shown()
            + ": "
            + (cause == null
                ? "failed"
                : cause.getClass().getSimpleName() + ": " + cause.getMessage()));
  }

  static BadInputException unreachable(KafkaLocation at, long timeoutMs) {
    return new BadInputException(
        at.shown()
            + ": no broker answered within "
            + timeoutMs / 1000
            + " s (are "
            + at.brokers()
            + " the brokers' addresses, and is the listener PLAINTEXT? TLS and SASL are set in a"
            + " properties=FILE of client properties)");
  }
}
