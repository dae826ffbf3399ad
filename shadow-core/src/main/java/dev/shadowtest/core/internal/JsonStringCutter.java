package dev.shadowtest.core.internal;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A filter over UTF-8 JSON that keeps long strings away from the parser, so that reading a JSON
 * file takes bounded memory whatever its strings (a HAR with a 2 GB response body).
 *
 * <p>The parser sees at most the first {@code parsed} bytes of each string. Of a longer string, the
 * JSON text after that prefix is kept here as it was written, escapes included (one byte per
 * ASCII character, where the parser would take two per character), up to {@code kept} bytes of
 * JSON text in all; anything after that is only counted and dropped. Such a string is a
 * {@link Cut}, found by the offset of its opening quote in the filtered stream
 * ({@link #cutAt(long)}), which is where the parser reports the token to start. No boundary ever
 * splits a UTF-8 character, an escape, or an escaped surrogate pair.
 */
public final class JsonStringCutter extends InputStream {

  /**
   * A string longer than the parsed prefix: the rest of its JSON text (as far as it was kept) and
   * the size of the whole decoded string.
   */
  public static final class Cut {
    private final long offset;
    private final List<byte[]> chunks;
    private final long rest;
    private final long utf8Bytes;
    private final long base64Bytes;
    private final boolean whole;

    Cut(
        long offset,
        List<byte[]> chunks,
        long rest,
        long utf8Bytes,
        long base64Bytes,
        boolean whole) {
      this.offset = offset;
      this.chunks = chunks;
      this.rest = rest;
      this.utf8Bytes = utf8Bytes;
      this.base64Bytes = base64Bytes;
      this.whole = whole;
    }

    /** The bytes of JSON text kept after the parsed prefix (what this cut holds in memory). */
    public long keptBytes() {
      return rest;
    }

    /** The UTF-8 length of the whole decoded string (a lone surrogate counted as '?'). */
    public long utf8Bytes() {
      return utf8Bytes;
    }

    /** What the whole string decodes to as base64: its base64 alphabet characters × 6 / 8. */
    public long base64Bytes() {
      return base64Bytes;
    }

    /** True when nothing of the string was dropped: {@link #utf8(byte[], long)} can give all of it. */
    public boolean whole() {
      return whole;
    }

    /**
     * {@code head} (the parsed prefix, as UTF-8) followed by the kept text after it, decoded
     * (escapes resolved) to UTF-8: at most {@code max} bytes in all (but all of {@code head}),
     * possibly ending inside a character.
     */
    public byte[] utf8(byte[] head, long max) {
      // decoding never makes JSON text longer
      Unescaper u =
          new Unescaper(head, (int) Math.max(head.length, Math.min(max, head.length + rest)));
      long left = rest;
      for (byte[] chunk : chunks) {
        for (int i = 0; i < chunk.length && left > 0 && !u.full(); i++, left--) {
          u.accept(chunk[i]);
        }
      }
      return u.finish();
    }
  }

  /** JSON string text (without quotes) to UTF-8 bytes; a lone surrogate becomes '?', as Java encodes it. */
  private static final class Unescaper {
    private final byte[] out;
    private int n;
    private int escape; // as in the filter
    private int codePoint;
    private int high; // a high surrogate waiting for its low half, or 0

    Unescaper(byte[] head, int capacity) {
      out = Arrays.copyOf(head, capacity);
      n = head.length;
    }

    boolean full() {
      return n == out.length;
    }

    void accept(byte b) {
      if (escape == 1) {
        escape = 0;
        switch (b) {
          case 'u' -> {
            escape = 2;
            codePoint = 0;
          }
          case 'b' -> character('\b');
          case 'f' -> character('\f');
          case 'n' -> character('\n');
          case 'r' -> character('\r');
          case 't' -> character('\t');
          default -> character(b); // \" \\ \/
        }
      } else if (escape >= 2) {
        codePoint = codePoint << 4 | Character.digit(b, 16) & 0xf;
        if (++escape == 6) {
          escape = 0;
          character(codePoint);
        }
      } else if (b == '\\') {
        escape = 1;
      } else {
        loneHigh();
        put(b); // raw UTF-8 as it is
      }
    }

    private void character(int c) {
      if (Character.isLowSurrogate((char) c) && high != 0) {
        utf8(Character.toCodePoint((char) high, (char) c));
        high = 0;
        return;
      }
      loneHigh();
      if (Character.isHighSurrogate((char) c)) {
        high = c;
      } else {
        utf8(Character.isLowSurrogate((char) c) ? '?' : c);
      }
    }

    private void loneHigh() {
      if (high != 0) {
        high = 0;
        put('?');
      }
    }

    private void utf8(int c) {
      if (c < 0x80) {
        put(c);
      } else if (c < 0x800) {
        put(0xc0 | c >> 6);
        put(0x80 | c & 0x3f);
      } else if (c < 0x10000) {
        put(0xe0 | c >> 12);
        put(0x80 | c >> 6 & 0x3f);
        put(0x80 | c & 0x3f);
      } else {
        put(0xf0 | c >> 18);
        put(0x80 | c >> 12 & 0x3f);
        put(0x80 | c >> 6 & 0x3f);
        put(0x80 | c & 0x3f);
      }
    }

    private void put(int b) {
      if (n < out.length) {
        out[n++] = (byte) b;
      }
    }

    byte[] finish() {
      loneHigh();
      return n == out.length ? out : Arrays.copyOf(out, n);
    }
  }

  private enum Phase {
    PARSED,
    KEPT,
    DROPPED
  }

  /**
   * Cuts not asked for yet. The parser is at most a string or two behind this filter (a string's
   * parsed prefix is longer than the parser's input buffer), so older ones were skipped by the
   * reader (fields it does not read) and are forgotten, their text with them.
   */
  private static final int PENDING_CUTS = 4;

  private final InputStream in;
  private final int parsedLimit;
  private final long keptLimit;
  private final byte[] src = new byte[1 << 16];
  private int srcPos;
  private int srcEnd;
  private boolean checkedEncoding;
  private final ArrayDeque<Cut> cuts = new ArrayDeque<>();
  private long forgottenUpTo = -1;

  private long outPos;
  private boolean inString;
  private int escape; // 0: none; 1: after '\'; 2..5: reading the hex digits of a unicode escape
  private int codePoint;
  private boolean pendingHigh;
  private long stringStart;
  private long length; // JSON text of the current string so far (parsed and kept)
  private Phase phase;
  private List<byte[]> chunks;
  private byte[] chunk;
  private int chunkPos;
  private long rest;
  private long utf8;
  private long base64Chars;

  /**
   * The parser sees at most {@code parsed} bytes of a string's JSON text; at most {@code kept}
   * bytes of it are kept in all ({@code kept >= parsed}).
   */
  public JsonStringCutter(InputStream in, int parsed, long kept) {
    if (parsed < 1 || kept < parsed) {
      throw new IllegalArgumentException("limits out of order: " + parsed + ", " + kept);
    }
    this.in = in;
    this.parsedLimit = parsed;
    this.keptLimit = kept;
  }

  /**
   * The string cut whose opening quote is at {@code offset}, or null when that string was whole;
   * forgets cuts before it. Ask in increasing offsets, as the parser meets the strings.
   */
  public Cut cutAt(long offset) {
    if (offset <= forgottenUpTo) {
      throw new IllegalStateException(
          "the string at offset " + offset + " was forgotten before it was asked for");
    }
    while (!cuts.isEmpty() && cuts.peekFirst().offset < offset) {
      cuts.pollFirst();
    }
    return !cuts.isEmpty() && cuts.peekFirst().offset == offset ? cuts.pollFirst() : null;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n;
    do {
      n = read(one, 0, 1);
    } while (n == 0);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] out, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    int n = 0;
    while (n == 0) {
      if (srcPos == srcEnd) {
        int r = in.read(src, 0, src.length);
        if (r < 0) {
          return -1;
        }
        srcPos = 0;
        srcEnd = r;
        if (!checkedEncoding) {
          checkEncoding();
        }
      }
      while (srcPos < srcEnd && n < len) {
        byte b = src[srcPos++];
        if (parsed(b)) {
          out[off + n++] = b;
          outPos++;
        }
      }
    }
    return n;
  }

  /** UTF-16 and UTF-32 JSON (a BOM, or zero bytes among the first ones) would be cut mid-character. */
  private void checkEncoding() throws CharConversionException {
    checkedEncoding = true;
    boolean utf16Bom =
        srcEnd >= 2
            && ((src[0] & 0xff) == 0xfe && (src[1] & 0xff) == 0xff
                || (src[0] & 0xff) == 0xff && (src[1] & 0xff) == 0xfe);
    boolean zero = false;
    for (int i = 0; i < Math.min(4, srcEnd); i++) {
      zero |= src[i] == 0;
    }
    if (utf16Bom || zero) {
      throw new CharConversionException("the JSON is not UTF-8 (UTF-16 or UTF-32?)");
    }
  }

  /** Advances the state over {@code b}; true when it goes to the parser. */
  private boolean parsed(byte b) {
    if (!inString) {
      if (b == '"') {
        inString = true;
        stringStart = outPos;
        length = 0;
        phase = Phase.PARSED;
        chunks = null;
        utf8 = 0;
        base64Chars = 0;
        pendingHigh = false;
      }
      return true;
    }
    if (escape == 0 && b == '"') {
      if (phase != Phase.PARSED) {
        cuts.addLast(
            new Cut(
                stringStart,
                chunks,
                rest,
                utf8 - (pendingHigh ? 3 : 0),
                base64Chars * 6 / 8,
                phase == Phase.KEPT));
        if (cuts.size() > PENDING_CUTS) {
          forgottenUpTo = cuts.pollFirst().offset;
        }
        chunks = null;
        chunk = null;
      }
      inString = false;
      return true;
    }
    // a character starts here: the place to move on to the next phase
    if (escape == 0 && (b & 0xc0) != 0x80 && !(pendingHigh && b == '\\')) {
      if (phase == Phase.PARSED && length >= parsedLimit) {
        phase = Phase.KEPT;
        chunks = new ArrayList<>();
        rest = 0;
      }
      if (phase == Phase.KEPT && length >= keptLimit) {
        phase = Phase.DROPPED;
      }
    }
    count(b);
    switch (phase) {
      case PARSED -> {
        length++;
        return true;
      }
      case KEPT -> {
        length++;
        keep(b);
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  private void keep(byte b) {
    if (chunk == null || chunkPos == chunk.length) {
      chunk = new byte[chunks.isEmpty() ? 1 << 16 : 1 << 20];
      chunks.add(chunk);
      chunkPos = 0;
    }
    chunk[chunkPos++] = b;
    rest++;
  }

  /** Counts the decoded size of the string, byte by byte. */
  private void count(byte b) {
    if (escape == 1) {
      if (b == 'u') {
        escape = 2;
        codePoint = 0;
        return;
      }
      escape = 0;
      character(b == '/' ? '/' : '\n'); // any short escape decodes to one ASCII character
      return;
    }
    if (escape >= 2) {
      codePoint = codePoint << 4 | Character.digit(b, 16) & 0xf;
      if (++escape == 6) {
        escape = 0;
        character(codePoint);
      }
      return;
    }
    if (b == '\\') {
      escape = 1;
      return;
    }
    if ((b & 0xc0) != 0x80) {
      lonelyHigh();
    }
    utf8++; // raw UTF-8: one byte is one byte
    if (isBase64(b)) {
      base64Chars++;
    }
  }

  /** One character decoded from an escape. */
  private void character(int c) {
    if (Character.isLowSurrogate((char) c) && pendingHigh) {
      pendingHigh = false; // the pair was counted as 4 bytes with its high half
      return;
    }
    lonelyHigh();
    if (Character.isHighSurrogate((char) c)) {
      pendingHigh = true;
      utf8 += 4;
    } else if (Character.isLowSurrogate((char) c)) {
      utf8 += 1; // a lone surrogate encodes as '?'
    } else {
      utf8 += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      if (c < 0x80 && isBase64((byte) c)) {
        base64Chars++;
      }
    }
  }

  private void lonelyHigh() {
    if (pendingHigh) {
      pendingHigh = false;
      utf8 -= 3; // counted as a 4-byte pair, encodes as '?'
    }
  }

  private static boolean isBase64(byte b) {
    return b >= 'A' && b <= 'Z'
        || b >= 'a' && b <= 'z'
        || b >= '0' && b <= '9'
        || b == '+'
        || b == '/'
        || b == '-'
        || b == '_';
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
