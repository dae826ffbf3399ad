package dev.shadowtest.core;

import dev.shadowtest.core.internal.LineSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The raw bodies of a version-2 recording line (docs/recording-format.md). A body stored raw is
 * {@code {"raw": N}} in the line's JSON, and its N bytes follow the JSON object, after a tab,
 * with three bytes escaped so that the line stays one line: {@code \} as {@code \\}, LF as
 * {@code \n}, CR as {@code \r}. The request's raw body comes first, then the response's.
 *
 * <p>Reading one costs a word-at-a-time search for the rare {@code \} and, for text, the JDK's
 * UTF-8 decoding; a JSON string holding the same body costs a decoded escape at every quote.
 */
final class RawBodies {

  private RawBodies() {}

  /** How a body is stored raw: its stored bytes, and what the JSON says about them. */
  record Spec(int length, boolean binary, boolean truncated, long size) {}

  /** The length of {@code b} escaped: one more byte for each {@code \}, LF and CR. */
  static long escapedLength(byte[] b) {
    long n = b.length;
    for (int i = nextSpecial(b, 0, b.length); i >= 0; i = nextSpecial(b, i + 1, b.length)) {
      n++;
    }
    return n;
  }

  /**
   * Writes {@code b[0, length)} escaped: runs without a special byte go out as they are, in one
   * write each.
   */
  static void writeEscaped(OutputStream out, byte[] b, int length) throws IOException {
    int from = 0;
    for (int i = nextSpecial(b, 0, length); i >= 0; i = nextSpecial(b, from, length)) {
      out.write(b, from, i - from);
      out.write(ESCAPED, b[i] == '\n' ? 0 : b[i] == '\r' ? 2 : 4, 2);
      from = i + 1;
    }
    out.write(b, from, length - from);
  }

  private static final byte[] ESCAPED = {'\\', 'n', '\\', 'r', '\\', '\\'};

  /** The index of the first {@code \}, LF or CR in {@code b[from, to)}, or -1. */
  static int nextSpecial(byte[] b, int from, int to) {
    return LineSource.indexOfAny(b, from, to, (byte) '\\', (byte) '\n', (byte) '\r');
  }

  /**
   * Reads the raw bodies that follow a line's JSON object, in order: {@link #next} for each, then
   * {@link #finish}.
   */
  static final class Tail {
    private final byte[] buf;
    private final int end;
    private int pos;

    /**
     * The tail of {@code buf[.., end)} starting at {@code pos}; a last CR (a CRLF line end) is not
     * part of it: a CR in a raw body is always escaped.
     */
    Tail(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end > pos && buf[end - 1] == '\r' ? end - 1 : end;
    }

    /** The next raw body, as {@code spec} describes it. */
    Body next(Spec spec, String path) throws ExchangeCodec.FieldProblem {
      if (pos >= end || buf[pos] != '\t') {
        throw new ExchangeCodec.FieldProblem(
            path + ".raw",
            "expected a tab and the body's "
                + spec.length()
                + " raw byte(s) after the exchange object, "
                + (pos >= end ? "but the line ends there" : "found '" + printable(buf[pos]) + "'"));
      }
      pos++;
      int n = spec.length();
      long original = spec.truncated() ? spec.size() : -1;
      if (!spec.binary()
          && n <= end - pos
          && LineSource.plainAscii(buf, pos, pos + n, (byte) '\\')) {
        // the usual text: ASCII, nothing escaped, known valid UTF-8 from one pass over it
        byte[] data = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return Body.Text.fromUtf8(data, spec.truncated(), original);
      }
      byte[] bytes;
      int off;
      if (n <= end - pos && LineSource.indexOfByte(buf, pos, pos + n, (byte) '\\') < 0) {
        bytes = buf; // nothing escaped: the body is these bytes of the line
        off = pos;
        pos += n;
      } else {
        bytes = unescape(n, path);
        off = 0;
      }
      byte[] data = bytes == buf ? Arrays.copyOfRange(buf, off, off + n) : bytes;
      if (spec.binary()) {
        return new Body.Binary(data, spec.truncated(), original);
      }
      // a text keeps its bytes and makes its String only if asked (an answer compared byte for
      // byte never asks), so the String made here to check them is not kept: a text waiting to be
      // sent holds its bytes only. ASCII (unescaped here) needs no decoding to be known valid.
      if (!LineSource.isAscii(data, 0, n)
          && new String(data, StandardCharsets.UTF_8).indexOf('\uFFFD') >= 0
          && ContentCoding.strictUtf8(data) == null) {
        throw new ExchangeCodec.FieldProblem(
            path + ".raw",
            "the raw bytes are not valid UTF-8 (a binary body says \"binary\": true)");
      }
      return Body.Text.fromUtf8(data, spec.truncated(), original);
    }

    private byte[] unescape(int n, String path) throws ExchangeCodec.FieldProblem {
      // every byte of the body takes at least one of the line: a length that the line cannot
      // hold is found out without setting aside more than the line itself
      byte[] out = new byte[Math.min(n, end - pos)];
      int o = 0;
      while (o < n) {
        int stop = (int) Math.min(end, (long) pos + (n - o));
        int esc = LineSource.indexOfByte(buf, pos, stop, (byte) '\\');
        int run = (esc < 0 ? stop : esc) - pos;
        System.arraycopy(buf, pos, out, o, run);
        o += run;
        pos += run;
        if (o == n) {
          break;
        }
        if (pos + 1 >= end) {
          throw new ExchangeCodec.FieldProblem(
              path + ".raw", "the line ends after " + o + " of the body's " + n + " raw byte(s)");
        }
        byte e = buf[pos + 1];
        if (e == '\\') {
          out[o++] = '\\';
        } else if (e == 'n') {
          out[o++] = '\n';
        } else if (e == 'r') {
          out[o++] = '\r';
        } else {
          throw new ExchangeCodec.FieldProblem(
              path + ".raw",
              "unknown escape '\\"
                  + printable(e)
                  + "' after "
                  + o
                  + " raw byte(s) (only \\\\, \\n and \\r are escaped)");
        }
        pos += 2;
      }
      return out;
    }

    /** Checks that the line ends after the last raw body. */
    void finish() throws ExchangeCodec.FieldProblem {
      if (pos < end) {
        throw new ExchangeCodec.FieldProblem(
            "",
            (end - pos)
                + " unexpected byte(s) after the raw bodies (a \"raw\" length that is too short?)");
      }
    }

    private static String printable(byte b) {
      return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
  }
}
