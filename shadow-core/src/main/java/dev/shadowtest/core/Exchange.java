package dev.shadowtest.core;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One recorded request/response pair: a line of a recording.
 *
 * @param id             unique within a recording; replay sharding and result lines key on it
 * @param startedAt      when the request started, or null when unknown
 * @param durationMicros how long the original exchange took, or null when unknown
 * @param request        the request as received
 * @param response       the response, or null when upstream gave none (then {@code error} says why)
 * @param error          why there is no response (e.g. {@code connect timeout}), or null
 * @param tags           free-form string labels (session, source...), in insertion order
 */
public record Exchange(
    String id,
    Instant startedAt,
    Long durationMicros,
    HttpRequest request,
    HttpResponse response,
    String error,
    Map<String, String> tags) {

  /**
   * The tag of a WebSocket handshake recorded by the proxy (value {@code v1}): its response body,
   * when there is one, is the transcript of the connection's messages (docs/recording-format.md).
   * Replay and the live mirror do not send such an exchange.
   */
  public static final String TAG_WEBSOCKET = "shadow.websocket";

  public Exchange {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(request, "request");
    if (id.isEmpty()) {
      throw new BadInputException("id is empty");
    }
    if (durationMicros != null && durationMicros < 0) {
      throw new BadInputException("durationMicros is negative: " + durationMicros);
    }
    tags =
        tags == null || tags.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** An exchange with a response and no timing or tags. */
  public static Exchange of(String id, HttpRequest request, HttpResponse response) {
    return new Exchange(id, null, null, request, response, null, Map.of());
  }

  /** True when a response was recorded. */
  public boolean hasResponse() {
    return response != null;
  }

  public Exchange withRequest(HttpRequest newRequest) {
    return new Exchange(id, startedAt, durationMicros, newRequest, response, error, tags);
  }

  public Exchange withResponse(HttpResponse newResponse) {
    return new Exchange(id, startedAt, durationMicros, request, newResponse, error, tags);
  }
}
