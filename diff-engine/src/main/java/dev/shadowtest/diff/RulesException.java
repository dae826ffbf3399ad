package dev.shadowtest.diff;

import dev.shadowtest.core.BadInputException;

/**
 * A bad rules file: the message starts with {@code file:line: key: }. The diff engine's one
 * exception type.
 */
public class RulesException extends BadInputException {

  private final int line;

  public RulesException(String source, int line, String key, String message) {
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
