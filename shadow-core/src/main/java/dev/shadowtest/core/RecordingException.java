package dev.shadowtest.core;

import java.nio.file.Path;

/**
 * Bad input or an I/O failure while reading or writing recordings and the files they are
 * imported from. The message always starts with where: {@code file:line: what}, or
 * {@code file: what} when no line applies.
 */
public class RecordingException extends BadInputException {

  private final Path file;
  private final long line;

  public RecordingException(Path file, long line, String message, Throwable cause) {
    super(where(file, line) + message, cause);
    this.file = file;
    this.line = line;
  }

  public RecordingException(Path file, long line, String message) {
    this(file, line, message, null);
  }

  /** The file the problem is in, or null when not file-based. */
  public Path file() {
    return file;
  }

  /** The 1-based line of the problem, or 0 when no line applies. */
  public long line() {
    return line;
  }

  private static String where(Path file, long line) {
    if (file == null) {
      return line > 0 ? "line " + line + ": " : "";
    }
    return line > 0 ? file + ":" + line + ": " : file + ": ";
  }
}
