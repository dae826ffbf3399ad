package dev.shadowtest.core;

/**
 * An exchange no recording line can hold (more header fields or tags than a reader accepts, or a
 * target and headers of hundreds of MiB), refused before a byte of it is written: the file stays
 * intact and the next exchange can be written.
 */
public class UnwritableExchangeException extends BadInputException {

  public UnwritableExchangeException(String message) {
    super(message);
  }
}
