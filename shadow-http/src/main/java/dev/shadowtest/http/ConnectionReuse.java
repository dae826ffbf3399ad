package dev.shadowtest.http;

import java.util.Iterator;
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
 * <p>HttpCore's strategy looks up each of the headers it needs in a pass of its own (up to seven
 * over a response) and splits {@code Connection} values into new strings: 0.7-1.0 µs when both
 * messages carry {@code Connection: keep-alive}, against 0.2 µs for this one ({@code
 * ConnectionReuseBenchmark}, docs/PERFORMANCE.md), on every request Shadow replays and on both
 * sides of every request {@code shadow record} proxies. This one gives the same answer
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
      for (Iterator<Header> it = request.headerIterator(); it.hasNext(); ) {
        Header h = it.next();
        switch (kind(h.getName())) {
          case CONTENT_LENGTH -> length = true;
          case TRANSFER_ENCODING -> encoding = true;
          case CONNECTION -> close |= (tokens(h) & CLOSE) != 0;
          default -> {}
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
    int connectionTokens = 0;
    int proxyConnectionTokens = 0;
    for (Iterator<Header> it = response.headerIterator(); it.hasNext(); ) {
      Header h = it.next();
      switch (kind(h.getName())) {
        case TRANSFER_ENCODING -> {
          if (encoding == null) {
            encoding = h;
          }
        }
        case CONTENT_LENGTH -> {
          if (firstLength == null) {
            firstLength = h;
          }
          lengths++;
        }
        case CONNECTION -> {
          connection = true;
          connectionTokens |= tokens(h);
        }
        case PROXY_CONNECTION -> {
          proxyConnection = true;
          proxyConnectionTokens |= tokens(h);
        }
        default -> {}
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
    boolean http11 = version.greaterEquals(HttpVersion.HTTP_1_1);
    if (!connection && !proxyConnection) {
      return http11;
    }
    // Proxy-Connection counts only without Connection. HTTP/1.1: kept unless "close"; HTTP/1.0
    // (and other protocols): kept only with "keep-alive"
    int tokens = connection ? connectionTokens : proxyConnectionTokens;
    return http11 ? (tokens & CLOSE) == 0 : (tokens & KEEP_ALIVE) != 0;
  }

  private static final int OTHER = 0;
  private static final int CONTENT_LENGTH = 1;
  private static final int TRANSFER_ENCODING = 2;
  private static final int CONNECTION = 3;
  private static final int PROXY_CONNECTION = 4;

  /**
   * Which of the headers the decision turns on {@code name} is, in any case ({@link
   * String#equalsIgnoreCase}, as HttpCore's lookups compare names), or {@link #OTHER}: told apart
   * by their lengths first, which differ.
   */
  private static int kind(String name) {
    return switch (name.length()) {
      case 10 -> name.equalsIgnoreCase(HttpHeaders.CONNECTION) ? CONNECTION : OTHER;
      case 14 -> name.equalsIgnoreCase(HttpHeaders.CONTENT_LENGTH) ? CONTENT_LENGTH : OTHER;
      case 16 -> name.equalsIgnoreCase("Proxy-Connection") ? PROXY_CONNECTION : OTHER;
      case 17 -> name.equalsIgnoreCase(HttpHeaders.TRANSFER_ENCODING) ? TRANSFER_ENCODING : OTHER;
      default -> OTHER;
    };
  }

  /** A {@code close} token, in {@link #tokens}. */
  static final int CLOSE = 1;

  /** A {@code keep-alive} token, in {@link #tokens}. */
  static final int KEEP_ALIVE = 2;

  /**
   * Which of {@code close} and {@code keep-alive} are among the comma-separated tokens of {@code
   * h}'s value, in any case ({@link #CLOSE}, {@link #KEEP_ALIVE}, both or 0): a token is what lies
   * between commas, without the space, tab, CR and LF around it (a token with any of them inside
   * is neither, which have none), as HttpCore's {@code BasicTokenIterator} splits it.
   */
  static int tokens(Header h) {
    CharSequence value;
    int from;
    if (h instanceof FormattedHeader f) {
      value = f.getBuffer();
      from = f.getValuePos();
    } else {
      value = h.getValue();
      from = 0;
      if (value == null) {
        return 0;
      }
    }
    int found = 0;
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
      if (i == end || value.charAt(i) == ',') {
        if (sameIgnoringCase(value, start, stop, HeaderElements.CLOSE)) {
          found |= CLOSE;
        } else if (sameIgnoringCase(value, start, stop, HeaderElements.KEEP_ALIVE)) {
          found |= KEEP_ALIVE;
        }
      }
      while (i < end && value.charAt(i) != ',') {
        i++; // the rest of a token with whitespace inside: neither
      }
      i++; // past the comma
    }
    return found;
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
