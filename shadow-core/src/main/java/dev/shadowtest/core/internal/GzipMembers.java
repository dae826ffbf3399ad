package dev.shadowtest.core.internal;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Compresses a block of bytes into one complete gzip member (RFC 1952: header, deflate data,
 * CRC-32 and size). Members written one after the other are one valid gzip file (every gzip
 * reader, {@code GZIPInputStream} and {@code zcat} included, reads them as the concatenation), so
 * several threads can compress parts of a recording at once and append them in order. A file cut
 * inside a member still yields every member before it, and the part of the cut one decoded so far.
 *
 * <p>One instance per thread: it reuses its deflater and output array.
 */
public final class GzipMembers {

  private static final byte[] HEADER = {
    0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff // deflate, no flags, no mtime, unknown OS
  };

  private final Deflater deflater;
  private final CRC32 crc = new CRC32();
  private byte[] out = new byte[64 * 1024];
  private int length;

  /** {@code level}: 1 (fastest) .. 9 (smallest). */
  public GzipMembers(int level) {
    this.deflater = new Deflater(level, true);
  }

  /** Compresses {@code data[0, n)} into one member; {@link #bytes()}/{@link #length()} hold it until the next call. */
  public void compress(byte[] data, int n) {
    deflater.reset();
    crc.reset();
    crc.update(data, 0, n);
    System.arraycopy(HEADER, 0, out, 0, HEADER.length);
    length = HEADER.length;
    deflater.setInput(data, 0, n);
    deflater.finish();
    while (!deflater.finished()) {
      if (length == out.length) {
        out = Arrays.copyOf(out, out.length * 2);
      }
      length += deflater.deflate(out, length, out.length - length);
    }
    if (out.length - length < 8) {
      out = Arrays.copyOf(out, out.length + 8);
    }
    writeIntLe((int) crc.getValue());
    writeIntLe(n);
  }

  private void writeIntLe(int v) {
    out[length++] = (byte) v;
    out[length++] = (byte) (v >>> 8);
    out[length++] = (byte) (v >>> 16);
    out[length++] = (byte) (v >>> 24);
  }

  /** The last member's bytes: valid up to {@link #length()}. */
  public byte[] bytes() {
    return out;
  }

  public int length() {
    return length;
  }

  /** Frees the deflater's native memory; the instance is unusable afterwards. */
  public void end() {
    deflater.end();
  }
}
