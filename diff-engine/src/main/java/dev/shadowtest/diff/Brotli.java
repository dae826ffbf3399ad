package dev.shadowtest.diff;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.brotli.dec.BrotliInputStream;

/**
 * Decoding of {@code Content-Encoding: br} (RFC 7932) bodies, beside the codings that
 * {@link dev.shadowtest.core.ContentCoding} in shadow-core knows (the model depends on Jackson only, so Brotli lives
 * here). The work is bounded by the output kept, not by what the body would expand to.
 *
 * <pre>{@code
 * if (Brotli.supported(encoding)) {
 *   byte[] decoded = Brotli.decode(body, limit + 1); // longer than limit: there was more
 * }
 * }</pre>
 */
public final class Brotli {

  private Brotli() {}

  /** True for {@code br}, in any case and with surrounding spaces. */
  public static boolean supported(String coding) {
    return coding.strip().toLowerCase(Locale.ROOT).equals("br");
  }

  /**
   * Decodes {@code body}, reading at most {@code max} bytes of output (as
   * {@code ContentCoding.decode} does: pass one more than the limit to tell whether there was more).
   *
   * @throws IOException when the bytes up to there are not a valid Brotli stream (never a runtime
   *     exception for bad input)
   */
  public static byte[] decode(byte[] body, int max) throws IOException {
    try (InputStream in = new BrotliInputStream(new ByteArrayInputStream(body))) {
      return in.readNBytes(max);
    } catch (IOException e) {
      throw new IOException(reason(e), e);
    } catch (RuntimeException e) {
      // the decoder signals some corrupt input with unchecked exceptions: bad input is not a bug
      // here
      throw new IOException("invalid Brotli data: " + e, e);
    }
  }

  /** The decoder's message with its cause's, which names what was wrong. */
  private static String reason(IOException e) {
    Throwable cause = e.getCause();
    return cause == null || cause.getMessage() == null
        ? String.valueOf(e.getMessage())
        : e.getMessage() + ": " + cause.getMessage();
  }
}
