package dev.shadowtest.core.internal;

import java.io.EOFException;
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

  /** True when {@code buf[from, from + n)} is the beginning of a gzip member header. */
  private boolean startsAMember(int from, int n) {
    if (from < 0 || from + n > buf.length) {
      return false;
    }
    byte[] magic = {0x1f, (byte) 0x8b, 8};
    for (int i = 0; i < Math.min(n, magic.length); i++) {
      if (buf[from + i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    if (n < 0 && !checked) {
      checked = true;
      // At the end, the inflater holds at most the last trailer; anything more, or anything
      // still unread in the file, was not gzip.
      int left = inf.getRemaining() - TRAILER_BYTES;
      if (left > 0 && startsAMember(this.len - left, left) && raw.read() < 0) {
        // the start of one more member, cut off (a crash while it was written): not garbage
        throw new EOFException("the last gzip member was cut off in its header");
      }
      if (left > 0 || raw.read() >= 0) {
        throw new TrailingDataException();
      }
    }
    return n;
  }
}
