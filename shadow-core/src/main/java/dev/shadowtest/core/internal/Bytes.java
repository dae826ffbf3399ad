package dev.shadowtest.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Searches in byte arrays eight bytes at a time (a byte-by-byte loop with an early exit is not
 * vectorised by the JIT): a recording's lines are scanned for their end, and JSON strings for
 * what ends a plain run of them, for every exchange read.
 */
public final class Bytes {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long NEWLINES = ONES * '\n';
  private static final long QUOTES = ONES * '"';
  private static final long BACKSLASHES = ONES * '\\';
  private static final long SPACES = ONES * ' ';

  private Bytes() {}

  /** The index of the first {@code '\n'} in {@code b[from, to)}, or -1. */
  public static int indexOfNewline(byte[] b, int from, int to) {
    int i = from;
    for (; i <= to - 8; i += 8) {
      long hit = zeroBytes((long) LONGS.get(b, i) ^ NEWLINES);
      if (hit != 0) {
        return i + (Long.numberOfTrailingZeros(hit) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /**
   * The index of the first byte in {@code b[from, to)} that is not plain printable ASCII inside a
   * JSON string: a quote, a backslash, a control character (below 0x20) or a byte of a multi-byte
   * UTF-8 character (0x80 and above); {@code to} when there is none.
   */
  public static int indexOfJsonSpecial(byte[] b, int from, int to) {
    int i = from;
    for (; i <= to - 8; i += 8) {
      long x = (long) LONGS.get(b, i);
      // below 0x20 (the subtraction borrows) or 0x80 and above (the high bit): only bytes above
      // a real hit can be flagged wrongly, and the lowest hit is the one taken
      long hit = zeroBytes(x ^ QUOTES) | zeroBytes(x ^ BACKSLASHES) | ((x - SPACES) | x) & HIGHS;
      if (hit != 0) {
        return i + (Long.numberOfTrailingZeros(hit) >>> 3);
      }
    }
    for (; i < to; i++) {
      int c = b[i] & 0xff;
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) {
        return i;
      }
    }
    return to;
  }

  /**
   * The high bit of each zero byte of {@code x} set, at least for its lowest zero byte (bytes
   * above a zero byte may be flagged too: only the lowest is ever used).
   */
  private static long zeroBytes(long x) {
    return (x - ONES) & ~x & HIGHS;
  }
}
