package dev.shadowtest.recorder.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.core5.function.Supplier;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;

/**
 * Streams an entity through unchanged (same length or chunking, same trailers) while keeping a
 * copy of its first {@code limit} bytes for the recording. {@code done} runs once, when the body
 * has been written to its destination, failed, or was never written (closed).
 */
final class TeeEntity implements HttpEntity {

  /** How the streaming ended: the source (where the body comes from) or the destination may break off. */
  enum End {
    /** Every byte of the source reached the destination. */
    COMPLETE,
    /** Reading the source failed (closed early, reset, timed out). */
    SOURCE_FAILED,
    /** Writing to the destination failed. */
    DESTINATION_FAILED,
    /** Closed without being written. */
    NOT_WRITTEN
  }

  /**
   * The kept bytes, the size seen, and whether the copy reached the end. Kept bytes are taken
   * from a budget shared by all captures (in flight and queued): when it is spent the copy stops
   * there, flagged as cut, and the live body goes on untouched.
   */
  static final class Capture {
    private byte[] kept; // allocated on the first byte: most requests have no body
    private int keptLength;
    private final int limit;
    private final CaptureBudget budget;
    long size;
    long reserved;
    boolean cutByBudget;
    volatile End end = End.NOT_WRITTEN;

    Capture(int limit, CaptureBudget budget) {
      this.limit = limit;
      this.budget = budget;
    }

    private int keptSize() {
      return keptLength;
    }

    /** Bytes kept so far. */
    int kept() {
      return keptLength;
    }

    void add(byte[] b, int n) {
      int room = (int) Math.min(n, Math.max(0, limit - keptSize()));
      if (room > 0 && !cutByBudget && size == keptSize()) {
        int granted = (int) budget.reserve(room);
        reserved += granted;
        if (granted < room) {
          cutByBudget = true;
        }
        if (granted > 0) {
          if (kept == null) {
            kept = new byte[Math.min(limit, Math.max(granted, 1024))];
          } else if (kept.length - keptLength < granted) {
            kept =
                Arrays.copyOf(
                    kept,
                    (int) Math.min(limit, Math.max(keptLength + (long) granted, kept.length * 2L)));
          }
          System.arraycopy(b, 0, kept, keptLength, granted);
          keptLength += granted;
        }
      }
      size += n;
    }

    /** Gives the kept bytes back to the budget (the exchange was written or dropped). */
    void release() {
      budget.release(reserved);
      reserved = 0;
    }

    /** The kept bytes in place: the first {@link #kept()} of them (an empty array when none). */
    byte[] keptArray() {
      return kept == null ? NO_BYTES : kept;
    }

    private static final byte[] NO_BYTES = new byte[0];

    /** True when the whole body went through: streamed to its end, or every announced byte seen. */
    boolean complete(long declaredLength) {
      return end == End.COMPLETE || declaredLength >= 0 && size >= declaredLength;
    }
  }

  /**
   * The copy buffer, one per connection thread: a body streams through it and nothing else holds
   * it (a fresh 16 KB array per response was most of the recorder's garbage).
   */
  static final ThreadLocal<byte[]> COPY_BUFFER = ThreadLocal.withInitial(() -> new byte[16 * 1024]);

  private final HttpEntity source;
  private final Capture capture;
  private final Runnable done;
  private final AtomicBoolean finished = new AtomicBoolean();

  TeeEntity(HttpEntity source, Capture capture, Runnable done) {
    this.source = source;
    this.capture = capture;
    this.done = done;
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    End end = End.SOURCE_FAILED;
    try (InputStream in = source.getContent()) {
      byte[] buf = COPY_BUFFER.get();
      while (true) {
        end = End.SOURCE_FAILED;
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        end = End.DESTINATION_FAILED;
        out.write(buf, 0, n);
        if (in.available() <= 0) {
          out.flush(); // nothing more yet: what came goes on now (server-sent events, long polls)
        }
        capture.add(buf, n);
      }
      end = End.COMPLETE;
    } finally {
      capture.end = end;
      finish();
    }
  }

  private void finish() {
    if (finished.compareAndSet(false, true)) {
      done.run();
    }
  }

  @Override
  public InputStream getContent() throws IOException {
    throw new UnsupportedOperationException("streamed with writeTo only");
  }

  @Override
  public boolean isRepeatable() {
    return false;
  }

  @Override
  public boolean isStreaming() {
    return true;
  }

  @Override
  public Supplier<List<? extends Header>> getTrailers() {
    return source.getTrailers();
  }

  @Override
  public long getContentLength() {
    return source.getContentLength();
  }

  @Override
  public String getContentType() {
    return source.getContentType();
  }

  @Override
  public String getContentEncoding() {
    return source.getContentEncoding();
  }

  @Override
  public boolean isChunked() {
    return source.isChunked();
  }

  @Override
  public Set<String> getTrailerNames() {
    return source.getTrailerNames();
  }

  @Override
  public void close() throws IOException {
    try {
      source.close();
    } finally {
      finish();
    }
  }
}
