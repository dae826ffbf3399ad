package dev.shadowtest.reconcile;

import dev.shadowtest.reconcile.SideStream.Row;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A side read on a thread of its own, a batch ahead: the two sides' drivers decode their rows in
 * parallel while the merge join runs. At most {@value #BATCHES} batches wait, each of at most
 * {@value #BATCH} rows and about {@value #BATCH_BYTES} bytes (rows of large values make short
 * batches), so memory stays bounded whatever the rows hold. An error on the reading thread is
 * thrown by {@link #next()}.
 */
final class Prefetch implements AutoCloseable {

  static final int BATCH = 1_000;
  static final int BATCHES = 4;
  static final int BATCH_BYTES = 4 << 20;

  private static final Object END = new Object();

  private final SideStream side;
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(BATCHES);
  private final Thread reader;
  private volatile boolean stopped;
  private Iterator<Row> batch = List.<Row>of().iterator();
  private boolean ended;

  Prefetch(SideStream side, String name) {
    this.side = side;
    this.reader = new Thread(this::read, "shadow-reconcile-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try {
      while (!stopped) {
        List<Row> rows = new ArrayList<>();
        Row r = null;
        long bytes = 0;
        while (rows.size() < BATCH && bytes < BATCH_BYTES && (r = side.next()) != null) {
          rows.add(r);
          bytes += size(r);
        }
        if (!rows.isEmpty()) {
          queue.put(rows);
        }
        if (r == null) {
          queue.put(END);
          return;
        }
      }
    } catch (InterruptedException e) {
      // closed before the end
    } catch (RuntimeException | Error e) {
      try {
        queue.put(e);
      } catch (InterruptedException closed) {
        // closed: nobody is left to tell
      }
    }
  }

  /** About how many bytes of heap {@code r} holds (an upper bound for its texts). */
  static long size(Row r) {
    long n = 64;
    for (Object k : r.key()) {
      n += size(k);
    }
    for (Object v : r.values()) {
      n += size(v);
    }
    return n;
  }

  private static long size(Object v) {
    if (v instanceof String s) {
      return 48 + 2L * s.length();
    }
    if (v instanceof List<?> items) {
      long n = 48;
      for (Object item : items) {
        n += size(item);
      }
      return n;
    }
    return 32;
  }

  /** The next row in key order, or null at the end. */
  Row next() {
    while (!batch.hasNext()) {
      if (ended) {
        return null;
      }
      Object item;
      try {
        item = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading " + reader.getName(), e);
      }
      if (item == END) {
        ended = true;
        return null;
      }
      if (item instanceof RuntimeException e) {
        throw e;
      }
      if (item instanceof Error e) {
        throw e;
      }
      @SuppressWarnings("unchecked")
      List<Row> rows = (List<Row>) item;
      batch = rows.iterator();
    }
    return batch.next();
  }

  @Override
  public void close() {
    stopped = true;
    reader.interrupt();
    queue.clear();
    try {
      reader.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    side.close();
  }
}
