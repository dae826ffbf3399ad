package dev.shadowtest.kafka;

import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.ExchangeSource;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.RecordingHeader;
import java.net.URI;
import java.util.function.Consumer;

/**
 * {@code kafka:} recordings: {@code kafka://host:9092[,host2:9092]/topic[?group=G&properties=FILE
 * &key=header:NAME&from=T&until=T]}. The recorder and {@code shadow import} write one record per
 * exchange ({@code key} keeps a session in one partition); replay reads the topic, alone or, with
 * {@code group}, as one worker of a consumer group that shares the partitions (docs/kafka.md).
 * {@code properties} names a file of Kafka client properties (TLS, SASL, timeouts).
 */
public final class KafkaStorage implements ExchangeStorage {

  @Override
  public String scheme() {
    return "kafka";
  }

  @Override
  public ExchangeSink openSink(URI target, RecordingHeader header) {
    KafkaLocation at = KafkaLocation.parse(target);
    return new KafkaSink(at, header);
  }

  @Override
  public ExchangeSource openSource(URI source, Consumer<String> warnings) {
    return new KafkaSource(KafkaLocation.parse(source), warnings);
  }
}
