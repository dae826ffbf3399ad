package dev.shadowtest.core;

/** A recorded HTTP response: status, reason phrase (may be empty), headers and body. */
public record HttpResponse(int status, String reason, Headers headers, Body body) {

  public HttpResponse {
    if (status < 100 || status > 999) {
      throw new BadInputException("status " + status + " is not a 3-digit HTTP status");
    }
    reason = reason == null ? "" : reason;
    headers = headers == null ? Headers.empty() : headers;
    body = body == null ? Body.none() : body;
  }

  public HttpResponse withHeaders(Headers newHeaders) {
    return new HttpResponse(status, reason, newHeaders, body);
  }

  public HttpResponse withBody(Body newBody) {
    return new HttpResponse(status, reason, headers, newBody);
  }
}
