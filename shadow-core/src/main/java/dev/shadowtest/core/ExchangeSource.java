package dev.shadowtest.core;

import java.util.Iterator;

/**
 * Where exchanges are read from, in order: a recording file ({@link RecordingReader}), or any
 * storage an {@link ExchangeStorage} reaches. An exchange that cannot be read is skipped, counted
 * in {@link #unreadable()} and told as a warning, never silently lost.
 */
public interface ExchangeSource extends Iterator<Exchange>, AutoCloseable {

  /** What the source holds: its producer, when, what it redacted. */
  RecordingHeader header();

  /** Exchanges skipped so far because they could not be read. */
  long unreadable();

  /**
   * Replay tells the source that the exchange {@code id} it served is finished: its result line is
   * written, or it was skipped. A source that confirms what it served (a Kafka consumer group
   * commits offsets) uses it; others ignore it. Called from any thread.
   */
  default void done(String id) {}

  /**
   * Replay calls this once, before reading, when the run keeps the source's progress: a source
   * that can be shared by several runs (a Kafka topic read by a consumer group, each worker taking
   * some partitions) then serves this run's share, and calls {@link Progress#checkpoint} before it
   * confirms what is done. Without it, the source serves everything it holds and confirms nothing.
   */
  default void track(Progress progress) {}

  /**
   * Replay calls this, on the thread that reads, while it cannot take the next exchange yet (its
   * queue is full): a source that must stay in touch meanwhile (a Kafka group member polls, so
   * that the group does not think it dead, and keeps its checkpoints) does so here.
   */
  default void idle() {}

  /** What a run does for a source that tracks its progress. */
  interface Progress {
    /**
     * Makes every result written so far durable, then keeps {@code positions} in the run
     * directory. Only after it returns may the source confirm those positions (commit offsets).
     *
     * @throws RecordingException when the run directory cannot be written
     */
    void checkpoint(SourcePositions positions);
  }

  @Override
  void close();
}
