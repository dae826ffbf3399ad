package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.Redactor;
import org.apache.hc.core5.http.FormattedHeader;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.util.CharArrayBuffer;
import org.apache.hc.core5.util.Tokenizer;

/**
 * Writes a proxied exchange's recording line straight from its {@link CaptureParts}: no {@code
 * Exchange}, no decoded body string, no Jackson. It writes exactly the line the model path writes
 * ({@code Redactor.apply}, then {@code RecordingWriter}): same fields in the same order, same
 * escapes, a body as text when it is valid UTF-8 unless base64 is smaller, the same redacted
 * header values. {@code CaptureLineTests} holds the two paths to the same bytes.
 *
 * <p>Only for redaction that reads header names alone ({@link #handles}): JSON paths, query
 * parameters, patterns and kept JSON Web Tokens need the model. Any part this encoder does not
 * handle (a header value with a line break, a lone surrogate, a huge body) makes {@link #write}
 * return false, and the exchange takes the model path.
 */
public final class CaptureLine {

  /** Text bodies up to this many characters are always written as text (as the model path does). */
  static final int SMALL_TEXT = 4096;

  /** Bodies over this many bytes take the model path (its line-length check and cut). */
  static final int MAX_BODY_BYTES = 16 << 20;

  /** Messages with more header fields than this take the model path (its field-count check). */
  static final int MAX_FIELDS = 10_000;

  private final Redactor redactor;
  private final boolean raw;

  /** An encoder for exchanges redacted by {@code redactor}, which must be one {@link #handles}. */
  public CaptureLine(Redactor redactor) {
    this(redactor, false);
  }

  /**
   * As {@link #CaptureLine(Redactor)}; with {@code rawBodies}, the lines of a version-2
   * recording: every body stored raw after the line's JSON object (docs/recording-format.md), as
   * {@code RecordingWriter} writes them for such a file.
   */
  public CaptureLine(Redactor redactor, boolean rawBodies) {
    if (!handles(redactor.description())) {
      throw new IllegalArgumentException(
          "redaction needs the model path: " + redactor.description());
    }
    this.redactor = redactor;
    this.raw = rawBodies;
  }

  /** True when {@code redaction} masks header values by name only, which this encoder does. */
  public static boolean handles(Redaction redaction) {
    return redaction.jsonPaths().isEmpty()
        && redaction.queryParams().isEmpty()
        && redaction.patterns().isEmpty()
        && redaction.jwt().headers().isEmpty();
  }

  /**
   * Appends {@code p}'s line (with its '\n') to {@code out}; false when the model path must write
   * it, with {@code out} as it was.
   */
  public boolean write(CaptureParts p, LineBuffer out) {
    int mark = out.size();
    if (!fits(p.requestBody()) || !fits(p.responseBody())) {
      return false;
    }
    if (p.requestHeaders().length > MAX_FIELDS || p.responseHeaders().length > MAX_FIELDS) {
      return false;
    }
    if (encode(p, out)) {
      return true;
    }
    out.truncate(mark);
    return false;
  }

  private static boolean fits(CaptureParts.RawBody b) {
    return b == null || b.length() <= MAX_BODY_BYTES;
  }

  private boolean encode(CaptureParts p, LineBuffer out) {
    out.ascii("{\"id\":");
    if (!out.string(p.id())) {
      return false;
    }
    if (p.startedAt() != null) {
      out.ascii(",\"startedAt\":\"");
      out.instant(p.startedAt());
      out.ascii('"');
    }
    out.ascii(",\"durationMicros\":");
    out.number(p.durationMicros());
    out.ascii(",\"request\":{\"method\":");
    if (!out.string(p.method())) {
      return false;
    }
    out.ascii(",\"target\":");
    if (!out.string(p.target())) {
      return false;
    }
    out.ascii(",\"httpVersion\":");
    if (!out.string(p.httpVersion())) {
      return false;
    }
    if (!headers(p.requestHeaders(), out) || !body(p.requestBody(), out)) {
      return false;
    }
    out.ascii("},\"response\":{\"status\":");
    out.number(p.status());
    out.ascii(",\"reason\":");
    if (!out.string(p.reason())
        || !headers(p.responseHeaders(), out)
        || !body(p.responseBody(), out)) {
      return false;
    }
    out.ascii('}');
    if (p.truncated() != null) {
      out.ascii(",\"tags\":{\"" + Truncation.TAG + "\":\"");
      out.ascii(p.truncated().tag());
      out.ascii("\"}");
    }
    out.ascii('}');
    if (raw && p.requestBody() != null) {
      out.rawBody(p.requestBody().bytes(), p.requestBody().length());
    }
    if (raw && p.responseBody() != null) {
      out.rawBody(p.responseBody().bytes(), p.responseBody().length());
    }
    out.ascii('\n');
    return true;
  }

  private boolean headers(Header[] headers, LineBuffer out) {
    out.ascii(",\"headers\":[");
    for (int i = 0; i < headers.length; i++) {
      Header h = headers[i];
      String name = h.getName();
      if (name == null) {
        return false;
      }
      out.ascii(i == 0 ? "[" : ",[");
      // a line break: one field per line, names cleaned, as the model path does it
      if (!out.string(name, true)) {
        return false;
      }
      out.ascii(',');
      boolean redacted = redactor.redactsHeader(name);
      if (!redacted && h instanceof FormattedHeader parsed && inPlace(parsed, out)) {
        out.ascii(']');
        continue;
      }
      String value = h.getValue();
      if (value == null || !out.string(redacted ? redactor.mask(value) : value, true)) {
        return false;
      }
      out.ascii(']');
    }
    out.ascii(']');
    return true;
  }

  /**
   * Writes a parsed header's value from the line HttpCore read, as {@link Header#getValue} gives
   * it: without the spaces, tabs, CR and LF around it. False, with nothing written, when it holds
   * a CR, LF or NUL inside (HttpCore's own value then says how it reads them) or a lone surrogate.
   */
  private static boolean inPlace(FormattedHeader h, LineBuffer out) {
    CharArrayBuffer line = h.getBuffer();
    char[] a = line.array();
    int from = h.getValuePos();
    int to = line.length();
    while (from < to && Tokenizer.isWhitespace(a[from])) {
      from++;
    }
    while (to > from && Tokenizer.isWhitespace(a[to - 1])) {
      to--;
    }
    return out.chars(a, from, to, true, true);
  }

  /**
   * The body as the model writes it: text if valid UTF-8 and not larger than base64, else base64;
   * for raw bodies its object only (the bytes follow the line's JSON object).
   */
  private boolean body(CaptureParts.RawBody b, LineBuffer out) {
    out.ascii(",\"body\":");
    if (b == null) {
      out.ascii("null");
      return true;
    }
    if (raw) {
      out.ascii("{\"raw\":");
      out.number(b.length());
      if (!LineBuffer.validUtf8(b.bytes(), b.length())) {
        out.ascii(",\"binary\":true");
      }
      if (b.truncated()) {
        out.ascii(",\"truncated\":true,\"size\":");
        out.number(b.size());
      }
      out.ascii('}');
      return true;
    }
    int start = out.size();
    out.ascii("{\"text\":");
    int valueStart = out.size();
    int chars = out.utf8String(b.bytes(), b.length());
    boolean text = chars >= 0;
    if (text && chars > SMALL_TEXT) {
      long escaped = out.estimatedTextBytes(out.size() - valueStart);
      long base64 = (b.length() + 2L) / 3 * 4;
      text = escaped <= base64;
    }
    if (!text) {
      out.truncate(start);
      out.ascii("{\"base64\":");
      out.base64(b.bytes(), b.length());
    }
    if (b.truncated()) {
      out.ascii(",\"truncated\":true,\"size\":");
      out.number(b.size());
    }
    out.ascii('}');
    return true;
  }
}
