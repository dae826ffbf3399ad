package dev.shadowtest.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a recording had redacted before it reached disk: header names (any case) whose values
 * were replaced, and JSON paths. It is both the configuration of redaction and the summary
 * written in the recording's header line.
 *
 * <pre>{@code
 * Redaction r = Redaction.defaults().withHeaders(List.of("X-Session"));
 * Exchange safe = r.apply(exchange);
 * }</pre>
 */
public record Redaction(
    List<String> headers,
    List<String> jsonPaths,
    List<String> queryParams,
    List<String> patterns,
    boolean pseudonyms) {

  /** The replacement for a redacted value. */
  public static final String REDACTED = "[REDACTED]";

  /** Headers that carry credentials and are redacted unless the user opts out. */
  public static final List<String> DEFAULT_HEADERS =
      List.of("Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization", "X-Api-Key");

  public Redaction {
    headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
    jsonPaths = List.copyOf(Objects.requireNonNull(jsonPaths, "jsonPaths"));
    queryParams = List.copyOf(Objects.requireNonNull(queryParams, "queryParams"));
    patterns = List.copyOf(Objects.requireNonNull(patterns, "patterns"));
  }

  /** Header names and JSON paths only, replaced by {@link #REDACTED}. */
  public Redaction(List<String> headers, List<String> jsonPaths) {
    this(headers, jsonPaths, List.of(), List.of(), false);
  }

  /** The default redaction: credential headers. */
  public static Redaction defaults() {
    return new Redaction(DEFAULT_HEADERS, List.of());
  }

  /** No redaction at all (explicit opt-out). */
  public static Redaction none() {
    return new Redaction(List.of(), List.of());
  }

  /** This redaction plus more header names. */
  public Redaction withHeaders(List<String> more) {
    Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    seen.addAll(headers);
    List<String> merged = new ArrayList<>(headers);
    for (String h : more) {
      if (seen.add(h)) {
        merged.add(h);
      }
    }
    return new Redaction(merged, jsonPaths, queryParams, patterns, pseudonyms);
  }

  public boolean isEmpty() {
    return headers.isEmpty() && jsonPaths.isEmpty() && queryParams.isEmpty() && patterns.isEmpty();
  }

  /**
   * The exchange with the value of every configured header replaced by {@link #REDACTED}, in
   * requests and responses.
   *
   * @throws UnsupportedOperationException when JSON paths are configured: body redaction comes
   *     with the recorder; until then a recording must never claim a redaction it did not do
   */
  public Exchange apply(Exchange exchange) {
    if (!jsonPaths.isEmpty() || !queryParams.isEmpty() || !patterns.isEmpty() || pseudonyms) {
      throw new UnsupportedOperationException(
          "JSON paths, query parameters, patterns and pseudonyms are applied by the"
              + " recorder's redactor (shadow-recorder), not here: "
              + this);
    }
    if (headers.isEmpty()) {
      return exchange;
    }
    Exchange out =
        exchange.withRequest(exchange.request().withHeaders(redact(exchange.request().headers())));
    if (out.response() != null) {
      out = out.withResponse(out.response().withHeaders(redact(out.response().headers())));
    }
    return out;
  }

  private Headers redact(Headers h) {
    Headers out = h;
    for (String name : headers) {
      out = out.mapValues(name, v -> REDACTED);
    }
    return out;
  }
}
