package dev.shadowtest.core.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Splits a byte stream into '\n'-terminated lines without decoding them, so Jackson can parse
 * UTF-8 bytes directly. Knows whether the last line was terminated, and whether the stream ended
 * abruptly (a gzip file cut off by a crash).
 *
 * <p>Memory is bounded by the line limit, whatever the input: a line longer than the limit is
 * returned as its first {@code limit} bytes with {@link #lineTooLong()} set, and the next call
 * to {@link #next()} skips the rest of it (up to the next '\n') through the same buffer. A file
 * without newlines (binary data, {@code /dev/zero}) therefore never exhausts memory.
 */
public final class LineSource implements AutoCloseable {

  /** The default line limit: the longest line a recording may hold. */
  public static final int MAX_LINE_BYTES = 256 << 20;

  private final InputStream in;
  private int limit;
  private byte[] buf;
  private long base; // stream offset of buf[0]
  private int start; // start of the unconsumed data
  private int end; // end of the valid data
  private int scanFrom; // where to continue looking for '\n'
  private boolean eof;
  private boolean skipping; // the current line was too long: its rest is skipped by next()
  private IOException abruptEnd;

  private int lineStart;
  private int lineLength;
  private boolean lineTerminated;
  private boolean lineTooLong;
  private long lineOffset;

  /** Lines of at most {@link #MAX_LINE_BYTES}. */
  public LineSource(InputStream in) {
    this(in, MAX_LINE_BYTES);
  }

  /** Lines of at most {@code limit} bytes (without the '\n'). */
  public LineSource(InputStream in, int limit) {
    if (limit < 1 || limit > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("line limit out of range: " + limit);
    }
    this.in = in;
    this.limit = limit;
    this.buf = new byte[Math.min(1 << 16, limit + 1)];
  }

  /** The longest line returned whole; longer ones are cut and flagged {@link #lineTooLong()}. */
  public int limit() {
    return limit;
  }

  /** Changes the limit for the lines after the current one (a reader may want a short first line). */
  public void limit(int newLimit) {
    if (newLimit < 1 || newLimit > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("line limit out of range: " + newLimit);
    }
    limit = newLimit;
  }

  /** Advances to the next line; false at the end of input. */
  public boolean next() throws IOException {
    if (skipping && !skipRestOfLine()) {
      return false;
    }
    while (true) {
      int scanEnd = (int) Math.min(end, (long) start + limit + 1);
      int nl = indexOfNewline(buf, scanFrom, scanEnd);
      if (nl >= 0) {
        return line(nl - start, true, false, nl + 1);
      }
      scanFrom = scanEnd;
      if (end - start > limit) {
        skipping = true;
        return line(limit, false, true, start + limit);
      }
      if (eof) {
        return start < end && line(end - start, false, false, end);
      }
      fill();
    }
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /** The index of the first '\n' in {@code b[from, to)}, or -1 ({@link #indexOfByte}). */
  static int indexOfNewline(byte[] b, int from, int to) {
    return indexOfByte(b, from, to, (byte) '\n');
  }

  /**
   * The index of the first {@code value} in {@code b[from, to)}, or -1. Eight bytes at a time: a
   * byte of {@code x = word ^ pattern} (the value in every byte) is zero where the word holds the
   * value, and {@code (x - ONES) & ~x & HIGHS} sets the high bit of the lowest such byte (a borrow
   * only marks bytes above a zero byte, never below one), so in little-endian order its trailing
   * zeros give the first one. On long lines (a 20 KB body) this is several times faster than a
   * loop over the bytes, which the JIT does not vectorise. Lines look for '\n', a recording's raw
   * bodies for their rare escapes.
   */
  public static int indexOfByte(byte[] b, int from, int to, byte value) {
    long pattern = ONES * (value & 0xff);
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      long found = zero((long) LONGS.get(b, i) ^ pattern);
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }

  /**
   * True when {@code b[from, to)} is ASCII (every byte below 0x80) without {@code value} (an ASCII
   * byte): both tests in one pass, a word at a time, ending at the first word that fails either.
   */
  public static boolean plainAscii(byte[] b, int from, int to, byte value) {
    long pattern = ONES * (value & 0xff);
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      long w = (long) LONGS.get(b, i);
      if ((w & HIGHS) != 0 || zero(w ^ pattern) != 0) {
        return false;
      }
    }
    for (; i < to; i++) {
      if (b[i] < 0 || b[i] == value) {
        return false;
      }
    }
    return true;
  }

  /**
   * True when every byte of {@code b[from, to)} is ASCII (below 0x80): a word at a time, ending at
   * the first word that is not.
   */
  public static boolean isAscii(byte[] b, int from, int to) {
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      if (((long) LONGS.get(b, i) & HIGHS) != 0) {
        return false;
      }
    }
    for (; i < to; i++) {
      if (b[i] < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The index of the first of three bytes in {@code b[from, to)}, or -1: the word search of
   * {@link #indexOfByte} for each, in one pass (a borrow may mark a byte above a real find, never
   * below it, so the lowest mark of the three is real).
   */
  public static int indexOfAny(byte[] b, int from, int to, byte x, byte y, byte z) {
    long px = ONES * (x & 0xff);
    long py = ONES * (y & 0xff);
    long pz = ONES * (z & 0xff);
    int i = from;
    for (; i <= to - Long.BYTES; i += Long.BYTES) {
      long w = (long) LONGS.get(b, i);
      long found = zero(w ^ px) | zero(w ^ py) | zero(w ^ pz);
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == x || b[i] == y || b[i] == z) {
        return i;
      }
    }
    return -1;
  }

  /** The high bit of each zero byte of {@code x} (and maybe of bytes above the lowest one). */
  private static long zero(long x) {
    return (x - ONES) & ~x & HIGHS;
  }

  private boolean line(int length, boolean terminated, boolean tooLong, int next) {
    lineStart = start;
    lineLength = length;
    lineTerminated = terminated;
    lineTooLong = tooLong;
    lineOffset = base + start;
    start = next;
    scanFrom = next;
    return true;
  }

  /** Discards input up to and including the next '\n'; false when the input ends first. */
  private boolean skipRestOfLine() throws IOException {
    while (true) {
      int nl = indexOfNewline(buf, start, end);
      if (nl >= 0) {
        start = nl + 1;
        scanFrom = start;
        skipping = false;
        return true;
      }
      start = end;
      scanFrom = end;
      if (eof) {
        skipping = false;
        return false;
      }
      fill();
    }
  }

  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      base += start;
      end -= start;
      scanFrom -= start;
      start = 0;
    }
    if (end == buf.length) {
      // never reached at limit + 1 bytes: next() returns a too-long line before it asks for more
      buf = Arrays.copyOf(buf, (int) Math.min(buf.length * 2L, limit + 1L));
    }
    int n;
    try {
      n = in.read(buf, end, buf.length - end);
    } catch (EOFException e) {
      // GZIPInputStream on a file cut mid-write: everything decoded so far is kept.
      abruptEnd = e;
      n = -1;
    }
    if (n < 0) {
      eof = true;
    } else {
      end += n;
    }
  }

  public byte[] buffer() {
    return buf;
  }

  public int lineStart() {
    return lineStart;
  }

  /** The length of the current line, or of its kept prefix ({@link #limit()}) when too long. */
  public int lineLength() {
    return lineLength;
  }

  /** False for a last line that ended without '\n', and for a line that is too long. */
  public boolean lineTerminated() {
    return lineTerminated;
  }

  /** True when the current line is longer than {@link #limit()}: only its prefix is held. */
  public boolean lineTooLong() {
    return lineTooLong;
  }

  /** The offset in the (decompressed) stream of the current line's first byte. */
  public long lineOffset() {
    return lineOffset;
  }

  /** The error when the compressed stream ended before its trailer, or null. */
  public IOException abruptEnd() {
    return abruptEnd;
  }

  /** True when the current line holds only whitespace. */
  public boolean lineIsBlank() {
    for (int i = lineStart; i < lineStart + lineLength; i++) {
      byte b = buf[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
