package dev.shadowtest.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * A {@link GZIPInputStream} that does not silently drop bytes after the last gzip member
 * ({@code GZIPInputStream} ignores anything that is not another member, e.g. lines appended
 * uncompressed to a {@code .jsonl.gz}): it throws {@link TrailingDataException} instead.
 */
public final class StrictGzipInputStream extends GZIPInputStream {

  /** The gzip data is followed by bytes that are not gzip. */
  public static final class TrailingDataException extends IOException {
    TrailingDataException() {
      super(
          "data after the end of the gzip stream (appended without compression?); refusing to ignore it");
    }
  }

  /** The gzip trailer: CRC32 and ISIZE. */
  private static final int TRAILER_BYTES = 8;

  private final InputStream raw;
  private boolean checked;

  public StrictGzipInputStream(InputStream raw) throws IOException {
    super(raw, 1 << 16);
    this.raw = raw;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    if (n < 0 && !checked) {
      checked = true;
      // At the end, the inflater holds at most the last trailer; anything more, or anything
      // still unread in the file, was not gzip.
      if (inf.getRemaining() > TRAILER_BYTES || raw.read() >= 0) {
        throw new TrailingDataException();
      }
    }
    return n;
  }
}
