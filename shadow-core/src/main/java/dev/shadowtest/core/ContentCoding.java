package dev.shadowtest.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/** Content-Encoding decoding and strict UTF-8, shared by the comparators, the report and the redactor. */
public final class ContentCoding {

  private ContentCoding() {}

  /** True for the codings {@link #decode} knows: gzip, x-gzip, deflate. */
  public static boolean supported(String encoding) {
    String e = encoding.strip().toLowerCase(Locale.ROOT);
    return e.equals("gzip") || e.equals("x-gzip") || e.equals("deflate");
  }

  /**
   * Decodes {@code body} under {@code encoding}, reading at most {@code max} bytes of output.
   *
   * @throws IOException when the bytes are not valid under that coding
   * @throws IllegalArgumentException for a coding that is not {@link #supported}
   */
  public static byte[] decode(byte[] body, String encoding, int max) throws IOException {
    try (InputStream in = open(body, encoding)) {
      return in.readNBytes(max);
    }
  }

  /**
   * The first bytes of {@code body} decoded under {@code encoding}: at most {@code max} are kept.
   *
   * @param bytes    the decoded bytes kept
   * @param decoded  decoded bytes seen: the whole decoded size when {@code complete}, else a lower
   *                 bound (decoding stops just past {@code max}: a small body can expand without limit)
   * @param complete true when {@code bytes} is the whole decoded body
   */
  public record Prefix(byte[] bytes, long decoded, boolean complete) {}

  /**
   * Decodes at most {@code max} bytes of {@code body} under {@code encoding}, and looks a little
   * further to tell whether there was more: the work is bounded by {@code max}, not by what the
   * body would expand to (a 100 KB gzip bomb stands for 100 MB of zeros).
   *
   * @throws IOException when the bytes up to there are not valid under that coding
   * @throws IllegalArgumentException for a coding that is not {@link #supported}
   */
  public static Prefix decodePrefix(byte[] body, String encoding, int max) throws IOException {
    try (InputStream in = open(body, encoding)) {
      byte[] kept = in.readNBytes(max);
      byte[] probe = new byte[8192];
      int more = in.readNBytes(probe, 0, probe.length);
      return new Prefix(kept, kept.length + (long) more, more == 0);
    }
  }

  /**
   * What {@code body}, perhaps cut short, decodes to before its bytes run out: at most {@code max}
   * bytes. A body that is whole gives all of it.
   *
   * @throws IOException when the bytes up to there are not valid under that coding
   * @throws IllegalArgumentException for a coding that is not {@link #supported}
   */
  public static byte[] decodeAvailable(byte[] body, String encoding, int max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try (InputStream in = open(body, encoding)) {
      int n;
      while (out.size() < max
          && (n = in.read(buf, 0, Math.min(buf.length, max - out.size()))) > 0) {
        out.write(buf, 0, n);
      }
    } catch (EOFException cutShort) {
      // the input ran out: what was decoded before is what is known (a gzip header cut short
      // gives nothing)
    }
    return out.toByteArray();
  }

  private static InputStream open(byte[] body, String encoding) throws IOException {
    String e = encoding.strip().toLowerCase(Locale.ROOT);
    return switch (e) {
      case "gzip", "x-gzip" -> new GZIPInputStream(new ByteArrayInputStream(body));
      case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(body));
      default -> throw new IllegalArgumentException("unsupported Content-Encoding " + encoding);
    };
  }

  /** The strict UTF-8 decoding of {@code bytes}, or null when they are not valid UTF-8. */
  public static String strictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
