package dev.shadowtest.reconcile;

import dev.shadowtest.core.BadInputException;

/**
 * A reconciliation spec Shadow cannot use; the message is {@code file:line: key: what is wrong}.
 */
public class SpecException extends BadInputException {

  private final int line;

  SpecException(String source, int line, String key, String message) {
    super(
        source
            + (line > 0 ? ":" + line : "")
            + ": "
            + (key == null || key.isEmpty() ? "" : key + ": ")
            + message);
    this.line = line;
  }

  /** The 1-based line of the problem, or 0 when unknown. */
  public int line() {
    return line;
  }
}
