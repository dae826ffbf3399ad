package dev.shadowtest.core;

import java.net.URI;

/** The check every target URL (candidate, primary, upstream, mirror) goes through. */
public final class BaseUrls {

  private BaseUrls() {}

  /** Refuses anything but an absolute http(s) URL with a host; {@code what} names it in the message. */
  public static URI requireHttp(URI uri, String what) {
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null) {
      throw new BadInputException(
          what + " must be an http(s) URL like http://127.0.0.1:8080, got \"" + uri + "\"");
    }
    return uri;
  }
}
