package dev.shadowtest.core;

/**
 * A failure Shadow explains to its user: the message says what went wrong and where (file, line,
 * field, option), so it is printed as it is. The one hierarchy of Shadow's expected failures;
 * the CLI maps it to exit codes in one place ({@link BadInputException}: 2). Anything else that
 * escapes (an {@code IllegalArgumentException}, a {@code NullPointerException}) is a bug: exit 3.
 */
public abstract class ShadowException extends RuntimeException {

  protected ShadowException(String message) {
    super(message);
  }

  protected ShadowException(String message, Throwable cause) {
    super(message, cause);
  }
}
