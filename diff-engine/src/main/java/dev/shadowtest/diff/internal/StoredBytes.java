package dev.shadowtest.diff.internal;

import java.util.Arrays;

/**
 * The bytes of a JSON document's stored form as {@link Pseudonymize} and {@link StoredJson} write
 * it: spans of the document, with or without the whitespace between its tokens, and quoted
 * pseudonyms.
 */
final class StoredBytes {
  private byte[] buf;
  private int size;

  StoredBytes(int capacity) {
    buf = new byte[capacity];
  }

  void put(byte b) {
    ensure(1);
    buf[size++] = b;
  }

  /** Appends {@code doc[from, to)} as it is. */
  void raw(byte[] doc, int from, int to) {
    ensure(to - from);
    System.arraycopy(doc, from, buf, size, to - from);
    size += to - from;
  }

  /**
   * Appends {@code doc[from, to)} without the whitespace outside strings; {@code from} is outside
   * any string, and so is {@code to} (a parser read what lies between).
   */
  void compact(byte[] doc, int from, int to) {
    ensure(to - from);
    boolean inString = false;
    for (int i = from; i < to; i++) {
      byte b = doc[i];
      if (inString) {
        buf[size++] = b;
        if (b == '\\') {
          buf[size++] = doc[++i];
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        continue;
      } else {
        buf[size++] = b;
        inString = b == '"';
      }
    }
  }

  /** Appends {@code ascii} quoted: a pseudonym, whose characters need no escape. */
  void quoted(String ascii) {
    ensure(ascii.length() + 2);
    buf[size++] = '"';
    for (int i = 0; i < ascii.length(); i++) {
      buf[size++] = (byte) ascii.charAt(i);
    }
    buf[size++] = '"';
  }

  private void ensure(int more) {
    if (buf.length - size < more) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }

  byte[] bytes() {
    return Arrays.copyOf(buf, size);
  }
}
