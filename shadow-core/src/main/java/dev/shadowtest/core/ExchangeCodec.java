package dev.shadowtest.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.internal.Instants;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the model to and from the recording's JSON lines with Jackson's streaming API: no trees,
 * no reflection, one pass. Field problems are reported as {@link FieldProblem} with a dotted
 * path ({@code request.headers[2]}) that the reader turns into {@code file:line: path: what}.
 */
final class ExchangeCodec {

  /** Recorded bodies can be large (10 MiB by default, base64 grows them); lift Jackson's caps. */
  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxStringLength(Integer.MAX_VALUE)
                  .maxNestingDepth(64)
                  .build())
          .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(64).build())
          .build();

  /**
   * The most header fields in one message, and tags in one exchange, that a line may hold: a
   * line of a million tiny headers would otherwise take gigabytes of heap to read.
   */
  static final int MAX_FIELDS = 100_000;

  private ExchangeCodec() {}

  /** A field-level problem in one JSON line. */
  static final class FieldProblem extends Exception {
    final String path;

    FieldProblem(String path, String message) {
      super(message, null, false, false);
      this.path = path;
    }
  }

  // ---------------------------------------------------------------- writing

  static void writeHeader(JsonGenerator g, RecordingHeader h) throws IOException {
    g.writeStartObject();
    g.writeStringField("format", h.format());
    g.writeNumberField("version", h.version());
    if (h.createdAt() != null) {
      g.writeStringField("createdAt", h.createdAt().toString());
    }
    g.writeStringField("source", h.source());
    g.writeObjectFieldStart("redaction");
    writeStrings(g, "headers", h.redaction().headers());
    writeStrings(g, "jsonPaths", h.redaction().jsonPaths());
    if (!h.redaction().queryParams().isEmpty()) {
      writeStrings(g, "queryParams", h.redaction().queryParams());
    }
    if (!h.redaction().patterns().isEmpty()) {
      writeStrings(g, "patterns", h.redaction().patterns());
    }
    if (h.redaction().pseudonyms()) {
      g.writeStringField("values", "hmac-sha256 pseudonyms");
    }
    Redaction.Jwt jwt = h.redaction().jwt();
    if (!jwt.isEmpty()) {
      g.writeObjectFieldStart("jwt");
      writeStrings(g, "headers", jwt.headers());
      writeStrings(g, "sensitiveClaims", jwt.sensitiveClaims());
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void writeStrings(JsonGenerator g, String field, List<String> values)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  /**
   * How a body goes into a line: as {@code text}, as {@code base64} or (version 2) as {@code raw}
   * bytes after the JSON object, and the bytes it takes in the line (quotes and escapes included;
   * for a raw body its JSON object, the tab and the escaped bytes).
   */
  record BodyForm(boolean base64, long valueBytes, byte[] raw) {
    static final BodyForm NULL = new BodyForm(false, 4);

    BodyForm(boolean base64, long valueBytes) {
      this(base64, valueBytes, null);
    }
  }

  /** The JSON of a raw body's object, at most: {@code {"raw":N,"binary":true,...,"size":N}}. */
  private static final int RAW_OBJECT_BYTES = 80;

  /**
   * The form of {@code body} in a version-2 line: raw for text and binary bodies; only a text that
   * holds a lone surrogate (no UTF-8 for it) keeps the JSON text form, which escapes it.
   */
  static BodyForm rawForm(Body body) {
    byte[] bytes;
    if (body instanceof Body.Binary b) {
      bytes = b.unsafeBytes();
    } else if (body instanceof Body.Text t) {
      if (hasLoneSurrogate(t.text())) {
        return form(body);
      }
      bytes = t.text().getBytes(StandardCharsets.UTF_8);
    } else {
      return form(body);
    }
    return new BodyForm(false, RAW_OBJECT_BYTES + 1 + RawBodies.escapedLength(bytes), bytes);
  }

  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The form that stores {@code body} in fewer bytes. Text is written as JSON text unless its
   * escapes would make it larger than base64 (a control byte takes a 6-byte unicode escape): then
   * as base64, which reads back as the same bytes in a {@link Body.Binary}. One pass over the
   * characters, no copy; none for text of at most {@link #SMALL_TEXT} characters (always text).
   */
  static BodyForm form(Body body) {
    if (body instanceof Body.Binary b) {
      return new BodyForm(true, base64Bytes(b.unsafeBytes().length) + 2);
    }
    if (!(body instanceof Body.Text t)) {
      return BodyForm.NULL;
    }
    String s = t.text();
    int n = s.length();
    if (n <= SMALL_TEXT) {
      // not worth a scan: at most 6 bytes per character even if all are escaped
      return new BodyForm(false, 6L * n + 2);
    }
    long extraUtf8 = 0; // bytes beyond one per character
    long extraEscaped = 0;
    boolean loneSurrogate = false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        extraEscaped +=
            ESCAPE_EXTRA[c]; // a table, no branch: this runs on the recorder's writer thread
      } else if (c < 0x800) {
        extraUtf8++;
        extraEscaped++;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        extraUtf8 += 2; // 4 bytes for the 2 characters
        extraEscaped += 2;
        i++;
      } else if (Character.isSurrogate(c)) {
        loneSurrogate = true; // kept only by the text form (written as an escape)
        extraEscaped += 5;
      } else {
        extraUtf8 += 2;
        extraEscaped += 2;
      }
    }
    long escaped = n + extraEscaped;
    long base64 = base64Bytes(n + extraUtf8);
    return escaped > base64 && !loneSurrogate
        ? new BodyForm(true, base64 + 2)
        : new BodyForm(false, escaped + 2);
  }

  /**
   * The bytes JSON adds to an ASCII character by escaping it: one for {@code "}, {@code \} and the
   * controls with a short escape ({@code \n}), five for the other controls (a unicode escape).
   */
  private static final byte[] ESCAPE_EXTRA = new byte[0x80];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPE_EXTRA[c] = 5;
    }
    for (char c : new char[] {'\b', '\t', '\n', '\f', '\r', '"', '\\'}) {
      ESCAPE_EXTRA[c] = 1;
    }
  }

  /**
   * Text bodies up to this many characters are always written as text: their escapes cost at most
   * 24 KiB, and the scan that chooses the form would cost more than it saves on the writer thread.
   */
  static final int SMALL_TEXT = 4096;

  static long base64Bytes(long n) {
    return (n + 2) / 3 * 4;
  }

  /**
   * An upper bound of the bytes of {@code e}'s line without its two body values, from string
   * lengths alone (every character counted as a 6-byte escape): no scan, no serialisation.
   */
  static long sizeWithoutBodies(Exchange e) {
    long n = 512; // field names, punctuation, numbers, the timestamp, the body wrappers and flags
    n += string(e.id());
    HttpRequest rq = e.request();
    n +=
        string(rq.method())
            + string(rq.target())
            + string(rq.httpVersion())
            + headers(rq.headers());
    HttpResponse rs = e.response();
    if (rs != null) {
      n += string(rs.reason()) + headers(rs.headers());
    }
    if (e.error() != null) {
      n += string(e.error());
    }
    for (Map.Entry<String, String> t : e.tags().entrySet()) {
      n += string(t.getKey()) + string(t.getValue());
    }
    return n;
  }

  private static long headers(Headers headers) {
    long n = 0;
    for (Headers.Field f : headers) {
      n += 4 + string(f.name()) + string(f.value());
    }
    return n;
  }

  private static long string(String s) {
    return 6L * s.length() + 3;
  }

  /** The exact length of {@code e}'s line (without its '\n'): a serialisation that only counts. */
  static long lineLength(Exchange e, BodyForm requestBody, BodyForm responseBody) {
    long[] n = new long[1];
    OutputStream counter =
        new OutputStream() {
          @Override
          public void write(int b) {
            n[0]++;
          }

          @Override
          public void write(byte[] b, int off, int len) {
            n[0] += len;
          }
        };
    try (JsonGenerator g = FACTORY.createGenerator(counter)) {
      writeExchange(g, e, requestBody, responseBody);
    } catch (IOException impossible) {
      throw new UncheckedIOException(impossible);
    }
    return n[0] + tailBytes(requestBody) + tailBytes(responseBody);
  }

  /** The bytes a raw body takes after the JSON object: a tab and its escaped bytes. */
  private static long tailBytes(BodyForm form) {
    return form.raw() == null ? 0 : 1 + RawBodies.escapedLength(form.raw());
  }

  /**
   * Refuses an exchange whose header fields or tags exceed {@link #MAX_FIELDS} (the reader
   * would refuse its line).
   */
  static void checkFieldCounts(Exchange e) {
    check(e, "request headers", e.request().headers().size());
    if (e.response() != null) {
      check(e, "response headers", e.response().headers().size());
    }
    check(e, "tags", e.tags().size());
  }

  private static void check(Exchange e, String what, int n) {
    if (n > MAX_FIELDS) {
      throw new UnwritableExchangeException(
          "exchange "
              + e.id()
              + " has "
              + n
              + " "
              + what
              + ", more than a recording line may hold ("
              + MAX_FIELDS
              + ")");
    }
  }

  /** Writes {@code e} with its bodies in the smaller form ({@link #form(Body)}). */
  static void writeExchange(JsonGenerator g, Exchange e) throws IOException {
    HttpResponse rs = e.response();
    writeExchange(g, e, form(e.request().body()), rs == null ? BodyForm.NULL : form(rs.body()));
  }

  /** Writes {@code e} with its bodies in the given forms. */
  static void writeExchange(
      JsonGenerator g, Exchange e, BodyForm requestBody, BodyForm responseBody) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", e.id());
    if (e.startedAt() != null) {
      g.writeStringField("startedAt", Instants.format(e.startedAt()));
    }
    if (e.durationMicros() != null) {
      g.writeNumberField("durationMicros", e.durationMicros());
    }
    HttpRequest rq = e.request();
    g.writeObjectFieldStart("request");
    g.writeStringField("method", rq.method());
    g.writeStringField("target", rq.target());
    g.writeStringField("httpVersion", rq.httpVersion());
    writeHeaders(g, rq.headers());
    writeBody(g, rq.body(), requestBody);
    g.writeEndObject();
    HttpResponse rs = e.response();
    if (rs == null) {
      g.writeNullField("response");
    } else {
      g.writeObjectFieldStart("response");
      g.writeNumberField("status", rs.status());
      g.writeStringField("reason", rs.reason());
      writeHeaders(g, rs.headers());
      writeBody(g, rs.body(), responseBody);
      g.writeEndObject();
    }
    if (e.error() != null) {
      g.writeStringField("error", e.error());
    }
    if (!e.tags().isEmpty()) {
      g.writeObjectFieldStart("tags");
      for (Map.Entry<String, String> t : e.tags().entrySet()) {
        g.writeStringField(t.getKey(), t.getValue());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void writeHeaders(JsonGenerator g, Headers headers) throws IOException {
    g.writeArrayFieldStart("headers");
    for (Headers.Field f : headers) {
      if (Headers.hasLineBreak(f.value()) || Headers.hasLineBreak(f.name())) {
        // a recorded field never holds CR or LF: one field per line (a name's breaks become spaces)
        String name = f.name().replace('\r', ' ').replace('\n', ' ');
        for (Headers.Field line : Headers.oneFieldPerLine(name, f.value())) {
          g.writeStartArray();
          g.writeString(line.name());
          g.writeString(line.value());
          g.writeEndArray();
        }
        continue;
      }
      g.writeStartArray();
      g.writeString(f.name());
      g.writeString(f.value());
      g.writeEndArray();
    }
    g.writeEndArray();
  }

  private static void writeBody(JsonGenerator g, Body body, BodyForm form) throws IOException {
    g.writeFieldName("body");
    if (form.raw() != null) {
      g.writeStartObject();
      g.writeNumberField("raw", form.raw().length);
      if (body instanceof Body.Binary) {
        g.writeBooleanField("binary", true);
      }
    } else if (body instanceof Body.Text t && !form.base64()) {
      g.writeStartObject();
      g.writeStringField("text", t.text());
    } else if (body instanceof Body.Text t) {
      g.writeStartObject();
      g.writeFieldName("base64");
      g.writeBinary(t.bytes());
    } else if (body instanceof Body.Binary b) {
      g.writeStartObject();
      g.writeFieldName("base64");
      g.writeBinary(b.unsafeBytes());
    } else if (body instanceof Body.NotCaptured n) {
      // read by a reader that predates "captured" as a cut empty body: never as a real empty one
      g.writeStartObject();
      g.writeStringField("text", "");
      g.writeBooleanField("truncated", true);
      g.writeNumberField("size", Math.max(n.size(), 0));
      g.writeBooleanField("captured", false);
      g.writeEndObject();
      return;
    } else {
      g.writeNull();
      return;
    }
    if (body.truncated()) {
      g.writeBooleanField("truncated", true);
      g.writeNumberField("size", body.size());
    }
    g.writeEndObject();
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads the header object; the parser is positioned before its START_OBJECT. Format and
   * version are checked before anything else, so a newer file says "upgrade" rather than
   * complaining about a field this version does not know how to read.
   */
  static RecordingHeader readHeader(JsonParser p) throws IOException, FieldProblem {
    JsonToken first = p.nextToken();
    expect(p, first, JsonToken.START_OBJECT, "", "the recording header object");
    JsonNode h = HEADER_READER.readTree(p);
    JsonNode format = h.get("format");
    if (format == null || !format.isTextual() || !RecordingHeader.FORMAT.equals(format.asText())) {
      throw new FieldProblem(
          "format",
          "not a Shadow recording: line 1 must be a header with \"format\":\""
              + RecordingHeader.FORMAT
              + "\""
              + (format == null ? "" : ", found " + format));
    }
    JsonNode version = h.get("version");
    if (version == null) {
      throw new FieldProblem("version", "missing");
    }
    if (!version.isInt()) {
      throw new FieldProblem("version", "expected an integer, got " + version);
    }
    if (version.asInt() < 1 || version.asInt() > RecordingHeader.RAW_BODIES_VERSION) {
      throw new FieldProblem(
          "version",
          "unsupported recording version "
              + version.asInt()
              + " (this Shadow reads versions 1 and "
              + RecordingHeader.RAW_BODIES_VERSION
              + "; upgrade Shadow)");
    }
    Instant createdAt = null;
    JsonNode created = h.get("createdAt");
    if (created != null && !created.isNull()) {
      if (!created.isTextual()) {
        throw new FieldProblem("createdAt", "expected an ISO-8601 instant, got " + created);
      }
      try {
        createdAt = Instant.parse(created.asText());
      } catch (DateTimeParseException e) {
        throw new FieldProblem(
            "createdAt", "expected an ISO-8601 instant like 2026-11-24T10:00:00Z, got " + created);
      }
    }
    JsonNode source = h.get("source");
    if (source != null && !source.isNull() && !source.isTextual()) {
      throw new FieldProblem("source", "expected a string, got " + source);
    }
    Redaction redaction = Redaction.none();
    JsonNode r = h.get("redaction");
    if (r != null && !r.isNull()) {
      if (!r.isObject()) {
        throw new FieldProblem("redaction", "expected an object, got " + r);
      }
      redaction =
          new Redaction(
              strings(r.get("headers"), "redaction.headers"),
              strings(r.get("jsonPaths"), "redaction.jsonPaths"),
              r.has("queryParams")
                  ? strings(r.get("queryParams"), "redaction.queryParams")
                  : List.of(),
              r.has("patterns") ? strings(r.get("patterns"), "redaction.patterns") : List.of(),
              r.path("values").asText("").startsWith("hmac"),
              jwt(r.get("jwt")));
    }
    return new RecordingHeader(
        RecordingHeader.FORMAT,
        version.asInt(),
        createdAt,
        source == null || source.isNull() ? "" : source.asText(),
        redaction);
  }

  private static final ObjectMapper HEADER_READER = new ObjectMapper(FACTORY);

  /** {@code redaction.jwt}: absent in recordings made before it (or without kept tokens). */
  private static Redaction.Jwt jwt(JsonNode jwt) throws FieldProblem {
    if (jwt == null || jwt.isNull()) {
      return Redaction.Jwt.NONE;
    }
    if (!jwt.isObject()) {
      throw new FieldProblem("redaction.jwt", "expected an object, got " + jwt);
    }
    List<String> headers = strings(jwt.get("headers"), "redaction.jwt.headers");
    List<String> claims = strings(jwt.get("sensitiveClaims"), "redaction.jwt.sensitiveClaims");
    if (headers.isEmpty() && !claims.isEmpty()) {
      throw new FieldProblem(
          "redaction.jwt.headers", "expected at least one header beside sensitiveClaims");
    }
    return new Redaction.Jwt(headers, claims);
  }

  private static List<String> strings(JsonNode array, String path) throws FieldProblem {
    if (array == null || array.isNull()) {
      return List.of();
    }
    if (!array.isArray()) {
      throw new FieldProblem(path, "expected an array of strings, got " + array);
    }
    List<String> out = new ArrayList<>(array.size());
    for (JsonNode n : array) {
      if (!n.isTextual()) {
        throw new FieldProblem(path + "[" + out.size() + "]", "expected a string, got " + n);
      }
      out.add(n.asText());
    }
    return out;
  }

  /**
   * Where a version-2 line is, so that its raw bodies ({@link RawBodies}) can be read after its
   * JSON object. One per reader, reset for each line by {@link #line}.
   */
  static final class RawLine {
    private byte[] buf;
    private int start;
    private int end;
    private RawBodies.Spec request;
    private RawBodies.Spec response;
    private boolean tail;

    /** The next line is {@code buf[start, end)}; the parser reads it from {@code start}. */
    void line(byte[] buf, int start, int end) {
      this.buf = buf;
      this.start = start;
      this.end = end;
      request = null;
      response = null;
      tail = false;
    }

    /** True when the line just read had raw bodies: its end was checked, nothing may follow. */
    boolean hadTail() {
      return tail;
    }
  }

  /** Reads one exchange object; the parser is positioned before its START_OBJECT. */
  static Exchange readExchange(JsonParser p) throws IOException, FieldProblem {
    return readExchange(p, null);
  }

  /**
   * Reads one exchange object, and its raw bodies after it when {@code raw} is given (a line of a
   * version-2 recording); without it, a raw body is a field problem.
   */
  static Exchange readExchange(JsonParser p, RawLine raw) throws IOException, FieldProblem {
    expect(p, p.nextToken(), JsonToken.START_OBJECT, "", "an exchange object");
    String id = null;
    Instant startedAt = null;
    Long duration = null;
    HttpRequest request = null;
    HttpResponse response = null;
    boolean sawResponse = false;
    String error = null;
    Map<String, String> tags = null;
    for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      switch (f) {
        case "id" -> id = string(p, t, "id");
        case "startedAt" ->
            startedAt = t == JsonToken.VALUE_NULL ? null : instant(p, t, "startedAt");
        case "durationMicros" ->
            duration = t == JsonToken.VALUE_NULL ? null : nonNegativeLong(p, t, "durationMicros");
        case "request" -> request = readRequest(p, t, raw);
        case "response" -> {
          sawResponse = true;
          response = t == JsonToken.VALUE_NULL ? null : readResponse(p, t, raw);
        }
        case "error" -> error = t == JsonToken.VALUE_NULL ? null : string(p, t, "error");
        case "tags" -> tags = t == JsonToken.VALUE_NULL ? null : readTags(p, t);
        default -> p.skipChildren();
      }
    }
    if (id == null) {
      throw new FieldProblem("id", "missing");
    }
    if (id.isEmpty()) {
      throw new FieldProblem("id", "is empty");
    }
    if (request == null) {
      throw new FieldProblem("request", "missing");
    }
    if (!sawResponse) {
      throw new FieldProblem("response", "missing (use null when there was no response)");
    }
    if (raw != null && (raw.request != null || raw.response != null)) {
      // the parser stands right after the object's '}': the raw bodies follow
      RawBodies.Tail tail =
          new RawBodies.Tail(
              raw.buf, raw.start + (int) p.currentLocation().getByteOffset(), raw.end);
      if (raw.request != null) {
        request = request.withBody(tail.next(raw.request, "request.body"));
      }
      if (raw.response != null) {
        if (response == null) {
          throw new FieldProblem("response", "is null, but a raw response body was announced");
        }
        response = response.withBody(tail.next(raw.response, "response.body"));
      }
      tail.finish();
      raw.tail = true;
    }
    return new Exchange(id, startedAt, duration, request, response, error, tags);
  }

  private static HttpRequest readRequest(JsonParser p, JsonToken t, RawLine raw)
      throws IOException, FieldProblem {
    expect(p, t, JsonToken.START_OBJECT, "request", "an object");
    String method = null;
    String target = null;
    String version = null;
    Headers headers = Headers.empty();
    Body body = Body.none();
    for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
      JsonToken v = p.nextToken();
      switch (f) {
        case "method" -> method = string(p, v, "request.method");
        case "target" -> target = string(p, v, "request.target");
        case "httpVersion" ->
            version = v == JsonToken.VALUE_NULL ? null : string(p, v, "request.httpVersion");
        case "headers" -> headers = readHeaders(p, v, "request.headers");
        case "body" -> body = readBody(p, v, "request.body", raw, true);
        default -> p.skipChildren();
      }
    }
    if (method == null) {
      throw new FieldProblem("request.method", "missing");
    }
    if (method.isEmpty()) {
      throw new FieldProblem("request.method", "is empty");
    }
    if (target == null) {
      throw new FieldProblem("request.target", "missing");
    }
    return new HttpRequest(method, target, version, headers, body);
  }

  private static HttpResponse readResponse(JsonParser p, JsonToken t, RawLine raw)
      throws IOException, FieldProblem {
    expect(p, t, JsonToken.START_OBJECT, "response", "an object or null");
    Integer status = null;
    String reason = "";
    Headers headers = Headers.empty();
    Body body = Body.none();
    for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
      JsonToken v = p.nextToken();
      switch (f) {
        case "status" -> status = integer(p, v, "response.status");
        case "reason" -> reason = v == JsonToken.VALUE_NULL ? "" : string(p, v, "response.reason");
        case "headers" -> headers = readHeaders(p, v, "response.headers");
        case "body" -> body = readBody(p, v, "response.body", raw, false);
        default -> p.skipChildren();
      }
    }
    if (status == null) {
      throw new FieldProblem("response.status", "missing");
    }
    if (status < 100 || status > 999) {
      throw new FieldProblem("response.status", status + " is not a 3-digit HTTP status");
    }
    return new HttpResponse(status, reason, headers, body);
  }

  private static Headers readHeaders(JsonParser p, JsonToken t, String path)
      throws IOException, FieldProblem {
    if (t == JsonToken.VALUE_NULL) {
      return Headers.empty();
    }
    expect(p, t, JsonToken.START_ARRAY, path, "an array of [name, value] pairs");
    List<Headers.Field> fields = new ArrayList<>();
    // hot path: error paths are built only when there is an error
    for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
      if (fields.size() == MAX_FIELDS) {
        throw new FieldProblem(path, "more than " + MAX_FIELDS + " header fields");
      }
      if (v != JsonToken.START_ARRAY) {
        throw new FieldProblem(
            path + "[" + fields.size() + "]", "expected a [name, value] pair, got " + describe(v));
      }
      JsonToken n = p.nextToken();
      if (n != JsonToken.VALUE_STRING) {
        throw new FieldProblem(
            path + "[" + fields.size() + "][0]", "expected a string, got " + describe(n));
      }
      String name = p.getText();
      n = p.nextToken();
      if (n != JsonToken.VALUE_STRING) {
        throw new FieldProblem(
            path + "[" + fields.size() + "][1]", "expected a string, got " + describe(n));
      }
      String value = p.getText();
      if (p.nextToken() != JsonToken.END_ARRAY) {
        throw new FieldProblem(
            path + "[" + fields.size() + "]", "expected exactly two strings [name, value]");
      }
      if (Headers.hasLineBreak(name) || Headers.hasLineBreak(value)) {
        // written before the rule (an older import of chrome-har's joined Set-Cookie): one field
        // per line
        fields.addAll(Headers.oneFieldPerLine(name.replace('\r', ' ').replace('\n', ' '), value));
      } else {
        fields.add(new Headers.Field(name, value));
      }
    }
    return Headers.of(fields);
  }

  /**
   * A body object. A raw body ({@code {"raw": N}}, version 2) is noted in {@code raw} for the
   * tail of the line and read as no body here.
   */
  private static Body readBody(JsonParser p, JsonToken t, String path, RawLine raw, boolean request)
      throws IOException, FieldProblem {
    if (t == JsonToken.VALUE_NULL) {
      return Body.none();
    }
    expect(p, t, JsonToken.START_OBJECT, path, "null, {\"text\": ...} or {\"base64\": ...}");
    String text = null;
    byte[] data = null;
    Long rawLength = null;
    boolean binary = false;
    boolean truncated = false;
    boolean captured = true;
    Long size = null;
    for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
      JsonToken v = p.nextToken();
      switch (f) {
        case "text" -> text = string(p, v, path + ".text");
        case "raw" -> {
          if (raw == null) {
            throw new FieldProblem(
                path + ".raw", "raw bodies are only read from files of recording version 2");
          }
          rawLength = nonNegativeLong(p, v, path + ".raw");
          if (rawLength > RecordingReader.MAX_LINE_BYTES) {
            throw new FieldProblem(path + ".raw", rawLength + " bytes do not fit a line");
          }
        }
        case "binary" -> {
          if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
            throw new FieldProblem(path + ".binary", "expected true or false, got " + describe(v));
          }
          binary = v == JsonToken.VALUE_TRUE;
        }
        case "captured" -> {
          if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
            throw new FieldProblem(
                path + ".captured", "expected true or false, got " + describe(v));
          }
          captured = v == JsonToken.VALUE_TRUE;
        }
        case "base64" -> {
          expect(p, v, JsonToken.VALUE_STRING, path + ".base64", "a base64 string");
          try {
            data = p.getBinaryValue();
          } catch (IOException e) {
            throw new FieldProblem(
                path + ".base64", "invalid base64: " + firstLine(e.getMessage()));
          }
        }
        case "truncated" -> {
          if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
            throw new FieldProblem(
                path + ".truncated", "expected true or false, got " + describe(v));
          }
          truncated = v == JsonToken.VALUE_TRUE;
        }
        case "size" -> size = nonNegativeLong(p, v, path + ".size");
        default -> p.skipChildren();
      }
    }
    if (rawLength != null) {
      if (text != null || data != null) {
        throw new FieldProblem(
            path, "has \"raw\" and \"" + (text != null ? "text" : "base64") + "\"; expected one");
      }
      if (!captured) {
        throw new FieldProblem(path, "a body that was not captured has no raw bytes");
      }
      if (truncated && size == null) {
        throw new FieldProblem(path + ".size", "missing (required when truncated is true)");
      }
      RawBodies.Spec spec =
          new RawBodies.Spec(rawLength.intValue(), binary, truncated, truncated ? size : -1);
      if (request) {
        raw.request = spec;
      } else {
        raw.response = spec;
      }
      return Body.none(); // replaced by the bytes after the object
    }
    if (!captured) {
      return Body.notCaptured(size == null || size == 0 ? -1 : size);
    }
    if (text != null && data != null) {
      throw new FieldProblem(path, "has both \"text\" and \"base64\"; expected one");
    }
    if (text == null && data == null) {
      throw new FieldProblem(path, "needs \"text\" or \"base64\" (use null for no body)");
    }
    if (truncated && size == null) {
      throw new FieldProblem(path + ".size", "missing (required when truncated is true)");
    }
    long original = truncated ? size : -1;
    return text != null
        ? new Body.Text(text, truncated, original)
        : new Body.Binary(data, truncated, original);
  }

  private static Map<String, String> readTags(JsonParser p, JsonToken t)
      throws IOException, FieldProblem {
    expect(p, t, JsonToken.START_OBJECT, "tags", "an object of strings");
    Map<String, String> tags = new LinkedHashMap<>();
    for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
      if (tags.size() == MAX_FIELDS) {
        throw new FieldProblem("tags", "more than " + MAX_FIELDS + " tags");
      }
      JsonToken v = p.nextToken();
      if (v != JsonToken.VALUE_STRING) {
        throw new FieldProblem("tags." + f, "expected a string, got " + describe(v));
      }
      tags.put(f, p.getText());
    }
    return tags;
  }

  // ---------------------------------------------------------------- scalars

  private static String string(JsonParser p, JsonToken t, String path)
      throws IOException, FieldProblem {
    if (t != JsonToken.VALUE_STRING) {
      throw new FieldProblem(path, "expected a string, got " + describe(t));
    }
    return p.getText();
  }

  private static int integer(JsonParser p, JsonToken t, String path)
      throws IOException, FieldProblem {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
      throw new FieldProblem(path, "expected an integer, got " + describe(t));
    }
    return p.getIntValue();
  }

  private static long nonNegativeLong(JsonParser p, JsonToken t, String path)
      throws IOException, FieldProblem {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw new FieldProblem(path, "expected an integer, got " + describe(t));
    }
    long v = p.getLongValue();
    if (v < 0) {
      throw new FieldProblem(path, "must not be negative, got " + v);
    }
    return v;
  }

  private static Instant instant(JsonParser p, JsonToken t, String path)
      throws IOException, FieldProblem {
    String s = string(p, t, path);
    try {
      return Instants.parse(s);
    } catch (DateTimeParseException e) {
      throw new FieldProblem(
          path, "expected an ISO-8601 instant like 2026-11-24T10:00:01.123Z, got \"" + s + "\"");
    }
  }

  private static void expect(
      JsonParser p, JsonToken actual, JsonToken expected, String path, String what)
      throws FieldProblem {
    if (actual != expected) {
      throw new FieldProblem(path, "expected " + what + ", got " + describe(actual));
    }
  }

  static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a decimal number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
    };
  }

  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
