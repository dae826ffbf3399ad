package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.Header;

/**
 * A proxied exchange as the live path saw it, handed to the encoders without building anything:
 * the parsed headers as HttpCore holds them, the kept body bytes in place. The encoders build the
 * {@link Exchange} from it ({@link #exchange()}) or, when redaction needs no more than header
 * names, write its recording line straight from these parts ({@link CaptureLine}); both give the
 * same line.
 *
 * @param truncated the {@link Truncation} of the response body, or null when it went through
 */
public record CaptureParts(
    String id,
    Instant startedAt,
    long durationMicros,
    String method,
    String target,
    String httpVersion,
    Header[] requestHeaders,
    RawBody requestBody,
    int status,
    String reason,
    Header[] responseHeaders,
    RawBody responseBody,
    Truncation truncated) {

  /**
   * A body as captured: the first {@code length} bytes of {@code bytes} (not copied), whether they
   * are only part of it ({@code truncated}), and its size in bytes. Null stands for no body.
   */
  public record RawBody(byte[] bytes, int length, boolean truncated, long size) {

    /**
     * The recorded body of a capture: its kept prefix, truncated when a limit cut it or the body
     * did not go through whole; its size is then the declared length (Content-Length) when known,
     * else the bytes seen. A partial body is never recorded as a complete one.
     */
    static RawBody of(TeeEntity.Capture c, long declaredLength) {
      byte[] kept = c.keptArray();
      int length = c.kept();
      if (c.complete(declaredLength)) {
        long size = Math.max(c.size, length);
        return new RawBody(kept, length, size > length, size);
      }
      return new RawBody(kept, length, true, Math.max(Math.max(declaredLength, c.size), length));
    }

    /** The model's body: text when the bytes are valid UTF-8, else binary. */
    Body body() {
      byte[] kept = length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
      Body b = Body.of(kept, truncated ? size : length);
      if (!truncated || b.truncated()) {
        return b;
      }
      // every byte seen was kept, and still it is not the whole body
      return b instanceof Body.Text t
          ? new Body.Text(t.text(), true, size)
          : new Body.Binary(kept, true, size);
    }
  }

  /** The exchange these parts make, before redaction. */
  public Exchange exchange() {
    HttpResponse r = new HttpResponse(status, reason, headers(responseHeaders), body(responseBody));
    return new Exchange(
        id,
        startedAt,
        durationMicros,
        request(method, target, httpVersion, requestHeaders, requestBody),
        r,
        null,
        truncated == null ? Map.of() : Map.of(Truncation.TAG, truncated.tag()));
  }

  /** A request as recorded. */
  static HttpRequest request(
      String method, String target, String version, Header[] headers, RawBody body) {
    return new HttpRequest(method, target, version, headers(headers), body(body));
  }

  private static Body body(RawBody b) {
    return b == null ? Body.none() : b.body();
  }

  private static Headers headers(Header[] parsed) {
    List<Headers.Field> fields = new ArrayList<>(parsed.length);
    for (Header h : parsed) {
      fields.add(new Headers.Field(h.getName(), h.getValue()));
    }
    return Headers.of(fields);
  }
}
