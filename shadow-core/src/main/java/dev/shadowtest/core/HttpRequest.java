package dev.shadowtest.core;

import java.util.Objects;

/**
 * A recorded HTTP request. {@code target} is the request target as sent (origin form: path and
 * query, e.g. {@code /api/users/42?verbose=1}); the authority lives in the {@code Host} header.
 */
public record HttpRequest(
    String method, String target, String httpVersion, Headers headers, Body body) {

  public HttpRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(target, "target");
    if (method.isEmpty()) {
      throw new BadInputException("method is empty");
    }
    httpVersion = httpVersion == null || httpVersion.isEmpty() ? "HTTP/1.1" : httpVersion;
    headers = headers == null ? Headers.empty() : headers;
    body = body == null ? Body.none() : body;
  }

  /** A request with no headers and no body. */
  public static HttpRequest of(String method, String target) {
    return new HttpRequest(method, target, "HTTP/1.1", Headers.empty(), Body.none());
  }

  /** The target without its query string. */
  public String path() {
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  public HttpRequest withHeaders(Headers newHeaders) {
    return new HttpRequest(method, target, httpVersion, newHeaders, body);
  }

  public HttpRequest withBody(Body newBody) {
    return new HttpRequest(method, target, httpVersion, headers, newBody);
  }
}
