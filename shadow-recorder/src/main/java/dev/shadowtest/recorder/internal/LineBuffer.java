package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.RecordingWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * An encoder's batch of recording lines in memory, read in place ({@link #array()}), with the
 * JSON pieces {@link CaptureLine} writes straight into it: ASCII, numbers, JSON strings from
 * characters or from UTF-8 bytes, base64. Its escapes are the ones Jackson writes (the model
 * path's {@code RecordingWriter}): short ones for {@code \b \t \n \f \r " \\}, six-character
 * unicode escapes with upper-case digits for the other control characters and for both halves
 * of a character beyond the BMP (Jackson does not combine surrogates), everything else as UTF-8.
 */
public final class LineBuffer extends ByteArrayOutputStream {

  /** Per ASCII byte: 0 as it is, a letter for a short escape, -1 for a unicode escape. */
  private static final byte[] ESCAPE = new byte[0x80];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPE[c] = -1;
    }
    ESCAPE['\b'] = 'b';
    ESCAPE['\t'] = 't';
    ESCAPE['\n'] = 'n';
    ESCAPE['\f'] = 'f';
    ESCAPE['\r'] = 'r';
    ESCAPE['"'] = '"';
    ESCAPE['\\'] = '\\';
  }

  /**
   * Per byte of UTF-8 text: 0 written as it is, 1 written after a backslash ({@code "} and
   * {@code \\}), 2 anything else (a control character, a byte of a multi-byte sequence).
   */
  private static final byte[] KIND = new byte[256];

  static {
    for (int b = 0; b < 256; b++) {
      KIND[b] =
          (byte)
              (b >= 0x80 || ESCAPE[b] < 0 || ESCAPE[b] > 0 && b < 0x20 ? 2 : ESCAPE[b] > 0 ? 1 : 0);
    }
  }

  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] BASE64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
          .getBytes(StandardCharsets.US_ASCII);

  public LineBuffer() {
    super(64 * 1024);
  }

  /** The bytes written, in place: the first {@link #size()} of them. */
  public byte[] array() {
    return buf;
  }

  /** Forgets what was written after {@code size} bytes. */
  public void truncate(int size) {
    count = size;
  }

  /** After a huge batch, gives the memory back. */
  void trim() {
    if (buf.length > 4 << 20) {
      buf = new byte[64 * 1024];
    }
  }

  /** Room for {@code n} more bytes. */
  private void ensure(long n) {
    long need = count + n;
    if (need > buf.length) {
      if (need > Integer.MAX_VALUE - 16) {
        throw new OutOfMemoryError("a batch of recording lines over 2 GiB");
      }
      buf =
          Arrays.copyOf(
              buf, (int) Math.max(need, Math.min(Integer.MAX_VALUE - 16, buf.length * 2L)));
    }
  }

  /** Characters known to be ASCII, as they are (field names, punctuation, numbers). */
  void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[count++] = (byte) s.charAt(i);
    }
  }

  void ascii(char c) {
    ensure(1);
    buf[count++] = (byte) c;
  }

  void number(long n) {
    ascii(Long.toString(n));
  }

  /**
   * {@code t} as {@link Instant#toString()} writes it ({@code 2026-11-27T18:00:00.123Z}: a
   * fraction of 3, 6 or 9 digits, none for a whole second), without its {@code String} for years
   * 1000 to 9999.
   */
  void instant(Instant t) {
    long seconds = t.getEpochSecond();
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
    int year = date.getYear();
    if (year < 1000 || year > 9999) {
      ascii(t.toString());
      return;
    }
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    ensure(30);
    digits(year, 4);
    buf[count++] = '-';
    digits(date.getMonthValue(), 2);
    buf[count++] = '-';
    digits(date.getDayOfMonth(), 2);
    buf[count++] = 'T';
    digits(secondOfDay / 3600, 2);
    buf[count++] = ':';
    digits(secondOfDay / 60 % 60, 2);
    buf[count++] = ':';
    digits(secondOfDay % 60, 2);
    int nanos = t.getNano();
    if (nanos > 0) {
      buf[count++] = '.';
      if (nanos % 1_000_000 == 0) {
        digits(nanos / 1_000_000, 3);
      } else if (nanos % 1000 == 0) {
        digits(nanos / 1000, 6);
      } else {
        digits(nanos, 9);
      }
    }
    buf[count++] = 'Z';
  }

  /** {@code n} in {@code width} decimal digits, zero-padded (room already ensured). */
  private void digits(int n, int width) {
    for (int i = count + width - 1; i >= count; i--) {
      buf[i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    count += width;
  }

  /**
   * {@code s} as a quoted JSON string in UTF-8; false, with nothing meaningful written, when it
   * holds a lone surrogate (the caller falls back to the model path).
   */
  boolean string(String s) {
    return string(s, false);
  }

  /** As {@link #string(String)}, and false too when {@code noBreaks} and {@code s} holds CR or LF. */
  boolean string(String s, boolean noBreaks) {
    int n = s.length();
    char[] a = n <= KEPT_CHARS ? scratch : new char[n];
    if (a.length < n) {
      a = scratch = new char[Math.min(KEPT_CHARS, Math.max(n, 2 * a.length))];
    }
    s.getChars(0, n, a, 0);
    return chars(a, 0, n, noBreaks, false);
  }

  /** The longest string whose characters {@link #scratch} keeps room for between two strings. */
  private static final int KEPT_CHARS = 16 * 1024;

  private char[] scratch = new char[256];

  /**
   * {@code a[from, to)} as {@link #string(String, boolean)} writes it (a header value read in
   * place from the line HttpCore parsed, without a {@code String}), and false too when {@code
   * noNul} and it holds NUL; when it returns false, nothing was written.
   */
  boolean chars(char[] a, int from, int to, boolean noBreaks, boolean noNul) {
    int n = to - from;
    ensure(3L * n + 2);
    int start = count;
    byte[] out = buf;
    int pos = count;
    out[pos++] = '"';
    for (int i = from; i < to; i++) {
      char c = a[i];
      if (c < 0x80) {
        byte e = ESCAPE[c];
        if (e == 0) {
          out[pos++] = (byte) c;
          continue;
        }
        if (noBreaks && (c == '\r' || c == '\n') || noNul && c == 0) {
          count = start;
          return false;
        }
        count = pos;
        ensure(6L + 3L * (to - i) + 1);
        out = buf;
        pos = escape(out, pos, c, e);
      } else if (c < 0x800) {
        out[pos++] = (byte) (0xC0 | c >> 6);
        out[pos++] = (byte) (0x80 | c & 0x3F);
      } else if (!Character.isSurrogate(c)) {
        out[pos++] = (byte) (0xE0 | c >> 12);
        out[pos++] = (byte) (0x80 | c >> 6 & 0x3F);
        out[pos++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(a[i + 1])) {
        // as Jackson writes it: two unicode escapes (12 bytes for the 2 characters)
        count = pos;
        ensure(12L + 3L * (to - i) + 1);
        out = buf;
        pos = unicode(out, pos, c);
        pos = unicode(out, pos, a[++i]);
      } else {
        count = start;
        return false;
      }
    }
    out[pos++] = '"';
    count = pos;
    return true;
  }

  /** {@code c} as a six-character unicode escape, upper-case digits. */
  private static int unicode(byte[] out, int pos, int c) {
    out[pos++] = '\\';
    out[pos++] = 'u';
    out[pos++] = HEX[c >> 12];
    out[pos++] = HEX[c >> 8 & 0xF];
    out[pos++] = HEX[c >> 4 & 0xF];
    out[pos++] = HEX[c & 0xF];
    return pos;
  }

  private static int escape(byte[] out, int pos, int c, byte e) {
    out[pos++] = '\\';
    if (e > 0) {
      out[pos++] = e;
      return pos;
    }
    out[pos++] = 'u';
    out[pos++] = '0';
    out[pos++] = '0';
    out[pos++] = HEX[c >> 4];
    out[pos++] = HEX[c & 0xF];
    return pos;
  }

  /** Characters beyond the BMP in the last {@link #utf8String}: each written as 12 bytes. */
  private int pairs;

  /**
   * The bytes the last {@link #utf8String} wrote counting a character beyond the BMP as its 4
   * UTF-8 bytes (as the model's choice between text and base64 counts it), quotes excluded.
   */
  long estimatedTextBytes(int written) {
    return written - 2L - 8L * pairs;
  }

  /**
   * The first {@code len} bytes of {@code src} as a quoted JSON string, when they are valid UTF-8
   * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no sequence cut off):
   * returns the number of UTF-16 characters they decode to. Else returns -1, with nothing
   * meaningful written (the caller truncates).
   */
  int utf8String(byte[] src, int len) {
    // room for every byte doubled (a quote or backslash): only the rare kinds check for more
    ensure(2L * len + 2);
    byte[] out = buf;
    int pos = count;
    out[pos++] = '"';
    int chars = 0;
    pairs = 0;
    int i = 0;
    while (i < len) {
      if (i <= len - Long.BYTES) {
        // eight bytes at a time up to the first that is not written as it is; the room reserved
        // for every byte doubled always holds the eight stored (what follows the first such byte
        // is written over)
        long x = (long) LONGS.get(src, i);
        long other = x & HIGHS | controls(x); // bytes of multi-byte characters, controls
        long escaped = quotesAndBackslashes(x);
        if (other == 0) {
          if (escaped == 0) {
            LONGS.set(out, pos, x);
            pos += Long.BYTES;
            i += Long.BYTES;
            chars += Long.BYTES;
            continue;
          }
          // ASCII whose only bytes to escape are quotes and backslashes (a JSON document has one
          // every few bytes): the whole word at once, a backslash before each of them. Each
          // store writes eight bytes from where the last one ended (what lies past the end is
          // written over): up to 23 bytes from pos, for eight quotes. The room reserved for every
          // byte doubled holds 17 for the last word of the body: near the end, more is made
          if (out.length - pos < WORD_ROOM) {
            count = pos;
            ensure(2L * (len - i) + WORD_ROOM);
            out = buf;
          }
          int from = 0;
          do {
            int k = Long.numberOfTrailingZeros(escaped) >>> 3;
            LONGS.set(out, pos, x >>> (from << 3));
            pos += k - from;
            out[pos++] = '\\';
            from = k;
            escaped &= escaped - 1;
          } while (escaped != 0);
          LONGS.set(out, pos, x >>> (from << 3));
          pos += Long.BYTES - from;
          i += Long.BYTES;
          chars += Long.BYTES;
          continue;
        }
        // up to the first byte that is not written as it is; the old path takes that one
        int k = Long.numberOfTrailingZeros(other | escaped) >>> 3;
        LONGS.set(out, pos, x);
        pos += k;
        i += k;
        chars += k;
      }
      int b = src[i];
      int kind = KIND[b & 0xFF];
      if (kind < 2) {
        // the common bytes without a branch: a backslash, then the byte over it or after it
        out[pos] = '\\';
        out[pos + kind] = (byte) b;
        pos += 1 + kind;
        i++;
        chars++;
        continue;
      }
      if (b >= 0) { // a control character: a short or a unicode escape
        if (out.length - pos < 2 * (len - i) + 8) {
          count = pos;
          ensure(2L * (len - i) + 8 + 6L * 64);
          out = buf;
        }
        pos = escape(out, pos, b, ESCAPE[b]);
        i++;
        chars++;
        continue;
      }
      int n = sequence(src, i, len);
      if (n < 0) {
        return -1;
      }
      if (n == 4) {
        // a character beyond the BMP, as Jackson writes it: its surrogate pair as two escapes
        int cp =
            (src[i] & 0x07) << 18
                | (src[i + 1] & 0x3F) << 12
                | (src[i + 2] & 0x3F) << 6
                | src[i + 3] & 0x3F;
        if (out.length - pos < 2 * (len - i) + 14) {
          count = pos;
          ensure(2L * (len - i) + 14 + 6L * 64);
          out = buf;
        }
        pos = unicode(out, pos, Character.highSurrogate(cp));
        pos = unicode(out, pos, Character.lowSurrogate(cp));
        i += 4;
        chars += 2;
        pairs++;
        continue;
      }
      for (int k = 0; k < n; k++) {
        out[pos++] = src[i + k];
      }
      i += n;
      chars++;
    }
    out[pos++] = '"';
    count = pos;
    return chars;
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private static final long LOWS = 0x7F7F7F7F7F7F7F7FL;

  /**
   * The bytes a word of quotes and backslashes may write from where it starts: for eight quotes,
   * the last store begins after 7 of the word's bytes and 8 backslashes, and writes 8 (7 + 8 + 8).
   */
  private static final int WORD_ROOM = 23;

  /**
   * The bytes of {@code x} that are {@code "} or {@code \\}, each with its high bit set in the
   * result, exactly (no borrow between bytes): a zero byte of {@code x ^ "..."} sets its high bit.
   */
  static long quotesAndBackslashes(long x) {
    return zeroBytes(x ^ ('"' * ONES)) | zeroBytes(x ^ ('\\' * ONES));
  }

  /** The zero bytes of {@code y}, each with its high bit set in the result, exactly. */
  private static long zeroBytes(long y) {
    return ~(((y & LOWS) + LOWS) | y | LOWS);
  }

  /** The bytes of {@code x} below 0x20, each with its high bit set in the result, exactly. */
  static long controls(long x) {
    // (b & 0x7F) + 0x60 reaches 0x80 exactly when b & 0x7F >= 0x20; no carry leaves a byte
    return ~(((x & LOWS) + 0x6060606060606060L) | x) & HIGHS;
  }

  /**
   * True when {@code src[0, len)} is UTF-8 as the JDK's strict decoder takes it (what makes a
   * captured body text rather than binary): ASCII eight bytes at a time, the rest sequence by
   * sequence.
   */
  static boolean validUtf8(byte[] src, int len) {
    int i = 0;
    while (i < len) {
      if (i <= len - Long.BYTES && ((long) LONGS.get(src, i) & HIGHS) == 0) {
        i += Long.BYTES;
      } else if (src[i] >= 0) {
        i++;
      } else {
        int n = sequence(src, i, len);
        if (n < 0) {
          return false;
        }
        i += n;
      }
    }
    return true;
  }

  /**
   * A tab and the first {@code len} bytes of {@code src} as a version-2 recording line holds a raw
   * body after its JSON object ({@code RecordingWriter.writeRawBody}).
   */
  void rawBody(byte[] src, int len) {
    ensure(1L + len + len / 16);
    buf[count++] = '\t';
    try {
      RecordingWriter.writeRawBody(this, src, len);
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible); // in memory
    }
  }

  /** The length of the UTF-8 sequence whose lead byte is at {@code i}, or -1 when it is not one. */
  private static int sequence(byte[] s, int i, int len) {
    int lead = s[i] & 0xFF;
    int n;
    int lo = 0x80;
    int hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      n = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      n = 3;
      if (lead == 0xE0) {
        lo = 0xA0; // no overlong form
      } else if (lead == 0xED) {
        hi = 0x9F; // no surrogate
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      n = 4;
      if (lead == 0xF0) {
        lo = 0x90; // no overlong form
      } else if (lead == 0xF4) {
        hi = 0x8F; // nothing above U+10FFFF
      }
    } else {
      return -1;
    }
    if (i + n > len) {
      return -1;
    }
    int second = s[i + 1] & 0xFF;
    if (second < lo || second > hi) {
      return -1;
    }
    for (int k = 2; k < n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) {
        return -1;
      }
    }
    return n;
  }

  /** The first {@code len} bytes of {@code src} in standard base64 with padding, quoted. */
  void base64(byte[] src, int len) {
    ensure((len + 2L) / 3 * 4 + 2);
    byte[] out = buf;
    int pos = count;
    out[pos++] = '"';
    int i = 0;
    for (; i + 3 <= len; i += 3) {
      int v = (src[i] & 0xFF) << 16 | (src[i + 1] & 0xFF) << 8 | src[i + 2] & 0xFF;
      out[pos++] = BASE64[v >>> 18];
      out[pos++] = BASE64[v >>> 12 & 0x3F];
      out[pos++] = BASE64[v >>> 6 & 0x3F];
      out[pos++] = BASE64[v & 0x3F];
    }
    int rest = len - i;
    if (rest > 0) {
      int v = (src[i] & 0xFF) << 16 | (rest == 2 ? (src[i + 1] & 0xFF) << 8 : 0);
      out[pos++] = BASE64[v >>> 18];
      out[pos++] = BASE64[v >>> 12 & 0x3F];
      out[pos++] = rest == 2 ? BASE64[v >>> 6 & 0x3F] : (byte) '=';
      out[pos++] = '=';
    }
    out[pos++] = '"';
    count = pos;
  }
}
