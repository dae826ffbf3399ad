package dev.shadowtest.http;

import org.apache.hc.core5.http.ConnectionReuseStrategy;
import org.apache.hc.core5.http.FormattedHeader;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HeaderElements;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.HttpStatus;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.message.MessageSupport;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.Args;

/**
 * Whether an HTTP/1.1 connection is kept open after an exchange: the decision of HttpCore's
 * {@code DefaultConnectionReuseStrategy}, the same for every request and response, made in one
 * pass over each message's headers, without a {@code String} per token.
 *
 * <p>HttpCore's strategy looks up each of the headers it needs in a pass of its own (seven over
 * a response) and splits {@code Connection} values into new strings: about 1 µs per exchange on
 * this project's benchmark machines, paid by every request Shadow replays and twice by every
 * request {@code shadow record} proxies (docs/PERFORMANCE.md). This one gives the same answer
 * ({@code ConnectionReuseTests} holds it to HttpCore's on random messages): a request with both
 * {@code Content-Length} and {@code Transfer-Encoding}, or a {@code close} token in its {@code
 * Connection}, ends the connection; so does a response whose framing is in doubt (no {@code
 * Transfer-Encoding} and not exactly one {@code Content-Length} where it may have a body; {@code
 * Transfer-Encoding} in HTTP/1.0; a 204 with a body announced). Then the response's {@code
 * Connection} tokens decide, or its {@code Proxy-Connection} ones when it has no {@code
 * Connection}: {@code close} ends an HTTP/1.1 connection, {@code keep-alive} keeps an HTTP/1.0
 * one; without either header, HTTP/1.1 keeps it and HTTP/1.0 does not. Tokens are compared as
 * {@link String#equalsIgnoreCase} compares them, names as HttpCore's header lookups do.
 */
public final class ConnectionReuse implements ConnectionReuseStrategy {

  /** The one instance: it holds no state. */
  public static final ConnectionReuse INSTANCE = new ConnectionReuse();

  private ConnectionReuse() {}

  @Override
  public boolean keepAlive(HttpRequest request, HttpResponse response, HttpContext context) {
    Args.notNull(response, "HTTP response");
    if (request != null) {
      boolean length = false;
      boolean encoding = false;
      boolean close = false;
      for (Header h : request.getHeaders()) {
        String name = h.getName();
        if (name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
          length = true;
        } else if (name.equalsIgnoreCase(HttpHeaders.TRANSFER_ENCODING)) {
          encoding = true;
        } else if (name.equalsIgnoreCase(HttpHeaders.CONNECTION)) {
          close |= hasToken(h, HeaderElements.CLOSE);
        }
      }
      if (length && encoding || close) {
        return false;
      }
    }
    Header encoding = null;
    Header firstLength = null;
    int lengths = 0;
    boolean connection = false;
    boolean proxyConnection = false;
    for (Header h : response.getHeaders()) {
      String name = h.getName();
      if (name.equalsIgnoreCase(HttpHeaders.TRANSFER_ENCODING)) {
        if (encoding == null) {
          encoding = h;
        }
      } else if (name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH)) {
        if (firstLength == null) {
          firstLength = h;
        }
        lengths++;
      } else if (name.equalsIgnoreCase(HttpHeaders.CONNECTION)) {
        connection = true;
      } else if (name.equalsIgnoreCase(PROXY_CONNECTION)) {
        proxyConnection = true;
      }
    }
    if (encoding == null
        && MessageSupport.canResponseHaveBody(
            request != null ? request.getMethod() : null, response)
        && lengths != 1) {
      return false;
    }
    ProtocolVersion version =
        response.getVersion() != null ? response.getVersion() : context.getProtocolVersion();
    if (version.lessEquals(HttpVersion.HTTP_1_0) && encoding != null) {
      return false;
    }
    if (response.getCode() == HttpStatus.SC_NO_CONTENT) {
      if (firstLength != null) {
        try {
          if (Long.parseLong(firstLength.getValue()) > 0) {
            return false;
          }
        } catch (NumberFormatException e) {
          // as HttpCore: a length that is no number does not decide
        }
      }
      if (encoding != null) {
        return false;
      }
    }
    if (!connection && !proxyConnection) {
      return version.greaterEquals(HttpVersion.HTTP_1_1);
    }
    String name = connection ? HttpHeaders.CONNECTION : PROXY_CONNECTION;
    String token =
        version.greaterEquals(HttpVersion.HTTP_1_1)
            ? HeaderElements.CLOSE
            : HeaderElements.KEEP_ALIVE;
    boolean found = false;
    for (Header h : response.getHeaders()) {
      if (h.getName().equalsIgnoreCase(name) && hasToken(h, token)) {
        found = true;
        break;
      }
    }
    // HTTP/1.1: kept unless "close"; HTTP/1.0: kept only with "keep-alive"
    return version.greaterEquals(HttpVersion.HTTP_1_1) != found;
  }

  private static final String PROXY_CONNECTION = "Proxy-Connection";

  /**
   * True when one of the comma-separated tokens of {@code h}'s value is {@code token}, in any
   * case: a token is what lies between commas, without the space, tab, CR and LF around it (a
   * token with any of them inside is not {@code token}, which has none), as HttpCore's {@code
   * BasicTokenIterator} splits it.
   */
  static boolean hasToken(Header h, String token) {
    CharSequence value;
    int from;
    if (h instanceof FormattedHeader f) {
      value = f.getBuffer();
      from = f.getValuePos();
    } else {
      value = h.getValue();
      from = 0;
      if (value == null) {
        return false;
      }
    }
    int end = value.length();
    int i = from;
    while (i < end) {
      while (i < end && isWhitespace(value.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < end && value.charAt(i) != ',' && !isWhitespace(value.charAt(i))) {
        i++;
      }
      int stop = i;
      while (i < end && isWhitespace(value.charAt(i))) {
        i++;
      }
      boolean whole = i == end || value.charAt(i) == ',';
      if (whole && sameIgnoringCase(value, start, stop, token)) {
        return true;
      }
      while (i < end && value.charAt(i) != ',') {
        i++; // the rest of a token with whitespace inside: not the token
      }
      i++; // past the comma
    }
    return false;
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  /** {@code s[start, stop)} equals {@code token} as {@link String#equalsIgnoreCase} compares. */
  private static boolean sameIgnoringCase(CharSequence s, int start, int stop, String token) {
    if (stop - start != token.length()) {
      return false;
    }
    for (int k = 0; k < token.length(); k++) {
      char a = s.charAt(start + k);
      char b = token.charAt(k);
      if (a == b) {
        continue;
      }
      char ua = Character.toUpperCase(a);
      char ub = Character.toUpperCase(b);
      if (ua != ub && Character.toLowerCase(ua) != Character.toLowerCase(ub)) {
        return false;
      }
    }
    return true;
  }
}
