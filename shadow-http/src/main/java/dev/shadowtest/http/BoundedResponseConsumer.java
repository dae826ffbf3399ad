package dev.shadowtest.http;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.entity.AbstractBinDataConsumer;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Keeps the first {@code limit} bytes of a response body and drains the rest without storing it,
 * counting its size: a candidate that answers 10 GB costs {@code limit} bytes of memory, and the
 * comparison still learns the real size. Flow control is the reactor's: the window grows by
 * {@link #capacityIncrement()} as data is consumed.
 */
final class BoundedResponseConsumer extends AbstractBinDataConsumer
    implements AsyncResponseConsumer<BoundedResponseConsumer.Received> {

  /**
   * What arrived: the head, the kept bytes (null when no body came, or when it was the expected
   * body), the body's real size, and whether it was byte for byte the expected body.
   */
  record Received(HttpResponse head, byte[] kept, long size, boolean expected) {
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

  /**
   * The body the answer is expected to be (the recorded one), compared as the answer streams in
   * and never copied while they agree: a matching answer costs no array, no decoding and no
   * second comparison. Null when there is none to compare with.
   */
  private final ByteBuffer expected;

  /** While true, the body so far is {@code expected[0, matched)}, and nothing is kept. */
  private boolean matching;

  private int matched;

  private HttpResponse head;

  /** The kept bytes are {@code kept[0, keptLength)}; null until the body's first bytes. */
  private byte[] kept;

  private int keptLength;

  /** The body's length as announced (Content-Length), or -1. */
  private long announced = -1;

  /** Body bytes seen so far; read by the deadline timer. */
  private volatile long size;

  BoundedResponseConsumer(int limit) {
    this(limit, null);
  }

  /**
   * Compares the body with {@code expected} (from its position to its limit) as it comes, when
   * there is one to compare with and it is within the limit; else as {@link
   * #BoundedResponseConsumer(int)}.
   */
  BoundedResponseConsumer(int limit, ByteBuffer expected) {
    this.limit = limit;
    boolean usable = expected != null && expected.hasRemaining() && expected.remaining() <= limit;
    this.expected = usable ? expected.slice() : null;
    this.matching = usable;
  }

  /** Body bytes received so far (kept or drained). */
  long size() {
    return size;
  }

  /** The bytes set aside for the body so far (kept or not yet filled). */
  int reserved() {
    return kept == null ? 0 : kept.length;
  }

  /** True once the answer's head came: what fails after it failed while answering. */
  boolean started() {
    return head != null;
  }

  boolean beyondLimit() {
    return size > limit;
  }

  private volatile FutureCallback<Received> resultCallback;

  /**
   * The answer's head. Its Content-Type is not parsed: the body is kept as bytes, whatever charset
   * it declares (HttpClient's consumers fail an answer whose charset the JDK does not know, such
   * as {@code charset=binary}).
   */
  @Override
  public void consumeResponse(
      HttpResponse response,
      EntityDetails entity,
      HttpContext context,
      FutureCallback<Received> resultCallback) {
    this.resultCallback = resultCallback;
    start(response);
    if (entity == null) {
      completed();
    }
  }

  @Override
  public void informationResponse(HttpResponse response, HttpContext context) {
    // 1xx answers are not the answer
  }

  @Override
  protected void completed() {
    resultCallback.completed(buildResult());
  }

  @Override
  public void failed(Exception cause) {
    // the sender learns of it from the exchange's own callback
  }

  void start(HttpResponse response) {
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
    if (matching) {
      if (n <= expected.limit() - matched && src.mismatch(expected.slice(matched, n)) < 0) {
        matched += n;
        src.position(src.limit());
        size += n;
        return;
      }
      matching = false; // it differs here: kept from now on, with what agreed so far
      keepMatched(n);
    }
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

  /**
   * The bytes that agreed with the expected body, kept as if they had come into {@link #kept}
   * (none when nothing came yet), in an array sized as the first bytes would have set it aside,
   * with room for {@code next} more.
   */
  private void keepMatched(int next) {
    if (matched == 0) {
      return;
    }
    long first =
        announced >= matched + (long) next
            ? Math.min(announced, Math.max(MAX_PRESIZED, matched))
            : Math.max(matched + (long) next, 1024);
    kept = new byte[(int) Math.min(limit, first)];
    expected.get(0, kept, 0, matched);
    keptLength = matched;
  }

  Received buildResult() {
    if (matching) {
      if (matched == expected.limit()) {
        return new Received(head, null, size, true); // the expected body, all of it
      }
      matching = false;
      keepMatched(0); // a prefix of it: what came is kept
    }
    byte[] body =
        kept == null || keptLength == kept.length ? kept : Arrays.copyOf(kept, keptLength);
    return new Received(head, body, size, false);
  }

  @Override
  public void releaseResources() {
    // nothing held beyond the result
  }
}
