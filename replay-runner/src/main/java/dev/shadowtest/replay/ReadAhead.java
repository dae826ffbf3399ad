package dev.shadowtest.replay;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToLongFunction;

/**
 * What the reading thread has read and the sender has not taken yet: at most {@code items} of
 * them, and at most {@code bytes} of what they hold (plus the one item that went over). One
 * thread offers, any thread takes.
 *
 * <p>Why bytes as well as items: read-ahead is live memory, and a young collection copies it. A
 * thousand exchanges with 20 KB bodies are 20 MB, copied by every young collection and promoted
 * to the old generation in turn (full collections follow). Replaying 20 KB bodies on one core,
 * that cost the collector 1.4–1.8 µs per exchange, and 0.4 µs bounded to 2 MiB; a million of them
 * with a 256 MB heap left 165–193 MB after a collection, and 25 MB bounded; 1,024 bodies of 300
 * KB are more than that whole heap (docs/PERFORMANCE.md, "Read-ahead bounded in bytes").
 * Small bodies reach the item bound first, as before.
 */
final class ReadAhead<T> {

  private final ArrayBlockingQueue<T> queue;
  private final int items;
  private final long bytes;
  private final ToLongFunction<T> sizeOf;
  private final AtomicLong held = new AtomicLong();
  private volatile Thread waiting; // the offering thread, while it waits in awaitHalfEmpty

  /**
   * @param items the most items held (1 or more)
   * @param bytes the most bytes held before one more is refused (1 or more); an item offered when
   *     none is held is always taken, whatever its size
   * @param sizeOf what an item holds, in bytes (0 or more)
   */
  ReadAhead(int items, long bytes, ToLongFunction<T> sizeOf) {
    if (items < 1 || bytes < 1) {
      throw new IllegalArgumentException("bounds must be positive: " + items + ", " + bytes);
    }
    this.queue = new ArrayBlockingQueue<>(items);
    this.items = items;
    this.bytes = bytes;
    this.sizeOf = sizeOf;
  }

  /** Adds {@code item} if it is within both bounds now; false if not (nothing added). */
  boolean offer(T item) throws InterruptedException {
    return held.get() < bytes && offerByCount(item, 0, TimeUnit.NANOSECONDS);
  }

  /**
   * Adds {@code item} when there is room for it by count within {@code timeout} (0: now), whatever
   * the bytes held: for the end marker, an item put back, and after {@link #halfEmpty()}; false if
   * not (nothing added).
   */
  boolean offerByCount(T item, long timeout, TimeUnit unit) throws InterruptedException {
    long size = sizeOf.applyAsLong(item);
    held.addAndGet(size);
    if (queue.offer(item, timeout, unit)) {
      return true;
    }
    held.addAndGet(-size);
    return false;
  }

  /** The next item, or null when none is held. */
  T poll() {
    return taken(queue.poll());
  }

  /** The next item, waiting up to {@code timeout} for one; null when none came. */
  T poll(long timeout, TimeUnit unit) throws InterruptedException {
    return taken(queue.poll(timeout, unit));
  }

  /**
   * True when at most half of each bound is held: where a reading thread that found no room waits
   * for, so that it is not woken, and does not wake its taker, for every item taken.
   */
  boolean halfEmpty() {
    return queue.size() <= items / 2 && held.get() <= bytes / 2;
  }

  /**
   * Waits until {@link #halfEmpty()}, at most {@code nanos}: the taker that makes it so wakes the
   * waiting thread (with a small bound in bytes, half of it may be a few items, sent in a
   * millisecond). True when half empty. For the one offering thread.
   */
  boolean awaitHalfEmpty(long nanos) {
    if (halfEmpty()) {
      return true;
    }
    waiting = Thread.currentThread();
    try {
      // checked again after saying so: a taker that emptied it in between saw no one to wake
      if (!halfEmpty()) {
        LockSupport.parkNanos(this, nanos);
      }
      return halfEmpty();
    } finally {
      waiting = null;
    }
  }

  /** The bytes held now (by {@code sizeOf}). */
  long heldBytes() {
    return held.get();
  }

  private T taken(T item) {
    if (item != null) {
      held.addAndGet(-sizeOf.applyAsLong(item));
      Thread w = waiting;
      if (w != null && halfEmpty()) {
        LockSupport.unpark(w);
      }
    }
    return item;
  }
}
