package dev.shadowtest.core;

import java.net.URI;

/** The check every target URL (candidate, primary, upstream, mirror) goes through. */
public final class BaseUrls {

  private BaseUrls() {}

  /**
   * Refuses anything but an absolute http(s) URL with a host and a port from 1 to 65535 (or none);
   * {@code what} names it in the message. A user name or password in it is refused too: nothing
   * would send them, and the URL is written in summaries and reports. The message never repeats
   * them.
   */
  public static URI requireHttp(URI uri, String what) {
    String scheme = uri.getScheme();
    if (uri.getRawUserInfo() != null) {
      throw new BadInputException(
          what
              + " must not hold a user name or password (\""
              + uri.getScheme()
              + "://***@"
              + uri.getRawAuthority().substring(uri.getRawAuthority().lastIndexOf('@') + 1)
              + "\"): they would not be sent; give credentials as a header (--header"
              + " Authorization=...)");
    }
    if (scheme == null
        || !(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null) {
      throw new BadInputException(
          what + " must be an http(s) URL like http://127.0.0.1:8080, got \"" + uri + "\"");
    }
    if (uri.getPort() == 0
        || uri.getPort() > 65535
        || uri.getPort() < 0 && uri.getRawAuthority().endsWith(":")) {
      throw new BadInputException(what + " has no usable port (1 to 65535), got \"" + uri + "\"");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new BadInputException(
          what
              + " must not hold a query or a fragment (\""
              + uri
              + "\"): each request's own query is sent; give a base URL like"
              + " http://127.0.0.1:8080 or http://host/base");
    }
    return uri;
  }
}
