package dev.shadowtest.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A message body as recorded: none, UTF-8 text, binary bytes, or {@linkplain NotCaptured not
 * captured} (the tool that wrote the input knew there was a body but did not keep it). A capture
 * limit may have cut the stored bytes; then {@link #truncated()} is true and {@link #size()} is the
 * original size in bytes, so a shortened body is never mistaken for the real one.
 *
 * <pre>{@code
 * Body b = Body.of(bytes);          // Text when the bytes are valid UTF-8, else Binary
 * Body cut = Body.of(first10MiB, originalLength);
 * }</pre>
 */
public sealed interface Body permits Body.None, Body.Text, Body.Binary, Body.NotCaptured {

  /** True when the stored bytes are only a prefix of the original body. */
  boolean truncated();

  /**
   * Size in bytes of the original body (equal to the stored size unless truncated); for a body
   * {@linkplain NotCaptured not captured}, the size its producer gave, or -1 when unknown.
   */
  long size();

  /** The stored bytes (UTF-8 for text); a fresh copy. */
  byte[] bytes();

  /** No body at all (as opposed to an empty one). */
  static Body none() {
    return None.INSTANCE;
  }

  /**
   * A body the producer of the input did not keep (HAR tools that leave bodies out): there was one,
   * of {@code size} bytes (-1 when unknown), but none of its bytes are known. Comparisons skip it;
   * a request with such a body is not replayed.
   */
  static Body notCaptured(long size) {
    return new NotCaptured(size < 0 ? -1 : size);
  }

  /** A complete text body. */
  static Body text(String text) {
    return new Text(text, false, -1);
  }

  /** A complete binary body. */
  static Body binary(byte[] bytes) {
    return new Binary(bytes, false, -1);
  }

  /** A complete body: text when {@code bytes} are valid UTF-8, binary otherwise. */
  static Body of(byte[] bytes) {
    return of(bytes, bytes.length);
  }

  /**
   * A body whose original size was {@code originalSize}; truncated when fewer bytes are given.
   * Text when the bytes are valid UTF-8 (a cut in the middle of a multi-byte character is
   * tolerated for truncated bodies by falling back to binary), binary otherwise.
   */
  static Body of(byte[] bytes, long originalSize) {
    boolean truncated = originalSize > bytes.length;
    String text = decodeUtf8(bytes);
    if (text != null) {
      return new Text(text, truncated, truncated ? originalSize : -1);
    }
    return new Binary(bytes.clone(), truncated, truncated ? originalSize : -1);
  }

  /**
   * The strict UTF-8 decoding of {@code bytes}, or null if they are not valid UTF-8. The JDK's
   * decoding (vectorised, compiled early in every JVM) does the work; it replaces malformed input
   * with U+FFFD, so only a text that holds U+FFFD is decoded again strictly, which tells a real
   * replacement character from a malformed byte.
   */
  private static String decodeUtf8(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') < 0) {
      return text;
    }
    return ContentCoding.strictUtf8(bytes);
  }

  /** No body. Written as JSON {@code null}. */
  record None() implements Body {
    static final None INSTANCE = new None();

    @Override
    public boolean truncated() {
      return false;
    }

    @Override
    public long size() {
      return 0;
    }

    @Override
    public byte[] bytes() {
      return new byte[0];
    }
  }

  /**
   * A UTF-8 text body. {@code originalSize} is the original size in bytes when truncated, and -1
   * when the body is complete. Equality is that of a record of its three values.
   *
   * <p>A text read from its bytes (a recording of version 2) keeps them, and makes its {@code
   * String} only when asked: an answer compared byte for byte with them ({@link #utf8()}) never
   * needs it. It is a class rather than a record for that reason alone.
   */
  final class Text implements Body {
    private final boolean truncated;
    private final long originalSize;

    /** The bytes it was read from (valid UTF-8), or null for a text made from a {@code String}. */
    private final byte[] utf8;

    /** Made from {@link #utf8} when first asked (a race makes it twice, equal: harmless). */
    private String text;

    public Text(String text, boolean truncated, long originalSize) {
      this(Objects.requireNonNull(text, "text"), null, truncated, originalSize);
    }

    private Text(String text, byte[] utf8, boolean truncated, long originalSize) {
      if (truncated && originalSize < 0) {
        throw new BadInputException("a truncated body needs its original size");
      }
      this.text = text;
      this.utf8 = utf8;
      this.truncated = truncated;
      this.originalSize = truncated ? originalSize : -1;
    }

    /**
     * A text read from {@code utf8}, which must be valid UTF-8 and is kept (not copied: the
     * caller gives it up); its {@code String} is made when first asked.
     */
    static Text fromUtf8(byte[] utf8, boolean truncated, long originalSize) {
      return new Text(null, Objects.requireNonNull(utf8, "utf8"), truncated, originalSize);
    }

    /** The text. */
    public String text() {
      String t = text;
      if (t == null) {
        t = new String(utf8, StandardCharsets.UTF_8);
        text = t;
      }
      return t;
    }

    @Override
    public boolean truncated() {
      return truncated;
    }

    /** The original size in bytes when truncated, else -1. */
    public long originalSize() {
      return originalSize;
    }

    @Override
    public long size() {
      if (truncated) {
        return originalSize;
      }
      return utf8 != null ? utf8.length : text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public byte[] bytes() {
      return utf8 != null ? utf8.clone() : text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The bytes this text was read from, as a read-only buffer, without a copy; empty for a text
     * made from a {@code String} (whose {@link #bytes()} are encoded when asked). Equal bytes are
     * an equal text.
     */
    public Optional<ByteBuffer> utf8() {
      return utf8 == null
          ? Optional.empty()
          : Optional.of(ByteBuffer.wrap(utf8).asReadOnlyBuffer());
    }

    @Override
    public boolean equals(Object o) {
      if (this == o) {
        return true;
      }
      if (!(o instanceof Text other)
          || truncated != other.truncated
          || originalSize != other.originalSize) {
        return false;
      }
      return utf8 != null && other.utf8 != null
          ? Arrays.equals(utf8, other.utf8) // valid UTF-8 on both sides: equal bytes, equal text
          : text().equals(other.text());
    }

    @Override
    public int hashCode() {
      return (text().hashCode() * 31 + Boolean.hashCode(truncated)) * 31
          + Long.hashCode(originalSize);
    }

    @Override
    public String toString() {
      return "Text[text="
          + text()
          + ", truncated="
          + truncated
          + ", originalSize="
          + originalSize
          + "]";
    }
  }

  /**
   * A binary body, stored as base64. {@code originalSize} is the original size in bytes when
   * truncated, and -1 when the body is complete. Equality compares the bytes.
   */
  record Binary(byte[] data, boolean truncated, long originalSize) implements Body {
    public Binary {
      Objects.requireNonNull(data, "data");
      if (truncated && originalSize < 0) {
        throw new BadInputException("a truncated body needs its original size");
      }
      if (!truncated) {
        originalSize = -1;
      }
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public long size() {
      return truncated ? originalSize : data.length;
    }

    @Override
    public byte[] bytes() {
      return data.clone();
    }

    /** The stored bytes without copying; callers must not modify them. */
    byte[] unsafeBytes() {
      return data;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Binary other
          && truncated == other.truncated
          && originalSize == other.originalSize
          && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(data) * 31 + Long.hashCode(originalSize);
    }

    @Override
    public String toString() {
      String head = HexFormat.of().formatHex(data, 0, Math.min(16, data.length));
      return "Binary["
          + data.length
          + " bytes: "
          + head
          + (data.length > 16 ? "…" : "")
          + (truncated ? ", truncated from " + originalSize : "")
          + "]";
    }
  }

  /**
   * A body that existed but was not captured by the tool that wrote the input: distinct from an
   * absent body ({@link None}) and from a cut one ({@link #truncated()}). No bytes are known.
   *
   * @param size the original size in bytes as its producer gave it, or -1 when unknown
   */
  record NotCaptured(long size) implements Body {
    public NotCaptured {
      if (size < -1) {
        throw new BadInputException("size must be -1 (unknown) or more, got " + size);
      }
    }

    @Override
    public boolean truncated() {
      return false;
    }

    @Override
    public byte[] bytes() {
      return new byte[0];
    }
  }
}
