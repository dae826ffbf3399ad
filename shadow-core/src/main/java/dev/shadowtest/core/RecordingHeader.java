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

  /**
   * The format version written unless another is asked for: every line is a JSON object, which
   * any JSON tool reads (docs/recording-format.md).
   */
  public static final int CURRENT_VERSION = 1;

  /**
   * The version that may store bodies raw after each line's JSON object, escaping only {@code \},
   * LF and CR: faster to read and write than JSON strings, smaller than base64, but its lines are
   * no longer JSON alone. Shadow reads both versions.
   */
  public static final int RAW_BODIES_VERSION = 2;

  public RecordingHeader {
    Objects.requireNonNull(format, "format");
    checkVersion(version, "recording version");
    source = source == null ? "" : source;
    redaction = redaction == null ? Redaction.none() : redaction;
  }

  /**
   * {@code version} when Shadow writes it (1 or {@link #RAW_BODIES_VERSION}).
   *
   * @throws BadInputException naming {@code what} (an option, a field) otherwise
   */
  public static int checkVersion(int version, String what) {
    if (version < 1 || version > RAW_BODIES_VERSION) {
      throw new BadInputException(
          what + " must be 1 or " + RAW_BODIES_VERSION + ", got " + version);
    }
    return version;
  }

  /** A version-1 header created now. */
  public static RecordingHeader now(String source, Redaction redaction) {
    return new RecordingHeader(FORMAT, CURRENT_VERSION, Instant.now(), source, redaction);
  }

  /** This header with another format version (1 or {@link #RAW_BODIES_VERSION}). */
  public RecordingHeader withVersion(int newVersion) {
    return new RecordingHeader(format, newVersion, createdAt, source, redaction);
  }

  /** True when lines may store bodies raw after their JSON ({@link #RAW_BODIES_VERSION}). */
  public boolean rawBodies() {
    return version >= RAW_BODIES_VERSION;
  }
}
