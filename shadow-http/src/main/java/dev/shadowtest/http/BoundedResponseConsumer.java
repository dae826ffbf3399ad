package dev.shadowtest.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpResponse;

/**
 * Keeps the first {@code limit} bytes of a response body and drains the rest without storing it,
 * counting its size: a candidate that answers 10 GB costs {@code limit} bytes of memory, and the
 * comparison still learns the real size. Flow control is the reactor's: the window grows by
 * {@link #capacityIncrement()} as data is consumed.
 */
final class BoundedResponseConsumer
    extends AbstractBinResponseConsumer<BoundedResponseConsumer.Received> {

  /** What arrived: the head, the kept bytes (null when no body came), and the body's real size. */
  record Received(HttpResponse head, byte[] kept, long size) {
    boolean cut() {
      return kept != null && size > kept.length;
    }
  }

  /**
   * The most that is set aside before any body arrives, when the response announces its length:
   * a candidate that announces gigabytes and sends a few bytes does not make every exchange in
   * flight hold {@code limit} bytes.
   */
  static final int MAX_PRESIZED = 1 << 20;

  private final int limit;
  private HttpResponse head;

  /** The kept bytes are {@code kept[0, keptLength)}; null until the body's first bytes. */
  private byte[] kept;

  private int keptLength;

  /** The body's length as announced (Content-Length), or -1. */
  private long announced = -1;

  /** Body bytes seen so far; read by the deadline timer. */
  private volatile long size;

  BoundedResponseConsumer(int limit) {
    this.limit = limit;
  }

  /** Body bytes received so far (kept or drained). */
  long size() {
    return size;
  }

  /** The bytes set aside for the body so far (kept or not yet filled). */
  int reserved() {
    return kept == null ? 0 : kept.length;
  }

  boolean beyondLimit() {
    return size > limit;
  }

  @Override
  protected void start(HttpResponse response, ContentType contentType) {
    head = response;
    Header length = response.getFirstHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      try {
        announced = Long.parseLong(length.getValue().strip());
      } catch (NumberFormatException e) {
        announced = -1; // the client's framing decides: kept as it comes
      }
    }
  }

  @Override
  protected int capacityIncrement() {
    return 1 << 16;
  }

  @Override
  protected void data(ByteBuffer src, boolean endOfStream) {
    int n = src.remaining();
    if (kept == null) {
      // the announced length when there is one (one array, filled in place), else grown as needed
      long first = announced >= n ? Math.min(announced, MAX_PRESIZED) : Math.max(n, 1024);
      kept = new byte[(int) Math.min(limit, first)];
    }
    int room = (int) Math.max(0, Math.min(n, (long) limit - keptLength));
    if (room > 0) {
      if (keptLength + room > kept.length) {
        kept =
            Arrays.copyOf(
                kept, (int) Math.min(limit, Math.max(keptLength + room, kept.length * 2L)));
      }
      src.get(kept, keptLength, room);
      keptLength += room;
    }
    src.position(src.limit()); // the rest is drained: counted, not stored
    size += n;
  }

  @Override
  protected Received buildResult() {
    byte[] body =
        kept == null || keptLength == kept.length ? kept : Arrays.copyOf(kept, keptLength);
    return new Received(head, body, size);
  }

  @Override
  public void releaseResources() {
    // nothing held beyond the result
  }
}
