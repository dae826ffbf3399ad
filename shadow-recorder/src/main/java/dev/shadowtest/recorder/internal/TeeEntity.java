package dev.shadowtest.recorder.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

  /** The kept bytes, the size seen, and whether the copy reached the end. */
  static final class Capture {
    private final ByteArrayOutputStream kept;
    private final int limit;
    long size;
    boolean complete;
    IOException failure;

    Capture(int limit) {
      this.limit = limit;
      this.kept = new ByteArrayOutputStream(Math.min(limit, 8192));
    }

    void add(byte[] b, int n) {
      int room = (int) Math.min(n, Math.max(0, limit - size));
      if (room > 0) {
        kept.write(b, 0, room);
      }
      size += n;
    }

    byte[] bytes() {
      return kept.toByteArray();
    }
  }

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
    try (InputStream in = source.getContent()) {
      byte[] buf = new byte[16 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        capture.add(buf, n);
      }
      capture.complete = true;
    } catch (IOException e) {
      capture.failure = e;
      throw e;
    } finally {
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
