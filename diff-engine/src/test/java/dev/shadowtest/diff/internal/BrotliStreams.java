package dev.shadowtest.diff.internal;

import java.io.ByteArrayOutputStream;

/**
 * Valid Brotli streams for tests, without an encoder library: the data is stored in uncompressed
 * meta-blocks (RFC 7932, section 9.2), so the stream is a little larger than the data.
 *
 * <pre>{@code
 * HttpResponse r = new HttpResponse(200, "", Headers.of("Content-Encoding", "br"), Body.binary(BrotliStreams.encode(json)));
 * }</pre>
 */
public final class BrotliStreams {

  /** The most one uncompressed meta-block holds with a 4-nibble MLEN. */
  static final int MAX_BLOCK = 1 << 16;

  private BrotliStreams() {}

  /** {@code data} as a Brotli stream that any conforming decoder turns back into {@code data}. */
  public static byte[] encode(byte[] data) {
    Bits out = new Bits();
    out.write(0, 1); // WBITS: a single 0 bit means a 64 KiB window
    for (int from = 0; from < data.length; from += MAX_BLOCK) {
      int length = Math.min(MAX_BLOCK, data.length - from);
      out.write(0, 1); // ISLAST
      out.write(0, 2); // MNIBBLES: 0 means four nibbles
      out.write(length - 1, 16); // MLEN - 1
      out.write(1, 1); // ISUNCOMPRESSED
      out.align();
      out.bytes.write(data, from, length);
    }
    out.write(1, 1); // ISLAST
    out.write(1, 1); // ISLASTEMPTY: the stream ends here
    out.align();
    return out.bytes.toByteArray();
  }

  /** A bit writer: Brotli packs bits starting from the least significant bit of each byte. */
  private static final class Bits {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int pending;
    int count;

    void write(int value, int width) {
      for (int i = 0; i < width; i++) {
        pending |= ((value >>> i) & 1) << count;
        if (++count == 8) {
          flush();
        }
      }
    }

    /** Pads the current byte with zero bits, as the format requires. */
    void align() {
      if (count > 0) {
        flush();
      }
    }

    private void flush() {
      bytes.write(pending);
      pending = 0;
      count = 0;
    }
  }
}
