package dev.shadowtest.core;

import java.io.Flushable;

/**
 * Where exchanges are written: a recording file ({@link RecordingWriter}), or any storage an
 * {@link ExchangeStorage} reaches (a Kafka topic...). Used by one thread at a time; a failure is
 * an exception (the recorder counts it, never throwing it at live traffic).
 *
 * <pre>{@code
 * try (ExchangeSink sink = ExchangeStorage.sink("rec.jsonl.gz", RecordingHeader.now("me", Redaction.defaults()))) {
 *   sink.write(exchange);
 * }
 * }</pre>
 */
public interface ExchangeSink extends AutoCloseable, Flushable {

  /** Writes one exchange. */
  void write(Exchange exchange);

  /**
   * Writes one exchange already encoded as one recording line (the JSON of
   * docs/recording-format.md, without the line break): the fast path of producers that encode
   * without building an {@link Exchange}.
   *
   * @throws UnwritableExchangeException before writing anything, when it is not one line
   */
  void writeLine(String line);

  /**
   * Exchanges that {@link #write} accepted and that were lost afterwards: an asynchronous sink
   * (Kafka) whose delivery failed. The recorder counts them as dropped ({@code delivery-failed}).
   */
  default long lost() {
    return 0;
  }

  /** Makes what was written so far durable enough to survive a crash of the process. */
  @Override
  void flush();

  @Override
  void close();
}
