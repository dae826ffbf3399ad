package dev.shadowtest.core;

import java.util.Objects;

/**
 * How {@link HarImporter} and {@link GorImporter} write a recording: what is redacted, how many
 * bytes of each body are kept, and whether an existing output file may be replaced.
 *
 * <pre>{@code
 * ImportOptions o = ImportOptions.defaults().withMaxBody(1 << 20).withOverwrite(true);
 * HarImporter.importFile(Path.of("session.har"), Path.of("rec.jsonl"), o);
 * }</pre>
 *
 * @param redaction applied to every exchange before it is written
 * @param maxBody   bytes of each body kept, 0 to {@link #MAX_BODY_LIMIT}; a longer body is cut to
 *                  this many bytes and flagged truncated with its real size, as the recorder's
 *                  {@code --max-body} does
 * @param overwrite replace an existing output file (otherwise refused); the input itself is never
 *                  written over
 */
public record ImportOptions(Redaction redaction, long maxBody, boolean overwrite) {

  /** The default body limit (10 MiB), the recorder's default {@code --max-body}. */
  public static final long DEFAULT_MAX_BODY = 10L << 20;

  /**
   * The largest body limit (100 MiB): a recording line holds at most 200 MiB
   * ({@link RecordingWriter#MAX_LINE_BYTES}), and base64 grows a body by a third.
   */
  public static final long MAX_BODY_LIMIT = 100L << 20;

  public ImportOptions {
    Objects.requireNonNull(redaction, "redaction");
    if (maxBody < 0 || maxBody > MAX_BODY_LIMIT) {
      throw new BadInputException("the body limit must be 0 to " + MAX_BODY_LIMIT + " bytes (100 MiB), got " + maxBody);
    }
  }

  /** Credential headers redacted, bodies up to 10 MiB, an existing output refused. */
  public static ImportOptions defaults() {
    return new ImportOptions(Redaction.defaults(), DEFAULT_MAX_BODY, false);
  }

  public ImportOptions withRedaction(Redaction newRedaction) {
    return new ImportOptions(newRedaction, maxBody, overwrite);
  }

  public ImportOptions withMaxBody(long bytes) {
    return new ImportOptions(redaction, bytes, overwrite);
  }

  public ImportOptions withOverwrite(boolean on) {
    return new ImportOptions(redaction, maxBody, on);
  }
}
