package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;

/**
 * Chooses how a recorded body is written so that one line of the recording stays bounded: a text
 * body whose JSON string would be longer than its base64 (control characters such as NUL become
 * six-byte {@code \u0000} escapes, so a body of zeros would grow sixfold) is written as base64
 * instead, which grows it by a third at most. The bytes are the same either way.
 */
public final class BodyForm {

  private BodyForm() {}

  /** {@code e} with every escape-heavy text body as binary. */
  public static Exchange compact(Exchange e) {
    Exchange out = e;
    Body request = compact(e.request().body());
    if (request != e.request().body()) {
      out = out.withRequest(e.request().withBody(request));
    }
    if (e.response() != null) {
      Body response = compact(e.response().body());
      if (response != e.response().body()) {
        out = out.withResponse(e.response().withBody(response));
      }
    }
    return out;
  }

  static Body compact(Body b) {
    if (!(b instanceof Body.Text t)) {
      return b;
    }
    String s = t.text();
    long json = 0;
    long utf8 = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int bytes = c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
      utf8 += bytes;
      json += c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f' ? 2
          : c < 0x20 ? 6 : bytes;
    }
    long base64 = (utf8 + 2) / 3 * 4;
    return json <= base64 ? b : new Body.Binary(t.bytes(), t.truncated(), t.truncated() ? t.originalSize() : -1);
  }
}
