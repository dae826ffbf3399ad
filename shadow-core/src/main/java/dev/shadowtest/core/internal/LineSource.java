package dev.shadowtest.core.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into '\n'-terminated lines without decoding them, so Jackson can parse
 * UTF-8 bytes directly. Memory is bounded by the longest line. Knows whether the last line was
 * terminated, and whether the stream ended abruptly (a gzip file cut off by a crash).
 */
public final class LineSource implements AutoCloseable {

  /** No line may be longer: a file without newlines must not exhaust memory. */
  public static final int MAX_LINE_BYTES = 256 << 20;

  /** Thrown when a line exceeds {@link #MAX_LINE_BYTES}. */
  public static final class LineTooLongException extends IOException {
    public LineTooLongException() {
      super("line is longer than " + (MAX_LINE_BYTES >> 20) + " MiB (not a recording, or a corrupt one)");
    }
  }

  private final InputStream in;
  private byte[] buf = new byte[1 << 16];
  private int start; // start of the unconsumed data
  private int end; // end of the valid data
  private int scanFrom; // where to continue looking for '\n'
  private boolean eof;
  private IOException abruptEnd;

  private int lineStart;
  private int lineLength;
  private boolean lineTerminated;

  public LineSource(InputStream in) {
    this.in = in;
  }

  /** Advances to the next line; false at the end of input. */
  public boolean next() throws IOException {
    while (true) {
      for (int i = scanFrom; i < end; i++) {
        if (buf[i] == '\n') {
          lineStart = start;
          lineLength = i - start;
          lineTerminated = true;
          start = i + 1;
          scanFrom = start;
          return true;
        }
      }
      scanFrom = end;
      if (eof) {
        if (start < end) {
          lineStart = start;
          lineLength = end - start;
          lineTerminated = false;
          start = end;
          return true;
        }
        return false;
      }
      fill();
    }
  }

  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      scanFrom -= start;
      start = 0;
    }
    if (end == buf.length) {
      if (buf.length >= MAX_LINE_BYTES) {
        throw new LineTooLongException();
      }
      buf = Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_LINE_BYTES));
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

  public int lineLength() {
    return lineLength;
  }

  /** False for a last line that ended without '\n'. */
  public boolean lineTerminated() {
    return lineTerminated;
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
