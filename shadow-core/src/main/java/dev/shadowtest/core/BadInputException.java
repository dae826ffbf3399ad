package dev.shadowtest.core;

/**
 * Input Shadow cannot use: a file (a recording, a HAR, a rules file), an option or a
 * configuration value, or an output it cannot write. The message names what and where. Exit 2 in
 * the CLI; never a sign of a bug.
 *
 * <pre>{@code
 * throw new BadInputException("--max-body must be between 1 byte and 1 GiB, got " + maxBody);
 * }</pre>
 */
public class BadInputException extends ShadowException {

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
