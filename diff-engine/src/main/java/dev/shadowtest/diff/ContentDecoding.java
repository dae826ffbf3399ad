package dev.shadowtest.diff;

import dev.shadowtest.core.ContentCoding;
import java.io.IOException;

/**
 * Every {@code Content-Encoding} Shadow decodes: gzip and deflate ({@link ContentCoding}, in core)
 * and br ({@link Brotli}). The one place that chooses between them, for the comparators, the
 * report and replay.
 */
public final class ContentDecoding {

  private ContentDecoding() {}

  /** True for gzip, x-gzip, deflate and br (any case, surrounding spaces). */
  public static boolean supported(String coding) {
    return Brotli.supported(coding) || ContentCoding.supported(coding);
  }

  /**
   * Decodes {@code body}, reading at most {@code max} bytes of output (pass one more than a limit
   * to tell whether there was more).
   *
   * @throws IOException when the bytes are not valid under that coding
   * @throws IllegalArgumentException for a coding that is not {@link #supported}
   */
  public static byte[] decode(byte[] body, String coding, int max) throws IOException {
    return Brotli.supported(coding)
        ? Brotli.decode(body, max)
        : ContentCoding.decode(body, coding, max);
  }

  /**
   * What the first bytes of a body cut short decode to, up to {@code max} bytes: the output
   * decoded before the input ran out, or all of it for a body that is whole. A br body gives
   * nothing unless it is whole.
   *
   * @throws IOException when the bytes are not valid under that coding before they run out
   * @throws IllegalArgumentException for a coding that is not {@link #supported}
   */
  public static byte[] decodeAvailable(byte[] body, String coding, int max) throws IOException {
    if (Brotli.supported(coding)) {
      try {
        return Brotli.decode(body, max);
      } catch (IOException cutShort) {
        return new byte[0];
      }
    }
    return ContentCoding.decodeAvailable(body, coding, max);
  }
}
