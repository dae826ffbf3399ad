package dev.shadowtest.core;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * How {@link HarImporter} and {@link GorImporter} write a recording: what is redacted, how many
 * bytes of each body are kept, and whether an existing output file may be replaced. Redaction is
 * the credential headers of {@code redaction} plus, when given, a redaction file's rules (JSON
 * paths, query parameters, patterns, more headers), applied by the recorder's {@link Redactor}.
 *
 * <pre>{@code
 * ImportOptions o = ImportOptions.defaults().withMaxBody(1 << 20).withOverwrite(true)
 *     .withRedaction(Redaction.load(Path.of("redact.yaml")));
 * HarImporter.importFile(Path.of("session.har"), Path.of("rec.jsonl"), o);
 * }</pre>
 *
 * @param redaction applied to every exchange before it is written ({@link Redaction#defaults()}:
 *                  the credential headers; {@link Redaction#load} adds a redaction file, as
 *                  {@code shadow record --redact} does; {@link Redaction#none()} for none)
 * @param maxBody   bytes of each body kept, 0 to {@link #MAX_BODY_LIMIT}; a longer body is cut to
 *                  this many bytes and flagged truncated with its real size, as the recorder's
 *                  {@code --max-body} does
 * @param overwrite replace an existing output file (otherwise refused); the input itself is never
 *                  written over
 * @param recordingVersion the recording format version written: 1 (the default; JSON lines) or
 *                  {@link RecordingHeader#RAW_BODIES_VERSION} (bodies stored raw, faster to replay)
 */
public record ImportOptions(
    Redaction redaction, long maxBody, boolean overwrite, int recordingVersion) {

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
      throw new BadInputException(
          "the body limit must be 0 to " + MAX_BODY_LIMIT + " bytes (100 MiB), got " + maxBody);
    }
    RecordingHeader.checkVersion(recordingVersion, "the recording version");
  }

  /** Options that write recording version 1. */
  public ImportOptions(Redaction redaction, long maxBody, boolean overwrite) {
    this(redaction, maxBody, overwrite, RecordingHeader.CURRENT_VERSION);
  }

  /** Credential headers redacted, bodies up to 10 MiB, an existing output refused. */
  public static ImportOptions defaults() {
    return new ImportOptions(Redaction.defaults(), DEFAULT_MAX_BODY, false);
  }

  public ImportOptions withRedaction(Redaction newRedaction) {
    return new ImportOptions(newRedaction, maxBody, overwrite, recordingVersion);
  }

  public ImportOptions withMaxBody(long bytes) {
    return new ImportOptions(redaction, bytes, overwrite, recordingVersion);
  }

  public ImportOptions withOverwrite(boolean on) {
    return new ImportOptions(redaction, maxBody, on, recordingVersion);
  }

  public ImportOptions withRecordingVersion(int version) {
    return new ImportOptions(redaction, maxBody, overwrite, version);
  }

  /** The header line of the recording an import writes, created now. */
  RecordingHeader header(String source) {
    return RecordingHeader.now(source, redaction).withVersion(recordingVersion);
  }

  /**
   * How each exchange is redacted before it is written: the one {@link Redactor}, never
   * following a key (an import writes {@code [REDACTED]}).
   */
  UnaryOperator<Exchange> redactor() {
    if (redaction.isEmpty()) {
      return e -> e;
    }
    return new Redactor(redaction, null, (int) Math.min(maxBody, Integer.MAX_VALUE))::apply;
  }

  /** What is redacted, as the recording's header line says it. */
  public Redaction applied() {
    return redaction;
  }
}
