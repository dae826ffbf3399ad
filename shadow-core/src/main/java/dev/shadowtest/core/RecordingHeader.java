package dev.shadowtest.core;

import java.time.Instant;
import java.util.Objects;

/**
 * Line 1 of a recording: what the file is, which version of the format, when and by what it was
 * made, and what was redacted.
 *
 * <pre>{@code
 * RecordingHeader h = RecordingHeader.now("import:har", Redaction.defaults());
 * }</pre>
 */
public record RecordingHeader(
    String format, int version, Instant createdAt, String source, Redaction redaction) {

  /** The value of {@code format} in every recording. */
  public static final String FORMAT = "shadow-recording";

  /** The only format version this code reads and writes. */
  public static final int CURRENT_VERSION = 1;

  public RecordingHeader {
    Objects.requireNonNull(format, "format");
    source = source == null ? "" : source;
    redaction = redaction == null ? Redaction.none() : redaction;
  }

  /** A version-1 header created now. */
  public static RecordingHeader now(String source, Redaction redaction) {
    return new RecordingHeader(FORMAT, CURRENT_VERSION, Instant.now(), source, redaction);
  }
}
