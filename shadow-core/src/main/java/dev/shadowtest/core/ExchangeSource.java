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

  @Override
  void close();
}
