package dev.shadowtest.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.core5.http.ContentType;
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

  private final int limit;
  private HttpResponse head;
  private ByteArrayOutputStream kept;

  /** Body bytes seen so far; read by the deadline timer. */
  private volatile long size;

  BoundedResponseConsumer(int limit) {
    this.limit = limit;
  }

  /** Body bytes received so far (kept or drained). */
  long size() {
    return size;
  }

  boolean beyondLimit() {
    return size > limit;
  }

  @Override
  protected void start(HttpResponse response, ContentType contentType) {
    head = response;
  }

  @Override
  protected int capacityIncrement() {
    return 1 << 16;
  }

  @Override
  protected void data(ByteBuffer src, boolean endOfStream) {
    int n = src.remaining();
    if (kept == null) {
      kept = new ByteArrayOutputStream(Math.min(limit, Math.max(n, 1024)));
    }
    int room = (int) Math.max(0, Math.min(n, (long) limit - kept.size()));
    if (room > 0) {
      byte[] chunk = new byte[room];
      src.get(chunk);
      kept.write(chunk, 0, room);
    }
    src.position(src.limit()); // the rest is drained: counted, not stored
    size += n;
  }

  @Override
  protected Received buildResult() {
    return new Received(head, kept == null ? null : kept.toByteArray(), size);
  }

  @Override
  public void releaseResources() {
    // nothing held beyond the result
  }
}
