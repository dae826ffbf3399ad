package dev.shadowtest.recorder.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of captured bodies the recorder may hold at once (in flight and waiting for disk), so that
 * recording can never run the proxy out of memory: beyond it, kept bodies are cut (and flagged).
 */
public final class CaptureBudget {

  private final AtomicLong remaining;

  public CaptureBudget(long bytes) {
    this.remaining = new AtomicLong(bytes);
  }

  /** The default: a quarter of the heap. */
  public static CaptureBudget ofHeap() {
    return new CaptureBudget(Runtime.getRuntime().maxMemory() / 4);
  }

  /** Takes up to {@code n} bytes; returns how many were granted. */
  long reserve(long n) {
    while (true) {
      long r = remaining.get();
      long granted = Math.min(r, n);
      if (granted <= 0) {
        return 0;
      }
      if (remaining.compareAndSet(r, r - granted)) {
        return granted;
      }
    }
  }

  void release(long n) {
    if (n > 0) {
      remaining.addAndGet(n);
    }
  }
}
