package dev.shadowtest.recorder;

import java.util.Locale;

/**
 * Why a captured exchange (or a mirror copy) was lost. {@link RecorderStats#dropped()} counts them
 * by {@link #label()} ({@code queue-full}, {@code write-error}...), as the admin endpoint and the
 * stats lines show them; the live traffic itself is never held back or broken.
 */
public enum DropReason {
  /** The writer's queue was full: the disk could not keep up. */
  QUEUE_FULL,
  /** Captured while the recorder was stopping. */
  STOPPING,
  /** Still queued when the stop gave up waiting for the writer. */
  NOT_WRITTEN_AT_STOP,
  /** Redaction failed: nothing unredacted is ever written. */
  REDACTION_ERROR,
  /** More headers or tags than any recording line may hold. */
  UNWRITABLE_EXCHANGE,
  /** The recording file could not be written (disk full, I/O error). */
  WRITE_ERROR,
  /**
   * Accepted by an asynchronous sink (Kafka) whose delivery then failed: a broker down or slow
   * for longer than the producer's {@code delivery.timeout.ms}.
   */
  DELIVERY_FAILED,
  /** Written but not flushed to disk. */
  FLUSH_ERROR,
  /** Lost when the recording file was closed. */
  CLOSE_ERROR,
  /** The mirror had its maximum of copies in flight. */
  MIRROR_BUSY,
  /** The mirror's result could not be written. */
  MIRROR_WRITE_ERROR,
  /** The mirror's report could not be written. */
  MIRROR_REPORT_ERROR;

  /** The lower-case, hyphenated name the stats show: {@code queue-full}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
