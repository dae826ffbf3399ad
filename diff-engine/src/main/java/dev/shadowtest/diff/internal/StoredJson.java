package dev.shadowtest.diff.internal;

import dev.shadowtest.diff.Pseudonyms;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fast path of {@link Pseudonymize}'s stored form of a JSON document: one pass over its bytes,
 * without a parser's tokens, for the documents most APIs answer with. It gives exactly the bytes
 * the parser-driven path gives, or null for anything it leaves to that path: a document that is
 * not an object or an array, invalid or not strictly valid UTF-8, names with escapes, duplicate
 * names, objects of more than {@value #MAX_NAMES} names, numbers of more than {@value
 * #MAX_NUMBER} characters or exponents of more than {@value #MAX_EXPONENT} digits, names of more
 * than {@value #MAX_NAME} bytes, nesting deeper than {@value #MAX_DEPTH}, and every kind of
 * invalid JSON. What it accepts, the comparison's parser accepts and reads alike (it is
 * stricter, never looser), so the two paths cannot disagree on a document both write.
 */
final class StoredJson {

  static final int MAX_DEPTH = 256;
  static final int MAX_NAMES = 128;
  static final int MAX_NUMBER = 64;
  static final int MAX_NAME = 1024;
  static final int MAX_EXPONENT = 3;

  private final byte[] doc;
  private final Pseudonyms pseudonyms;
  private final StoredBytes out;
  private int i;

  /** Names of the open objects: hash, start, length, three ints each. */
  private int[] names = new int[48];

  private int nameCount;

  private StoredJson(byte[] doc, Pseudonyms pseudonyms) {
    this.doc = doc;
    this.pseudonyms = pseudonyms;
    this.out = new StoredBytes(doc.length + 64);
  }

  /** The stored form of {@code doc}, as {@code Pseudonymize.streamed} writes it; or null. */
  static byte[] of(byte[] doc, Pseudonyms p) {
    return new StoredJson(doc, p).scan();
  }

  private byte[] scan() {
    try {
      skipWhitespace();
      if (i >= doc.length || (doc[i] != '{' && doc[i] != '[')) {
        return null;
      }
      if (!value(0)) {
        return null;
      }
      skipWhitespace();
      return i == doc.length ? out.bytes() : null;
    } catch (ArrayIndexOutOfBoundsException cutShort) {
      return null; // the document ended inside a value
    }
  }

  /** Reads and writes the value at {@link #i}; false when left to the parser. */
  private boolean value(int depth) {
    byte b = doc[i];
    switch (b) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return (b == '-' || (b >= '0' && b <= '9')) && number();
    }
  }

  private boolean object(int depth) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    int base = nameCount;
    int step;
    for (step = open('}'); step == MORE; step = next('}')) {
      if (doc[i] != '"' || !name(base)) {
        return false;
      }
      skipWhitespace();
      if (doc[i] != ':') {
        return false;
      }
      out.put((byte) ':');
      i++;
      skipWhitespace();
      if (!value(depth)) {
        return false;
      }
    }
    nameCount = base;
    return step == CLOSED;
  }

  private boolean array(int depth) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    int step;
    for (step = open(']'); step == MORE; step = next(']')) {
      if (!value(depth)) {
        return false;
      }
    }
    return step == CLOSED;
  }

  /** What {@link #open} and {@link #next} found: a member or element to read, the end, neither. */
  private static final int MORE = 0;

  private static final int CLOSED = 1;
  private static final int WRONG = 2;

  /** Writes the opening bracket at {@link #i}: {@link #CLOSED} when {@code close} follows. */
  private int open(char close) {
    out.put(doc[i++]);
    skipWhitespace();
    if (doc[i] == close) {
      out.put(doc[i++]);
      return CLOSED;
    }
    return MORE;
  }

  /** After a member or element: {@link #MORE} after a comma, {@link #CLOSED} at {@code close}. */
  private int next(char close) {
    skipWhitespace();
    byte b = doc[i++];
    if (b == close) {
      out.put(b);
      return CLOSED;
    }
    if (b != ',') {
      return WRONG;
    }
    out.put(b);
    skipWhitespace();
    return MORE;
  }

  /** A name without escapes, not seen before in its object (names from {@code base}). */
  private boolean name(int base) {
    int start = ++i;
    int hash = 0;
    while (true) {
      int b = doc[i];
      if (b == '"') {
        break;
      }
      if (b == '\\' || (b >= 0 && b < 0x20)) {
        return false;
      }
      if (b < 0) {
        int n = utf8Length(i);
        if (n == 0) {
          return false;
        }
        for (int k = 0; k < n; k++) {
          hash = 31 * hash + doc[i + k];
        }
        i += n;
      } else {
        hash = 31 * hash + b;
        i++;
      }
    }
    int length = i - start;
    i++; // the closing quote
    if (length > MAX_NAME || nameCount - base >= MAX_NAMES * 3) {
      return false;
    }
    for (int k = base; k < nameCount; k += 3) {
      if (names[k] == hash
          && names[k + 2] == length
          && Arrays.equals(doc, names[k + 1], names[k + 1] + length, doc, start, start + length)) {
        return false; // a duplicate name: the comparison reads no JSON there
      }
    }
    if (nameCount + 3 > names.length) {
      names = Arrays.copyOf(names, names.length * 2);
    }
    names[nameCount++] = hash;
    names[nameCount++] = start;
    names[nameCount++] = length;
    out.raw(doc, start - 1, i);
    return true;
  }

  /** A string value: written as it came when kept, else as its quoted pseudonym. */
  private boolean string() {
    int start = i++;
    boolean ascii = true;
    boolean escaped = false;
    while (true) {
      int b = doc[i];
      if (b == '"') {
        break;
      }
      if (b == '\\') {
        escaped = true;
        i += 2; // checked when decoded
      } else if (b >= 0 && b < 0x20) {
        return false;
      } else if (b < 0) {
        int n = utf8Length(i);
        if (n == 0) {
          return false;
        }
        ascii = false;
        i += n;
      } else {
        i++;
      }
    }
    int end = ++i; // after the closing quote
    String s;
    if (escaped) {
      s = decode(start + 1, end - 1);
      if (s == null) {
        return false;
      }
    } else {
      s =
          new String(
              doc,
              start + 1,
              end - 1 - (start + 1),
              ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }
    if (Pseudonymize.keptAsItIs(s)) {
      out.raw(doc, start, end);
    } else {
      out.quoted(pseudonyms.of(s));
    }
    return true;
  }

  /** The text of {@code doc[from, to)}, escapes decoded (its UTF-8 already checked); or null. */
  private String decode(int from, int to) {
    StringBuilder sb = new StringBuilder(to - from);
    int k = from;
    while (k < to) {
      int b = doc[k];
      if (b != '\\') {
        int run = k;
        while (k < to && doc[k] != '\\') {
          k++;
        }
        sb.append(new String(doc, run, k - run, StandardCharsets.UTF_8));
        continue;
      }
      if (k + 1 >= to) {
        return null;
      }
      byte e = doc[k + 1];
      k += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          sb.append((char) e);
          break;
        case 'b':
          sb.append('\b');
          break;
        case 'f':
          sb.append('\f');
          break;
        case 'n':
          sb.append('\n');
          break;
        case 'r':
          sb.append('\r');
          break;
        case 't':
          sb.append('\t');
          break;
        case 'u':
          {
            if (k + 4 > to) {
              return null;
            }
            int c = 0;
            for (int h = 0; h < 4; h++) {
              int d = Character.digit(doc[k + h], 16);
              if (d < 0) {
                return null;
              }
              c = c * 16 + d;
            }
            sb.append((char) c); // a lone surrogate stays as the parser keeps it
            k += 4;
            break;
          }
        default:
          return null;
      }
    }
    return sb.toString();
  }

  /**
   * The length of the strictly valid UTF-8 sequence of two to four bytes at {@code at} (no
   * overlong forms, no surrogates, nothing past U+10FFFF); 0 when there is none.
   */
  private int utf8Length(int at) {
    int b = doc[at] & 0xFF;
    if (b >= 0xC2 && b <= 0xDF) {
      return continuation(at + 1) ? 2 : 0;
    }
    if (b >= 0xE0 && b <= 0xEF) {
      int c = doc[at + 1] & 0xFF;
      int lo = b == 0xE0 ? 0xA0 : 0x80;
      int hi = b == 0xED ? 0x9F : 0xBF;
      return c >= lo && c <= hi && continuation(at + 2) ? 3 : 0;
    }
    if (b >= 0xF0 && b <= 0xF4) {
      int c = doc[at + 1] & 0xFF;
      int lo = b == 0xF0 ? 0x90 : 0x80;
      int hi = b == 0xF4 ? 0x8F : 0xBF;
      return c >= lo && c <= hi && continuation(at + 2) && continuation(at + 3) ? 4 : 0;
    }
    return 0;
  }

  private boolean continuation(int at) {
    return (doc[at] & 0xC0) == 0x80;
  }

  private boolean literal(String word) {
    for (int k = 0; k < word.length(); k++) {
      if (doc[i + k] != word.charAt(k)) {
        return false;
      }
    }
    out.raw(doc, i, i + word.length());
    i += word.length();
    return delimited();
  }

  /** A number of JSON's grammar, written as it came. */
  private boolean number() {
    int start = i;
    if (doc[i] == '-') {
      i++;
    }
    if (doc[i] == '0') {
      i++;
    } else if (!digits()) {
      return false;
    }
    if (doc[i] == '.') {
      i++;
      if (!digits()) {
        return false;
      }
    }
    if (doc[i] == 'e' || doc[i] == 'E') {
      i++;
      if (doc[i] == '+' || doc[i] == '-') {
        i++;
      }
      int exponent = i;
      if (!digits() || i - exponent > MAX_EXPONENT) {
        return false; // a scale no BigDecimal holds: the parser decides
      }
    }
    if (i - start > MAX_NUMBER) {
      return false;
    }
    out.raw(doc, start, i);
    return delimited();
  }

  private boolean digits() {
    int start = i;
    while (doc[i] >= '0' && doc[i] <= '9') {
      i++;
    }
    return i > start;
  }

  /** True when a scalar ends where a value may end (inside a container: never at the end). */
  private boolean delimited() {
    byte b = doc[i];
    return b == ',' || b == '}' || b == ']' || b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private void skipWhitespace() {
    while (i < doc.length) {
      byte b = doc[i];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return;
      }
      i++;
    }
  }
}
