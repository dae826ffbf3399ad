package dev.shadowtest.recorder.internal;

/**
 * Why a recorded response body is only a prefix of the real one although no capture limit cut it:
 * a connection ended before the body did. Written as the exchange's {@value #TAG} tag (the body
 * itself is flagged {@code truncated}) and counted in the stats.
 */
public enum Truncation {
  /** The client went away (or could not be written to) before the end of the response. */
  CLIENT_ABORT("client-abort"),
  /** The upstream closed, reset or timed out before the end of the body it announced. */
  UPSTREAM_CLOSE("upstream-close");

  /** The exchange tag that keeps the reason. */
  public static final String TAG = "shadow.truncated";

  private final String tag;

  Truncation(String tag) {
    this.tag = tag;
  }

  /** The tag's value. */
  public String tag() {
    return tag;
  }
}
