package dev.shadowtest.kafka;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.UnwritableExchangeException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes exchanges to a topic: one record per exchange, its value one recording line (redacted
 * before it gets here, like a file's), its timestamp the exchange's start, its key the value of a
 * request header when {@code key=header:NAME} is given (a session's exchanges then stay in one
 * partition, in order), and the recording header in the record header {@value #HEADER}. Records
 * go out compressed (lz4) and acknowledged by all in-sync replicas. {@link #write} never waits for
 * the brokers longer than {@code max.block.ms} (1 s): a broker that is down or slow makes writes
 * fail or deliveries fail later, counted by {@link #lost}. An exchange larger than the topic takes
 * has its bodies cut to fit, as {@code --max-body} cuts them.
 */
final class KafkaSink implements ExchangeSink {

  /** The record header that holds the recording header's line (format, version, redaction). */
  static final String HEADER = "shadow-recording";

  /** Room kept in a record beside its value: key, timestamp, headers' framing. */
  private static final int RECORD_OVERHEAD = 1024;

  private final KafkaLocation at;
  private final KafkaProducer<byte[], byte[]> producer;
  private final List<Header> headers;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(16 << 10);
  private final RecordingWriter lines;
  private final AtomicLong lost = new AtomicLong();
  private volatile String lastFailure;

  KafkaSink(KafkaLocation at, RecordingHeader header) {
    this.at = at;
    Clients.Topic topic = Clients.check(at);
    byte[] headerLine = RecordingWriter.headerLine(header);
    headerLine = Arrays.copyOf(headerLine, headerLine.length - 1); // without its line break
    this.headers = List.of(new RecordHeader(HEADER, headerLine));
    Properties p = new Properties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 << 10);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
    p.putAll(Clients.base(at, "shadow-record"));
    int maxRequest = intSetting(p, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20);
    long limit =
        (long) Math.min(maxRequest, topic.maxMessageBytes()) - headerLine.length - RECORD_OVERHEAD;
    if (limit < 4096) {
      throw new BadInputException(
          at.shown()
              + ": records may hold at most "
              + Math.min(maxRequest, topic.maxMessageBytes())
              + " bytes (the topic's max.message.bytes or the producer's max.request.size): too"
              + " small for recorded exchanges");
    }
    this.lines = RecordingWriter.lines(buffer, limit);
    try {
      this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    } catch (KafkaException e) {
      throw Clients.refused(at, e); // a client property Kafka refuses
    }
  }

  private static int intSetting(Properties p, String name, int otherwise) {
    Object v = p.get(name);
    try {
      return v == null ? otherwise : Integer.parseInt(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new BadInputException(name + "=" + v + " is not a number");
    }
  }

  @Override
  public void write(Exchange exchange) {
    buffer.reset();
    lines.write(exchange); // cut to fit the topic's records, counted in cutToFit()
    lines.flush();
    byte[] encoded = buffer.toByteArray();
    byte[] value = Arrays.copyOf(encoded, encoded.length - 1); // one line, no line break
    byte[] key =
        at.keyHeader() == null
            ? null
            : exchange.request().headers().first(at.keyHeader()).map(KafkaSink::key).orElse(null);
    Long time = exchange.startedAt() == null ? null : exchange.startedAt().toEpochMilli();
    producer.send(
        new ProducerRecord<>(at.topic(), null, time, key, value, headers),
        (metadata, failure) -> {
          if (failure != null) {
            lost.incrementAndGet();
            lastFailure = failure.getClass().getSimpleName() + ": " + failure.getMessage();
          }
        });
  }

  /** Keys longer than {@value #MAX_KEY} bytes: by their SHA-256, which keeps sessions apart. */
  static final int MAX_KEY = 256;

  static byte[] key(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_KEY) {
      return bytes;
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public void writeLine(String line) {
    Exchange e;
    try {
      e = RecordingReader.parseExchange(line.getBytes(StandardCharsets.UTF_8));
    } catch (BadInputException x) {
      throw new UnwritableExchangeException("not a recording line: " + x.getMessage());
    }
    write(e);
  }

  @Override
  public long lost() {
    return lost.get();
  }

  /** Exchanges whose bodies were cut to fit the topic's records. */
  long cut() {
    return lines.cutToFit();
  }

  /** Why the last delivery failed, or null. */
  String lastFailure() {
    return lastFailure;
  }

  /** Records go out on their own within {@code linger.ms}; nothing to wait for here. */
  @Override
  public void flush() {}

  /** Delivers what is pending (for up to 30 s; what is not delivered then is counted lost). */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      producer.close(Duration.ofSeconds(30));
    }
  }

  private boolean closed;
}
