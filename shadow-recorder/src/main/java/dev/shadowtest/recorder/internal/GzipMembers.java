package dev.shadowtest.recorder.internal;

import java.nio.ByteBuffer;
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

  /**
   * Direct buffers for zlib: given heap arrays, the JDK pins them for the whole call, and the
   * garbage collector waits for every thread inside zlib (G1's "GCLocker Initiated" pauses, several
   * milliseconds with several compressing threads); direct memory is never pinned.
   */
  private ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);

  private ByteBuffer deflated = ByteBuffer.allocateDirect(64 * 1024);

  /** {@code level}: 1 (fastest) .. 9 (smallest). */
  public GzipMembers(int level) {
    this.deflater = new Deflater(level, true);
  }

  /** Compresses {@code data[0, n)} into one member; {@link #bytes()}/{@link #length()} hold it until the next call. */
  public void compress(byte[] data, int n) {
    if (in.capacity() < n || in.capacity() > (4 << 20) && n < (1 << 20)) {
      in = ByteBuffer.allocateDirect(Math.max(n, 64 * 1024));
    }
    in.clear();
    in.put(data, 0, n).flip();
    deflater.reset();
    crc.reset();
    crc.update(in);
    in.flip();
    System.arraycopy(HEADER, 0, out, 0, HEADER.length);
    length = HEADER.length;
    deflater.setInput(in);
    deflater.finish();
    while (!deflater.finished()) {
      deflated.clear();
      deflater.deflate(deflated);
      deflated.flip();
      int k = deflated.remaining();
      if (out.length - length < k + 8) {
        out = Arrays.copyOf(out, Math.max(out.length * 2, length + k + 8));
      }
      deflated.get(out, length, k);
      length += k;
    }
    writeIntLe((int) crc.getValue());
    writeIntLe(n);
    if (out.length > (4 << 20) && length < (1 << 20)) {
      byte[] small = Arrays.copyOf(out, Math.max(length, 64 * 1024));
      out = small; // after a huge batch, the memory goes back
    }
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
