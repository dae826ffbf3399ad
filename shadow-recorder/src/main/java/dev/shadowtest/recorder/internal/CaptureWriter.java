package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.UnwritableExchangeException;
import dev.shadowtest.recorder.DropReason;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Takes captured exchanges off the live path: {@link #offer} never blocks (a full queue drops
 * and counts), one thread writes them to the sink, flushing whenever the queue runs dry (so a
 * crash loses at most what was in flight). A sink that fails is counted per exchange; one that
 * blocks only fills the queue.
 */
public final class CaptureWriter implements AutoCloseable {

  /** A capture waiting for the writer: built, redacted and written there, never on the live path. */
  public record Pending(Supplier<Exchange> build, Runnable release) {}

  private static final Pending END = new Pending(() -> null, () -> {});

  private final BlockingQueue<Pending> queue;
  private final ExchangeSink sink;
  private final Counters counters;
  private final UnaryOperator<Exchange> process;
  private final Thread thread;
  private volatile boolean closing;

  /** {@code process} turns a raw exchange into what is written (redaction), on the writer thread. */
  public CaptureWriter(
      int capacity, ExchangeSink sink, Counters counters, UnaryOperator<Exchange> process) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.sink = sink;
    this.counters = counters;
    this.process = process;
    this.thread = new Thread(this::run, "shadow-recorder-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues an exchange for disk, or drops and counts it when the queue is full. Never blocks. */
  public void offer(Pending p) {
    if (closing || !queue.offer(p)) {
      p.release().run();
      counters.drop(closing ? DropReason.STOPPING : DropReason.QUEUE_FULL);
    }
  }

  private void run() {
    boolean dirty = false;
    while (true) {
      Pending e;
      try {
        e = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ex) {
        break;
      }
      if (e == null) {
        if (dirty) {
          flush();
          dirty = false;
        }
        continue;
      }
      if (e == END) {
        break;
      }
      Exchange safe;
      try {
        safe = process.apply(e.build().get());
      } catch (Throwable ex) { // a redaction that fails: never written unredacted, and counted
        e.release().run();
        counters.drop(DropReason.REDACTION_ERROR);
        continue;
      }
      try {
        sink.write(safe);
        counters.recorded(safe.id());
        dirty = true;
      } catch (UnwritableExchangeException ex) {
        counters.drop(
            DropReason.UNWRITABLE_EXCHANGE); // e.g. more headers than any recording line may hold
      } catch (Throwable ex) {
        if (Thread.currentThread().isInterrupted()
            || ex.getCause() instanceof InterruptedException) {
          // a sink that hung until the stop gave up on it
          counters.drop(DropReason.NOT_WRITTEN_AT_STOP);
          e.release().run();
          break;
        }
        counters.drop(DropReason.WRITE_ERROR);
      } finally {
        e.release().run();
      }
    }
  }

  private void flush() {
    try {
      sink.flush();
    } catch (Exception ex) {
      counters.drop(DropReason.FLUSH_ERROR);
    }
  }

  /** Writes everything queued (waiting up to {@code millis}), then closes the sink. */
  public void close(long millis) throws InterruptedException {
    closing = true;
    long deadline = System.currentTimeMillis() + millis;
    while (!queue.offer(END)) {
      if (System.currentTimeMillis() > deadline) {
        thread.interrupt();
        break;
      }
      Thread.sleep(10);
    }
    thread.join(Math.max(1, deadline - System.currentTimeMillis()));
    if (thread.isAlive()) {
      thread.interrupt(); // a blocked sink: what is still queued is lost, and counted
      thread.join(1000);
    }
    int lost = queue.size();
    for (int i = 0; i < lost; i++) {
      Pending p = queue.poll();
      if (p != null && p != END) {
        p.release().run();
        counters.drop(DropReason.NOT_WRITTEN_AT_STOP);
      }
    }
    try {
      sink.close();
    } catch (Exception e) {
      counters.drop(DropReason.CLOSE_ERROR);
    }
  }

  @Override
  public void close() throws InterruptedException {
    close(30_000);
  }
}
