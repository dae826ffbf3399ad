package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.RedactionKey;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.recorder.internal.CaptureParts.RawBody;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.message.BufferedHeader;
import org.apache.hc.core5.util.CharArrayBuffer;
import org.junit.jupiter.api.Test;

/**
 * The direct encoder against the model path it replaces: for every exchange, {@link CaptureLine}
 * writes the bytes that {@link Redactor#apply} then {@link RecordingWriter} write, or declines and
 * leaves the buffer as it was.
 */
class CaptureLineTests {

  private static final List<Redactor> REDACTORS =
      List.of(
          new Redactor(Redaction.defaults(), null),
          new Redactor(Redaction.defaults(), RedactionKey.of("0123456789abcdef0123456789abcdef")),
          new Redactor(Redaction.none(), null),
          new Redactor(new Redaction(List.of("X-Secret", "x-\u00c4PI-key"), List.of()), null));

  private static final RecordingHeader V2 =
      RecordingHeader.now("recorder", Redaction.defaults()).withVersion(2);

  /** The model path's line for {@code p}, with its '\n'. */
  private static byte[] model(CaptureParts p, Redactor r) {
    return model(p, r, false);
  }

  /** The model path's line for {@code p} in a recording of version 1, or 2 ({@code raw}). */
  private static byte[] model(CaptureParts p, Redactor r, boolean raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RecordingWriter w = raw ? RecordingWriter.lines(out, V2) : RecordingWriter.lines(out);
    w.write(r.apply(p.exchange()));
    w.flush();
    return out.toByteArray();
  }

  /** The direct line, or null when the encoder declined (then the buffer must be unchanged). */
  private static byte[] direct(CaptureParts p, Redactor r) {
    return direct(p, r, false);
  }

  private static byte[] direct(CaptureParts p, Redactor r, boolean raw) {
    LineBuffer out = new LineBuffer();
    out.write('x'); // a line before it in the batch stays as it is
    boolean written = new CaptureLine(r, raw).write(p, out);
    byte[] all = out.toByteArray();
    assertThat(all[0]).isEqualTo((byte) 'x');
    if (!written) {
      assertThat(all).hasSize(1);
      return null;
    }
    return Arrays.copyOfRange(all, 1, all.length);
  }

  /** The same line from both paths, in version 1 and in version 2 (raw bodies). */
  private static void assertSameLine(CaptureParts p, Redactor r) {
    for (boolean raw : new boolean[] {false, true}) {
      byte[] direct = direct(p, r, raw);
      if (direct != null) {
        assertThat(new String(direct, StandardCharsets.ISO_8859_1))
            .as("exchange %s, raw bodies %s", p.id(), raw)
            .isEqualTo(new String(model(p, r, raw), StandardCharsets.ISO_8859_1));
      }
    }
  }

  @Test
  void rawBodiesFollowTheJsonAsTheModelWritesThem() {
    byte[] binary = bytes(0xFF, '\\', '\n', '\r', '\t', 0);
    byte[] text = "{\"a\": \"x\\ny\"}\r\n".getBytes(StandardCharsets.UTF_8);
    CaptureParts p =
        parts(
            "raw",
            new Header[0],
            new RawBody(binary, binary.length, false, binary.length),
            new Header[0],
            new RawBody(text, 8, true, text.length),
            null);
    byte[] direct = direct(p, REDACTORS.get(0), true);
    assertThat(direct).isEqualTo(model(p, REDACTORS.get(0), true));
    assertThat(new String(direct, StandardCharsets.ISO_8859_1))
        .contains("\"body\":{\"raw\":6,\"binary\":true}")
        .contains("\"body\":{\"raw\":8,\"truncated\":true,\"size\":" + text.length + "}")
        .endsWith("}}\t\u00ff\\\\\\n\\r\t\u0000\t{\"a\": \"x\n");
  }

  @Test
  void theWarmUpSamplesTakeEveryKindOfLineAndAreWrittenAsTheModelWritesThem() {
    Redactor r = new Redactor(Redaction.defaults(), null);
    List<String> lines = new ArrayList<>();
    int declined = 0;
    for (CaptureParts p : CaptureWarmup.samples()) {
      assertSameLine(p, r);
      byte[] direct = direct(p, r);
      if (direct == null) {
        declined++;
      } else {
        lines.add(new String(direct, StandardCharsets.UTF_8));
      }
    }
    assertThat(declined).as("samples only the model path writes").isEqualTo(1);
    assertThat(lines).anyMatch(l -> l.contains("\"body\":{\"text\":\"{\\\"items"));
    assertThat(lines).anyMatch(l -> l.contains("\\u0001")); // a control character, escaped
    assertThat(lines).anyMatch(l -> l.contains("\\uD83D\\uDE00")); // beyond the BMP
    assertThat(lines).anyMatch(l -> l.contains("\"truncated\":true"));
    assertThat(lines).anyMatch(l -> l.contains("\"body\":null"));
    assertThat(lines).anyMatch(l -> l.contains("\"shadow.truncated\":\"client-abort\""));
    // base64: binary bytes, each malformed UTF-8 form, and text longer escaped than encoded
    assertThat(lines.stream().filter(l -> l.contains("{\"base64\":")).count()).isEqualTo(8);
    assertThat(lines).allMatch(l -> !l.contains("eyJzdWIiOiIxIn0")); // the token is masked
  }

  @Test
  void aTypicalProxiedExchangeIsWrittenDirectlyAsTheModelWritesIt() {
    byte[] json =
        "{\"items\": [{\"id\": 1, \"name\": \"caf\u00e9 \\\"x\\\"\"}]}"
            .getBytes(StandardCharsets.UTF_8);
    CaptureParts p =
        parts(
            "rec-000000001",
            new Header[] {
              parsed("Host: 127.0.0.1:8080"),
              parsed("Authorization:   Bearer abc.def.ghi  "),
              parsed("Cookie: session=1")
            },
            null,
            new Header[] {
              parsed("Content-Type: application/json"), parsed("Set-Cookie: id=2; HttpOnly")
            },
            new RawBody(json, json.length, false, json.length),
            null);
    for (Redactor r : REDACTORS) {
      byte[] direct = direct(p, r);
      assertThat(direct).as("written directly").isNotNull();
      assertThat(direct).isEqualTo(model(p, r));
    }
    assertThat(new String(direct(p, REDACTORS.get(0)), StandardCharsets.UTF_8))
        .contains("[\"Authorization\",\"[REDACTED]\"]")
        .doesNotContain("abc.def");
  }

  @Test
  void everyAsciiByteIsEscapedAsTheModelEscapesIt() {
    byte[] all = new byte[128];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    StringBuilder header = new StringBuilder();
    for (int c = 1; c < 128; c++) {
      if (c != '\r' && c != '\n') {
        header.append((char) c);
      }
    }
    CaptureParts p =
        parts(
            "ascii",
            new Header[] {new BasicHeader("X-All", header.toString())},
            new RawBody(all, all.length, false, all.length),
            new Header[0],
            new RawBody(all, 64, true, 128),
            Truncation.CLIENT_ABORT);
    assertThat(direct(p, REDACTORS.get(0))).isNotNull();
    assertSameLine(p, REDACTORS.get(0));
  }

  @Test
  void utf8IsTextAndEveryMalformedFormIsBase64AsInTheModel() {
    List<byte[]> bodies =
        List.of(
            bytes(0xC3, 0xA9), // é
            bytes(0xE2, 0x82, 0xAC), // €
            bytes(0xF0, 0x9F, 0x98, 0x80), // an emoji (a surrogate pair)
            bytes(0xEF, 0xBF, 0xBD), // a real U+FFFD
            bytes(0xC0, 0x80), // overlong
            bytes(0xE0, 0x80, 0xAF), // overlong
            bytes(0xF0, 0x80, 0x80, 0xAF), // overlong
            bytes(0xED, 0xA0, 0x80), // a surrogate
            bytes(0xF4, 0x90, 0x80, 0x80), // above U+10FFFF
            bytes(0xF5, 0x80, 0x80, 0x80),
            bytes(0x80), // a lone continuation byte
            bytes(0x41, 0xE2, 0x82), // cut off at the end
            bytes(0xC3, 0x28),
            bytes(0xFF),
            new byte[0]);
    for (byte[] b : bodies) {
      for (boolean truncated : new boolean[] {false, true}) {
        CaptureParts p =
            parts(
                "utf8",
                new Header[0],
                null,
                new Header[0],
                new RawBody(b, b.length, truncated, b.length + (truncated ? 10 : 0)),
                null);
        assertThat(direct(p, REDACTORS.get(0))).isNotNull();
        assertSameLine(p, REDACTORS.get(0));
      }
    }
  }

  @Test
  void plainRunsOfEveryLengthBetweenEveryKindOfByteAreWrittenAsTheModelWritesThem() {
    // the body's plain bytes go eight at a time: each kind of other byte, at every place in a
    // word, after runs of 0 to 19 plain ones, and at the very end
    byte[][] others = {
      bytes('"'),
      bytes('\\'),
      bytes(0x00),
      bytes(0x1F),
      bytes('\n'),
      bytes(0x7F),
      bytes(0x20),
      bytes(0xC3, 0xA9),
      bytes(0xE2, 0x82, 0xAC),
      bytes(0xF0, 0x9F, 0x98, 0x80),
      bytes(0x80)
    };
    Random random = new Random(11);
    for (int round = 0; round < 400; round++) {
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      int pieces = 1 + random.nextInt(12);
      for (int k = 0; k < pieces; k++) {
        int run = random.nextInt(20);
        for (int j = 0; j < run; j++) {
          body.write(
              0x21 + random.nextInt(0x7F - 0x21)); // plain, a quote or backslash now and then
        }
        byte[] other = others[random.nextInt(others.length)];
        body.write(other, 0, other.length);
      }
      for (int run = random.nextInt(20); run > 0; run--) {
        body.write('a');
      }
      byte[] b = body.toByteArray();
      assertDirectAndSameLine("runs", null, new RawBody(b, b.length, false, b.length));
    }
  }

  /**
   * An exchange with these bodies and no headers is written by the direct path (not left to the
   * model), in the model path's bytes.
   */
  private static void assertDirectAndSameLine(String id, RawBody request, RawBody response) {
    CaptureParts p = parts(id, new Header[0], request, new Header[0], response, null);
    assertThat(direct(p, REDACTORS.get(0))).isNotNull();
    assertSameLine(p, REDACTORS.get(0));
  }

  @Test
  void quoteBackslashAndControlMasksAreExactInEveryByte() {
    Random random = new Random(6);
    byte[] word = new byte[8];
    byte[] interesting = {
      '"',
      '\\',
      0,
      0x1F,
      0x20,
      0x21,
      0x7F,
      (byte) 0x80,
      (byte) 0xA2,
      (byte) 0xDC,
      (byte) 0xFF,
      '#',
      ']',
      'a'
    };
    for (int round = 0; round < 200_000; round++) {
      for (int i = 0; i < 8; i++) {
        word[i] =
            random.nextInt(2) == 0
                ? interesting[random.nextInt(interesting.length)]
                : (byte) random.nextInt(256);
      }
      long x = java.nio.ByteBuffer.wrap(word).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
      long escaped = 0;
      long controls = 0;
      for (int i = 0; i < 8; i++) {
        int v = word[i] & 0xFF;
        if (v == '"' || v == '\\') {
          escaped |= 0x80L << (8 * i);
        }
        if (v < 0x20) {
          controls |= 0x80L << (8 * i);
        }
      }
      String w = java.util.Arrays.toString(word);
      assertThat(LineBuffer.quotesAndBackslashes(x))
          .as("quotes and backslashes in %s", w)
          .isEqualTo(escaped);
      assertThat(LineBuffer.controls(x)).as("controls in %s", w).isEqualTo(controls);
    }
  }

  /**
   * Words holding several quotes and backslashes, in every arrangement, among plain ASCII and the
   * other kinds of bytes: the line is the model path's.
   */
  @Test
  void wordsWithManyQuotesAndBackslashesAreEscapedAsTheModelDoes() {
    Random random = new Random(8);
    byte[] kinds = {'"', '\\', '"', '\\', 'a', 'z', '{', ':', 0x7F, 0x0A, 0x01};
    for (int round = 0; round < 3_000; round++) {
      byte[] b = new byte[random.nextInt(70)];
      for (int i = 0; i < b.length; i++) {
        b[i] = kinds[random.nextInt(round % 3 == 0 ? kinds.length : 8)];
      }
      if (round % 5 == 0 && b.length > 2) { // and a multi-byte character (U+00E9) somewhere
        int at = random.nextInt(b.length - 1);
        b[at] = (byte) 0xC3;
        b[at + 1] = (byte) 0xA9;
      }
      RawBody body = new RawBody(b, b.length, false, b.length);
      assertDirectAndSameLine("quotes", body, body);
    }
  }

  /**
   * A body that ends in a word of quotes and backslashes, written where the buffer has exactly
   * the room {@code utf8String} reserves (every byte doubled, and the two quotes): nothing is
   * written past it, and the string is right.
   */
  @Test
  void quotesAtTheEndOfABufferThatIsExactlyLargeEnough() {
    Random random = new Random(9);
    for (int len = 8; len <= 48; len++) {
      for (int round = 0; round < 20; round++) {
        byte[] src = new byte[len];
        for (int i = 0; i < len; i++) {
          int r = random.nextInt(3);
          src[i] =
              (byte) (i >= len - 8 && r > 0 ? (r == 1 ? '"' : '\\') : 'a' + random.nextInt(26));
        }
        LineBuffer buffer = new LineBuffer();
        int capacity = buffer.array().length;
        byte[] filler = new byte[capacity - (2 * len + 2)];
        Arrays.fill(filler, (byte) 'x');
        buffer.write(filler, 0, filler.length);
        assertThat(buffer.utf8String(src, len)).isEqualTo(len);
        StringBuilder expected = new StringBuilder("\"");
        for (byte b : src) {
          expected.append(b == '"' || b == '\\' ? "\\" : "").append((char) b);
        }
        expected.append('"');
        byte[] all = Arrays.copyOf(buffer.array(), buffer.size());
        assertThat(
                new String(
                    all, filler.length, all.length - filler.length, StandardCharsets.US_ASCII))
            .isEqualTo(expected.toString());
      }
    }
  }

  @Test
  void longTextChoosesBase64ExactlyWhenTheModelDoes() {
    Random random = new Random(7);
    for (int length : new int[] {4095, 4096, 4097, 5000, 20_000}) {
      for (double controls : new double[] {0, 0.1, 0.3, 0.35, 0.4, 0.6, 1}) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
          b[i] = random.nextDouble() < controls ? (byte) random.nextInt(0x20) : (byte) 'a';
        }
        CaptureParts p =
            parts(
                "long",
                new Header[0],
                null,
                new Header[0],
                new RawBody(b, length, false, length),
                null);
        assertThat(direct(p, REDACTORS.get(0))).isNotNull();
        assertSameLine(p, REDACTORS.get(0));
      }
    }
  }

  @Test
  void startTimesAreWrittenAsTheModelWritesThem() {
    for (String t :
        List.of(
            "2026-11-27T18:00:00Z",
            "2026-11-27T18:00:00.100Z",
            "2026-11-27T18:00:00.000100Z",
            "2026-11-27T18:00:00.000000100Z",
            "2026-11-27T23:59:59.999999999Z",
            "1970-01-01T00:00:00Z",
            "1000-01-01T00:00:00.5Z",
            "9999-12-31T23:59:59.123456Z",
            "0999-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
            "-0001-06-15T12:00:00.001Z")) {
      CaptureParts p = parts("time", new Header[0], null, new Header[0], null, null);
      CaptureParts at =
          new CaptureParts(
              p.id(),
              Instant.parse(t),
              p.durationMicros(),
              p.method(),
              p.target(),
              p.httpVersion(),
              p.requestHeaders(),
              p.requestBody(),
              p.status(),
              p.reason(),
              p.responseHeaders(),
              p.responseBody(),
              p.truncated());
      assertThat(direct(at, REDACTORS.get(0))).isNotNull();
      assertSameLine(at, REDACTORS.get(0));
    }
  }

  @Test
  void partsItCannotWriteGoToTheModelUntouched() {
    Header[] broken = {new BasicHeader("X-Folded", "a\r\n b")};
    Header[] lone = {new BasicHeader("X-Lone", "a\ud800b")};
    for (Header[] h : List.of(broken, lone)) {
      CaptureParts p = parts("no", h, null, new Header[0], null, null);
      assertThat(direct(p, REDACTORS.get(0))).isNull();
    }
  }

  /** Random exchanges shaped like hostile traffic: every one the encoder writes matches. */
  @Test
  void randomExchangesMatchTheModelByteForByte() {
    Random random = new Random(20261127);
    int written = 0;
    for (int i = 0; i < 3_000; i++) {
      CaptureParts p = random(random, i);
      Redactor r = REDACTORS.get(random.nextInt(REDACTORS.size()));
      if (direct(p, r) != null) {
        written++;
      }
      assertSameLine(p, r);
    }
    assertThat(written).as("most are written directly").isGreaterThan(2_700);
  }

  private static CaptureParts random(Random random, int i) {
    return new CaptureParts(
        "id-" + i + (random.nextInt(20) == 0 ? text(random, 5) : ""),
        Instant.ofEpochSecond(
            random.nextInt(2_000_000_000),
            List.of(0, 1_000_000, 1000, 1).get(random.nextInt(4)) * random.nextInt(1000)),
        random.nextInt(1_000_000),
        List.of("GET", "POST", "PUT", "X-\u00e9").get(random.nextInt(4)),
        "/a/" + text(random, random.nextInt(30)),
        random.nextBoolean() ? "HTTP/1.1" : "HTTP/2",
        headers(random),
        random.nextBoolean() ? null : body(random),
        100 + random.nextInt(500),
        random.nextInt(10) == 0 ? "" : text(random, 8),
        headers(random),
        random.nextInt(10) == 0 ? null : body(random),
        random.nextInt(5) == 0 ? Truncation.values()[random.nextInt(2)] : null);
  }

  private static final List<String> NAMES =
      List.of(
          "Host",
          "Authorization",
          "authorization",
          "Cookie",
          "Set-Cookie",
          "Proxy-Authorization",
          "X-Api-Key",
          "X-Secret",
          "x-\u00c4PI-key",
          "Content-Type",
          "Referer",
          "Location",
          "X-\u00fcml\u00e4ut");

  private static Header[] headers(Random random) {
    List<Header> out = new ArrayList<>();
    int n = random.nextInt(12);
    for (int i = 0; i < n; i++) {
      String name = NAMES.get(random.nextInt(NAMES.size()));
      String value =
          random.nextInt(300) == 0 ? "a\r\nb" : noBreaks(text(random, random.nextInt(40)));
      out.add(
          random.nextBoolean() && value.indexOf('\n') < 0
              ? parsed(name + ":" + " ".repeat(random.nextInt(3)) + value)
              : new BasicHeader(name, value));
    }
    return out.toArray(new Header[0]);
  }

  /** A parsed header never holds a line break: one that does is the rare case tested apart. */
  private static String noBreaks(String s) {
    return s.replace('\r', ' ').replace('\n', ' ');
  }

  /** Characters of every kind a header or target may hold: controls, Latin-1, quotes, emoji. */
  private static String text(Random random, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(12)) {
        case 0 -> b.append((char) random.nextInt(0x20));
        case 1 -> b.append('"');
        case 2 -> b.append('\\');
        case 3 -> b.append((char) (0x80 + random.nextInt(0x80)));
        case 4 -> b.append("\ud83d\ude00");
        case 5 -> b.append((char) (0x800 + random.nextInt(0x1000)));
        case 6 -> b.append(random.nextInt(2000) == 0 ? "\udc00" : "/");
        default -> b.append((char) (0x20 + random.nextInt(0x5F)));
      }
    }
    return b.toString();
  }

  private static RawBody body(Random random) {
    byte[] b;
    switch (random.nextInt(5)) {
      case 0 -> {
        b = new byte[random.nextInt(300)];
        random.nextBytes(b);
      }
      case 1 -> b = text(random, random.nextInt(200)).getBytes(StandardCharsets.UTF_8);
      case 2 -> b = "{\"a\": [1, 2, \"x\\ny\"], \"\u00e9\": null}".getBytes(StandardCharsets.UTF_8);
      case 3 -> {
        byte[] t =
            text(random, 3000).getBytes(StandardCharsets.UTF_8); // over 4096 bytes, not chars
        b = Arrays.copyOf(t, random.nextInt(t.length + 1)); // a cut that may split a character
      }
      default -> b = new byte[0];
    }
    // the kept array may be longer than what was kept
    byte[] kept = Arrays.copyOf(b, b.length + random.nextInt(3));
    boolean truncated = random.nextInt(4) == 0;
    return new RawBody(
        kept, b.length, truncated, b.length + (truncated ? random.nextInt(1000) : 0));
  }

  private static CaptureParts parts(
      String id,
      Header[] requestHeaders,
      RawBody requestBody,
      Header[] responseHeaders,
      RawBody responseBody,
      Truncation truncated) {
    return new CaptureParts(
        id,
        Instant.parse("2026-11-27T17:00:00.123456Z"),
        412,
        "GET",
        "/api/data.json?q=\"x\"",
        "HTTP/1.1",
        requestHeaders,
        requestBody,
        200,
        "OK",
        responseHeaders,
        responseBody,
        truncated);
  }

  /** A header as HttpCore parses it from a line. */
  private static Header parsed(String line) {
    CharArrayBuffer b = new CharArrayBuffer(line.length());
    b.append(line);
    return BufferedHeader.create(b);
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }
}
