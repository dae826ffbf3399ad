package dev.shadowtest.http;

import java.util.Locale;

/**
 * Why a target gave no answer. Results files keep the {@link #label()} before the message
 * ({@code "refused: Connection refused"}); code switches on the constant.
 */
public enum ErrorCategory {
  /** Nothing listens: the connection was refused or no route leads there. */
  REFUSED,
  /** No complete answer within the time allowed. */
  TIMEOUT,
  /** The connection was closed or reset in the middle of the exchange. */
  RESET,
  /** A malformed HTTP answer. */
  PROTOCOL,
  /** An unknown host. */
  DNS,
  /** A body still streaming past the body limit when the time ran out. */
  TOO_LARGE,
  /**
   * TLS failed: the handshake (no common protocol or cipher suite, no common application protocol
   * by ALPN, a plain HTTP server on an https URL that answers the handshake with plain text), a
   * certificate not trusted, a host name the certificate does not name, or a client certificate
   * the server refused or required and did not get. A plain HTTP server that waits silently for a
   * request is a {@link #TIMEOUT} (the handshake never ends), and one that just closes a {@link
   * #RESET}: nothing told TLS apart there.
   */
  TLS,
  /**
   * A transform of the rules could not be applied to the request (no value captured to use, no
   * JWT to re-sign, a timestamp that does not parse): nothing was sent.
   */
  TRANSFORM,
  /** The sender itself stopped: nothing more can be sent (a bug or a crash, never the target's fault). */
  INTERNAL,
  /** Anything else, with the library's message. */
  OTHER;

  /** The lower-case, hyphenated name results files keep: {@code refused}, {@code too-large}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
