package dev.shadowtest.core;

import static dev.shadowtest.core.internal.Http1Parser.abbreviate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.shadowtest.core.internal.JsonStringCutter;
import java.io.CharConversionException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Imports HAR 1.2 files (browser DevTools, Charles, mitmproxy, ZAP...) into recordings. The file is
 * streamed: one entry in memory at a time.
 *
 * <p>Per entry: {@code startedDateTime}, {@code time}, request (method, url split into target and
 * {@code Host}, headers in order with repeats, {@code postData} text or params), response (status,
 * statusText, headers, {@code content.text}, base64 when {@code encoding} says so). Fields starting
 * with {@code _} are ignored, except Shadow's own {@code _shadow} block written by
 * {@link HarExporter}, which restores the exchange id and tags. An entry with status 0 (the
 * browser got no response) becomes an exchange without response. Non-HTTP URLs ({@code data:},
 * {@code blob:}...) are skipped with a warning.
 *
 * <p>Bounded whatever the file: bodies ({@code content.text}, {@code postData.text}) longer than
 * the body limit ({@link ImportOptions#maxBody()}, 10 MiB by default) are cut and flagged truncated
 * with their real size, and the bytes past what is kept are dropped before they are parsed; any
 * other string longer than the kept text (1 MiB at least) is an error naming the entry and field,
 * as is an entry of more than {@value #MAX_ENTRY_VALUES} JSON values or of more JSON than its two
 * bodies plus 16 MiB. Fields the import does not read ({@code _initiator}, the response's {@code
 * cookies}, {@code timings}...) are skipped unparsed.
 *
 * <pre>{@code
 * ImportResult r = HarImporter.importFile(Path.of("session.har"), Path.of("rec.jsonl"), Redaction.defaults());
 * }</pre>
 */
public final class HarImporter {

  /**
   * The parser sees at most this many bytes of a string; the rest of a longer one is kept by the
   * {@link JsonStringCutter} as JSON text, one byte per ASCII character ({@link LongText}).
   */
  private static final int PARSED_STRING_BYTES = 1 << 16;

  /**
   * The JSON of one entry may take at most this much besides its two largest strings (the bodies):
   * an entry of millions of headers must not take the heap.
   */
  static final long MAX_ENTRY_JSON_BYTES = 16L << 20;

  /** JSON values in one entry (a browser's entry has hundreds). */
  static final int MAX_ENTRY_VALUES = 200_000;

  /** Strings outside bodies (URLs, header values...) are never cut below this many bytes. */
  private static final int MIN_STRING_LIMIT = 1 << 20;

  /** Fields of an entry's objects that the import reads; the others are skipped unparsed. */
  private static final Map<String, Set<String>> READ =
      Map.of(
          "",
              Set.of(
                  "startedDateTime",
                  "time",
                  "request",
                  "response",
                  "_shadow",
                  "_fromCache",
                  "_resourceType",
                  "_webSocketMessages"),
          "request",
              Set.of(
                  "method",
                  "url",
                  "httpVersion",
                  "headers",
                  "queryString",
                  "postData",
                  "bodySize",
                  "cookies"),
          "response",
              Set.of(
                  "status",
                  "statusText",
                  "headers",
                  "content",
                  "bodySize",
                  "_error",
                  "_transferSize"));

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Skip reason of WebSocket entries (ws:, wss:, status 101, Chrome's {@code _webSocketMessages}). */
  static final String WEBSOCKET = "WebSocket";

  /** Skip reason of other 101 Switching Protocols entries (h2c...). */
  static final String UPGRADE = "protocol upgrade (101)";

  /** Import decisions, kept as tags on the exchange (docs/recording-format.md, "Import tags"). */
  public static final String TAG_BODY_DROPPED = "import.bodyDropped";

  public static final String TAG_HEADERS_SPLIT = "import.headersSplit";
  public static final String TAG_BODY_REBUILT = "import.bodyRebuilt";
  public static final String TAG_PARAMS_NOT_REBUILT = "import.paramsNotRebuilt";
  public static final String TAG_REQUEST_SIZE = "import.requestSize";
  public static final String TAG_RESPONSE_SIZE = "import.responseSize";
  public static final String TAG_CONTENT_ENCODING = "import.contentEncoding";

  /**
   * On an exchange whose HAR text was encoded back in the charset its media type declares (HAR
   * tools keep text decoded by that charset): the charset, per side ({@code request=ISO-8859-1}).
   */
  public static final String TAG_CHARSET = "import.charset";

  /**
   * On an exchange whose body Playwright kept in a file beside the HAR ({@code _file}): which
   * sides ({@code response}, {@code request, response}).
   */
  public static final String TAG_ATTACHED = "import.attached";

  /** On an exchange whose {@code Cookie} header was rebuilt from the HAR's {@code cookies} array. */
  public static final String TAG_COOKIE_REBUILT = "import.cookieRebuilt";

  public static final String TAG_CONTENT_LENGTH = "import.contentLength";
  public static final String TAG_FROM_CACHE = "import.fromCache";
  public static final String TAG_BODY_NOT_CAPTURED = "import.bodyNotCaptured";
  public static final String TAG_HTTP_VERSION = "import.httpVersion";
  public static final String TAG_CONTENT_TYPE = "import.contentType";

  /** Methods whose requests carry no body by convention: an empty {@code postData} of theirs is no body. */
  private static final Set<String> BODILESS_METHODS =
      Set.of("GET", "HEAD", "OPTIONS", "DELETE", "TRACE");

  /** How a form rebuilt from {@code postData.params} is encoded. */
  enum FormEncoding {
    /** As browsers send forms: spaces as {@code +}, every other byte outside {@code A-Za-z0-9*-._} as %XX. */
    PLUS,
    /** The same with spaces as {@code %20}. */
    PERCENT,
    /** Names and values as the producer wrote them (already encoded). */
    AS_WRITTEN;

    String encode(String s) {
      return switch (this) {
        case PLUS -> URLEncoder.encode(s, StandardCharsets.UTF_8);
        case PERCENT -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        case AS_WRITTEN -> s;
      };
    }
  }

  /** ISO-8601 with an offset written {@code Z}, {@code +01:00} or {@code +0100} (seen in the wild). */
  private static final DateTimeFormatter DATE_TIME =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
          .optionalStart()
          .appendOffset("+HH:MM:ss", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HHMM", "Z")
          .optionalEnd()
          .toFormatter();

  private HarImporter() {}

  /**
   * Imports {@code har} into the recording {@code out} (gzip if it ends in .gz), redacted, with the
   * default body limit (10 MiB); an existing {@code out} is refused.
   */
  public static ImportResult importFile(Path har, Path out, Redaction redaction) {
    return importFile(har, out, ImportOptions.defaults().withRedaction(redaction));
  }

  /**
   * Imports {@code har} into the recording {@code out} (gzip if it ends in .gz). Bodies longer
   * than {@link ImportOptions#maxBody()} are cut and flagged truncated, with one warning. An
   * existing {@code out} is replaced only with {@link ImportOptions#overwrite()}; {@code out} is
   * never {@code har} itself. The output appears only when complete.
   */
  public static ImportResult importFile(Path har, Path out, ImportOptions options) {
    return Imports.write(
        har,
        out,
        "import:har",
        options,
        (sink, warnings, skips) -> read(har, options.maxBody(), sink, warnings, skips));
  }

  /** Streams the exchanges of {@code har} to {@code sink}, unredacted, bodies cut at 10 MiB; returns how many. */
  public static long read(Path har, Consumer<Exchange> sink, Consumer<String> warnings) {
    return read(har, ImportOptions.DEFAULT_MAX_BODY, sink, warnings);
  }

  /**
   * Streams the exchanges of {@code har} to {@code sink}, unredacted, bodies cut to
   * {@code maxBody} bytes (flagged truncated, one warning); returns how many. Memory is bounded
   * by the body limit, not by the file or its largest string: the bytes of a body past what is
   * kept are counted and dropped before they are parsed.
   */
  public static long read(
      Path har, long maxBody, Consumer<Exchange> sink, Consumer<String> warnings) {
    return read(har, maxBody, sink, warnings, new Imports.Skips());
  }

  static long read(
      Path har,
      long maxBody,
      Consumer<Exchange> sink,
      Consumer<String> warnings,
      Imports.Skips skips) {
    Imports.BodyLimit limit = new Imports.BodyLimit(maxBody);
    // enough JSON text for maxBody bytes of base64 (4 characters for 3 bytes)
    int stringLimit = (int) Math.max(MIN_STRING_LIMIT, maxBody / 3 * 4 + 8);
    try (JsonStringCutter in =
            new JsonStringCutter(RecordingReader.openInput(har), PARSED_STRING_BYTES, stringLimit);
        JsonParser p = ExchangeCodec.FACTORY.createParser(in)) {
      long n =
          new HarImporter.Run(
                  har, p, in, limit, 2L * stringLimit + MAX_ENTRY_JSON_BYTES, sink, warnings, skips)
              .run();
      limit.report(har, warnings);
      return n;
    } catch (StreamReadException e) {
      long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new RecordingException(
          har, line, "not valid JSON: " + ExchangeCodec.firstLine(e.getOriginalMessage()), e);
    } catch (CharConversionException e) {
      throw new RecordingException(
          har, 0, "not a HAR file: " + e.getMessage() + "; HAR files are UTF-8", e);
    } catch (IOException e) {
      throw new RecordingException(har, 0, "cannot read: " + RecordingWriter.describe(e), e);
    }
  }

  /** A string longer than the parser sees: its parsed beginning, and the rest as far as it was kept. */
  record LongText(String head, JsonStringCutter.Cut cut) {
    /** At most {@code max} bytes of it as UTF-8 (all of the head, possibly more than max). */
    byte[] utf8(long max) {
      return cut.utf8(head.getBytes(StandardCharsets.UTF_8), max);
    }
  }

  private static final class Run {
    private final Path file;
    private final JsonParser p;
    private final JsonStringCutter strings;
    private final Imports.BodyLimit limit;
    private final long maxEntryBytes;
    private final Consumer<Exchange> sink;
    private final Consumer<String> warnings;
    private final Imports.Skips skips;

    /** Per skip reason: how many entries, the first entry's index, and WebSocket messages left out. */
    private final Map<String, long[]> skipped = new LinkedHashMap<>();

    private long webSocketMessages;

    /** Entries whose httpVersion was junk, and the first few such values. */
    private long junkVersions;

    /** Bodies whose {@code _file} is not beside the HAR. */
    private long missingAttachments;

    private final Set<String> junkVersionValues = new LinkedHashSet<>();

    /** The entry was written by Shadow's exporter ({@code _shadow}): no repairs, its flags say it all. */
    private boolean trusted;

    private long emitted;
    private int index;
    private long entryLine;
    private long entryStart;
    private long entryKept;
    private int values;

    Run(
        Path file,
        JsonParser p,
        JsonStringCutter strings,
        Imports.BodyLimit limit,
        long maxEntryBytes,
        Consumer<Exchange> sink,
        Consumer<String> warnings,
        Imports.Skips skips) {
      this.skips = skips;
      this.file = file;
      this.p = p;
      this.strings = strings;
      this.limit = limit;
      this.maxEntryBytes = maxEntryBytes;
      this.sink = sink;
      this.warnings = warnings;
    }

    long run() throws IOException {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new RecordingException(
            file, line(), "not a HAR file: expected a JSON object with \"log\"");
      }
      boolean sawEntries = false;
      for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
        JsonToken t = p.nextToken();
        if (!f.equals("log")) {
          p.skipChildren();
          continue;
        }
        if (t != JsonToken.START_OBJECT) {
          throw new RecordingException(
              file, line(), "log: expected an object, got " + ExchangeCodec.describe(t));
        }
        for (String g = p.nextFieldName(); g != null; g = p.nextFieldName()) {
          JsonToken v = p.nextToken();
          if (g.equals("entries")) {
            if (v != JsonToken.START_ARRAY) {
              throw new RecordingException(
                  file, line(), "log.entries: expected an array, got " + ExchangeCodec.describe(v));
            }
            sawEntries = true;
            entries();
          } else {
            p.skipChildren(); // version, creator, pages, comment, _custom
          }
        }
      }
      if (!sawEntries) {
        throw new RecordingException(file, 0, "not a HAR file: no log.entries array");
      }
      JsonToken after;
      try {
        after = p.nextToken();
      } catch (StreamReadException garbage) {
        after = JsonToken.NOT_AVAILABLE;
      }
      if (after != null) {
        // a second HAR document appended to the first (cat a.har b.har), or anything else: never
        // left unread without a word
        throw new RecordingException(
            file,
            line(),
            "more content after the end of the HAR document (two HAR files joined? import each"
                + " on its own)");
      }
      skipped.forEach(
          (reason, v) ->
              warnings.accept(
                  file
                      + ": skipped "
                      + v[0]
                      + (v[0] == 1 ? " entry" : " entries")
                      + (reason.equals(WEBSOCKET)
                          ? " of WebSocket connections ("
                              + webSocketMessages
                              + " message(s) not imported;"
                              + " Shadow records and replays HTTP exchanges only)"
                          : reason.equals(BAD_METHOD)
                              ? " whose method is no HTTP token (a request no client can"
                                  + " send, never put on a wire)"
                              : " whose URL is "
                                  + reason.substring(reason.indexOf('(') + 1, reason.length() - 1)
                                  + " (not HTTP, nothing to replay)")
                      + "; first at log.entries["
                      + v[1]
                      + "]"));
      if (missingAttachments > 0) {
        warnings.accept(
            file
                + ": "
                + missingAttachments
                + (missingAttachments == 1 ? " body is" : " bodies are")
                + " in a _file that is not beside the HAR (Playwright's content \"attach\": unzip"
                + " a .har.zip, or copy its files next to the .har): not captured");
      }
      if (junkVersions > 0) {
        warnings.accept(
            file
                + ": "
                + junkVersions
                + (junkVersions == 1 ? " entry had" : " entries had")
                + " an httpVersion that is no HTTP version ("
                + String.join(", ", junkVersionValues)
                + (junkVersions > junkVersionValues.size() ? ", ..." : "")
                + "): imported as HTTP/1.1, the original kept in tag "
                + TAG_HTTP_VERSION);
      }
      return emitted;
    }

    private long line() {
      return p.currentLocation().getLineNr();
    }

    private void entries() throws IOException {
      index = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        long line = p.currentLocation().getLineNr();
        if (t != JsonToken.START_OBJECT) {
          throw new RecordingException(
              file,
              line,
              "log.entries[" + index + "]: expected an object, got " + ExchangeCodec.describe(t));
        }
        entryLine = line;
        entryStart = p.currentTokenLocation().getByteOffset();
        entryKept = 0;
        values = 0;
        JsonNode entry = node(t, "");
        try {
          Exchange e = entry(entry, index);
          if (e != null) {
            sink.accept(e);
            emitted++;
          }
        } catch (Problem problem) {
          throw new RecordingException(
              file,
              line,
              "log.entries[" + index + "]." + problem.path + ": " + problem.getMessage());
        }
        index++;
      }
    }

    /**
     * The value at the current token as a tree, within the entry's bounds. Only the fields the
     * import reads are kept at the entry, request and response levels; long strings become
     * {@link LongText}.
     */
    private JsonNode node(JsonToken t, String path) throws IOException {
      if (++values > MAX_ENTRY_VALUES) {
        throw new RecordingException(
            file,
            entryLine,
            "log.entries["
                + index
                + "]: more than "
                + MAX_ENTRY_VALUES
                + " JSON values in one entry");
      }
      if (p.currentLocation().getByteOffset() - entryStart + entryKept > maxEntryBytes) {
        throw new RecordingException(
            file,
            entryLine,
            "log.entries["
                + index
                + "]: more than "
                + (maxEntryBytes >> 20)
                + " MiB of JSON in one entry");
      }
      switch (t) {
        case START_OBJECT -> {
          ObjectNode o = NODES.objectNode();
          Set<String> read = READ.get(path);
          for (String f = p.nextFieldName(); f != null; f = p.nextFieldName()) {
            JsonToken v = p.nextToken();
            if (read != null && !read.contains(f)) {
              p.skipChildren();
            } else {
              o.set(f, node(v, path.isEmpty() ? f : path + "." + f));
            }
          }
          return o;
        }
        case START_ARRAY -> {
          ArrayNode a = NODES.arrayNode();
          for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
            a.add(node(v, path + "[]"));
          }
          return a;
        }
        case VALUE_STRING -> {
          long at = p.currentTokenLocation().getByteOffset();
          String text = p.getText(); // reads up to the closing quote: the cutter has seen it
          JsonStringCutter.Cut cut = strings.cutAt(at);
          if (cut == null) {
            return NODES.textNode(text);
          }
          entryKept += cut.keptBytes();
          return NODES.pojoNode(new LongText(text, cut));
        }
        case VALUE_NUMBER_INT -> {
          return switch (p.getNumberType()) {
            case INT -> NODES.numberNode(p.getIntValue());
            case LONG -> NODES.numberNode(p.getLongValue());
            default -> NODES.numberNode(p.getBigIntegerValue());
          };
        }
        case VALUE_NUMBER_FLOAT -> {
          return NODES.numberNode(p.getDoubleValue());
        }
        case VALUE_TRUE, VALUE_FALSE -> {
          return NODES.booleanNode(t == JsonToken.VALUE_TRUE);
        }
        case VALUE_NULL -> {
          return NODES.nullNode();
        }
        default ->
            throw new RecordingException(file, line(), "unexpected " + ExchangeCodec.describe(t));
      }
    }

    private static boolean upgradesTo(JsonNode rs, String protocol) {
      JsonNode headers = rs.path("headers");
      if (!headers.isArray() || headers.isEmpty()) {
        return true; // nothing to tell by: a 101 in a browser's HAR is a WebSocket
      }
      for (JsonNode h : headers) {
        if (h.path("name").asText("").equalsIgnoreCase("Upgrade")) {
          return h.path("value").asText("").toLowerCase(Locale.ROOT).contains(protocol);
        }
      }
      return true;
    }

    private void skip(String reason, int index) {
      skips.add(reason);
      skipped.computeIfAbsent(reason, r -> new long[] {0, index})[0]++;
    }

    private Exchange entry(JsonNode entry, int index) throws Problem {
      JsonNode rq = object(entry, "request", true);
      JsonNode urlNode = rq.get("url");
      // the scheme first, from the URL's beginning: a long data: URL is skipped, never refused
      String scheme =
          urlNode instanceof POJONode pojo && pojo.getPojo() instanceof LongText t
              ? Url.scheme(t.head())
              : urlNode != null && urlNode.isTextual() ? Url.scheme(urlNode.asText()) : "";
      JsonNode rsNode = entry.get("response");
      boolean ours =
          entry.path("_shadow").isObject(); // Shadow's export keeps any exchange a recording held
      boolean switching = !ours && rsNode != null && rsNode.path("status").asInt(0) == 101;
      boolean webSocket =
          scheme.equals("ws")
              || scheme.equals("wss")
              || !ours
                  && ("websocket".equalsIgnoreCase(entry.path("_resourceType").asText(""))
                      || entry.has("_webSocketMessages")
                      || switching && upgradesTo(rsNode, "websocket"));
      if (switching && !webSocket) {
        skip(UPGRADE, index); // 101 to another protocol (h2c): what follows is not HTTP/1 exchanges
        return null;
      }
      if (webSocket) {
        // before validation: an entry that is skipped anyway never aborts the file
        skip(WEBSOCKET, index);
        JsonNode messages = entry.get("_webSocketMessages");
        webSocketMessages += messages != null && messages.isArray() ? messages.size() : 0;
        return null;
      }
      if (!scheme.equals("http") && !scheme.equals("https")) {
        if (urlNode == null || urlNode.isNull()) {
          throw new Problem("request.url", "missing");
        }
        skip("non-HTTP URL (" + (scheme.isEmpty() ? "no scheme" : scheme + ":") + ")", index);
        return null;
      }
      String url = text(rq, "request.url", true);
      Url parsed = Url.parse(url);
      if (parsed == null) {
        skip("non-HTTP URL (no scheme)", index);
        return null;
      }
      if (Headers.hasLineBreak(url)
          || parsed.authority().isBlank()
          || parsed.authority().chars().anyMatch(Character::isWhitespace)) {
        throw new Problem("request.url", "has no host, or a line break or space in it");
      }
      String method = text(rq, "request.method", true);
      if (method.isEmpty()) {
        throw new Problem("request.method", "is empty");
      }
      if (!token(method)) {
        // not a method a client can send ("GE T", a request line smuggled in): never put on a wire
        skip(BAD_METHOD, index);
        return null;
      }
      trusted = ours;
      Map<String, String> tags = new LinkedHashMap<>();
      Set<String> split = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      Instant startedAt = null;
      String started = text(entry, "startedDateTime", false);
      if (started != null) {
        try {
          startedAt = OffsetDateTime.parse(started, DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
          throw new Problem(
              "startedDateTime",
              "expected an ISO-8601 date-time, got \"" + abbreviate(started) + "\"");
        }
      }
      Long duration = null;
      JsonNode time = entry.get("time");
      if (time != null && !time.isNull()) {
        if (!time.isNumber()) {
          throw new Problem("time", "expected a number of milliseconds");
        }
        if (time.asDouble() >= 0) {
          duration = Math.round(time.asDouble() * 1000.0);
        }
      }

      Headers requestHeaders = headers(rq, "request.headers", split);
      String host =
          requestHeaders
              .first("Host")
              .orElse(requestHeaders.first(":authority").orElse(parsed.authority));
      requestHeaders = withoutPseudoHeaders(requestHeaders);
      if (!requestHeaders.contains("Host")) {
        requestHeaders = requestHeaders.withFirst("Host", ours ? host : asciiHost(host));
      } else if (!ours) {
        requestHeaders = requestHeaders.mapValues("Host", HarImporter::asciiHost);
      }
      if (!ours && !requestHeaders.contains("Cookie")) {
        // Insomnia, Postman and converters list the request's cookies apart, without the header
        // the request carried: it is rebuilt (and redacted, as any Cookie header is)
        String cookie = cookieHeader(rq.get("cookies"));
        if (cookie != null) {
          requestHeaders = requestHeaders.with("Cookie", cookie);
          tags.put(TAG_COOKIE_REBUILT, "request");
        }
      }
      // a URL as a tool shows it (café, 日本, a space) is sent as browsers send it: UTF-8,
      // percent-encoded; Shadow's own export writes the target as it was on the wire
      String target = ours ? parsed.target : wireTarget(parsed.target);
      if (target.indexOf('?') < 0) {
        target += queryFromParams(rq.get("queryString"));
      }
      Body requestBody = postData(rq, method, requestHeaders, tags);
      if (!trusted
          && !(requestBody instanceof Body.None)
          && !requestHeaders.contains("Content-Type")) {
        // some producers (Insomnia, ZAP, Postman converters) give the type in postData alone: the
        // request sent it, and a candidate reads the body by it
        String mime = rq.path("postData").path("mimeType").asText("").strip();
        if (!mime.isEmpty() && mime.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
          requestHeaders = requestHeaders.with("Content-Type", mime);
          tags.put(TAG_CONTENT_TYPE, abbreviate(mime));
        }
      }
      String httpVersion = httpVersion(text(rq, "request.httpVersion", false), tags);
      HttpRequest request =
          new HttpRequest(method, target, httpVersion, requestHeaders, requestBody);

      HttpResponse response = null;
      String error = null;
      JsonNode rs = object(entry, "response", false);
      if (rs == null) {
        error = "no response in HAR entry";
      } else {
        JsonNode statusNode = rs.get("status");
        if (statusNode == null || !statusNode.canConvertToInt() || !statusNode.isIntegralNumber()) {
          throw new Problem(
              "response.status", statusNode == null ? "missing" : "expected an integer");
        }
        int status = statusNode.asInt();
        if (status == 0) {
          JsonNode why = rs.get("_error");
          error =
              why != null && why.isTextual() && !why.asText().isEmpty()
                  ? why.asText()
                  : "no response (status 0 in HAR)";
        } else if (status < 100 || status > 999) {
          throw new Problem("response.status", status + " is not a 3-digit HTTP status");
        } else {
          String reason = text(rs, "response.statusText", false);
          Headers responseHeaders = withoutPseudoHeaders(headers(rs, "response.headers", split));
          Body body;
          if (!trusted
              && (status / 100 == 1
                  || status == 204
                  || status == 304
                  || method.equalsIgnoreCase("HEAD"))) {
            // no body on the wire: what a browser shows here is the cached resource (304) or
            // nothing real
            body = Body.none();
            long dropped = droppedBody(rs);
            if (dropped > 0) {
              tags.put(TAG_BODY_DROPPED, Long.toString(dropped));
            }
          } else {
            body = content(rs, responseHeaders, tags);
            responseHeaders = decodedHeaders(responseHeaders, body, tags);
          }
          response = new HttpResponse(status, reason, responseHeaders, body);
          JsonNode fromCache = entry.path("_fromCache");
          String cache =
              fromCache.isTextual()
                  ? fromCache.asText().strip()
                  : fromCache.isBoolean() && fromCache.asBoolean() ? "true" : "";
          if (!cache.isEmpty() && !cache.equalsIgnoreCase("false")) {
            tags.put(TAG_FROM_CACHE, abbreviate(cache));
          } else if (rs.path("_transferSize").isNumber()
              && rs.path("_transferSize").asLong() == 0
              && (status == 200 || status == 304)) {
            tags.put(TAG_FROM_CACHE, "transferSize 0");
          }
        }
      }
      if (!split.isEmpty()) {
        tags.put(TAG_HEADERS_SPLIT, String.join(", ", split));
      }
      boolean requestMissing = requestBody instanceof Body.NotCaptured;
      boolean responseMissing = response != null && response.body() instanceof Body.NotCaptured;
      if (requestMissing || responseMissing) {
        tags.put(
            TAG_BODY_NOT_CAPTURED,
            requestMissing && responseMissing
                ? "request, response"
                : requestMissing ? "request" : "response");
      }

      String id = null;
      JsonNode own = entry.get("_shadow");
      if (own != null && own.isObject()) {
        // What HAR cannot say, written by HarExporter so that a recording survives the trip.
        JsonNode ownTarget = own.get("target");
        if (ownTarget != null && ownTarget.isTextual() && !ownTarget.asText().isEmpty()) {
          target = ownTarget.asText();
        }
        if (own.path("noHost").asBoolean(false)) {
          requestHeaders = requestHeaders.without("Host");
        }
        if (own.path("requestNotCaptured").asBoolean(false)) {
          requestBody = Body.notCaptured(rq.path("bodySize").asLong(-1));
        } else if (own.path("requestTruncated").asBoolean(false)) {
          requestBody = truncated(requestBody, rq.path("bodySize").asLong(-1));
        }
        request =
            new HttpRequest(
                method,
                target,
                httpVersion,
                requestHeaders,
                own.path("requestBinary").asBoolean(false) ? binary(requestBody) : requestBody);
        if (response != null && own.path("responseNotCaptured").asBoolean(false)) {
          response =
              response.withBody(Body.notCaptured(rs.path("content").path("size").asLong(-1)));
        } else if (response != null && own.path("responseTruncated").asBoolean(false)) {
          response =
              response.withBody(
                  truncated(response.body(), rs.path("content").path("size").asLong(-1)));
        }
        if (response != null && own.path("responseBinary").asBoolean(false)) {
          response = response.withBody(binary(response.body()));
        }
        if (own.path("noStart").asBoolean(false)) {
          startedAt = null;
        }
        if (own.path("noTime").asBoolean(false)) {
          duration = null;
        }
        if (response == null && own.has("error")) {
          error = own.get("error").isTextual() ? own.get("error").asText() : null;
        }
        JsonNode ownId = own.get("id");
        if (ownId != null && ownId.isTextual() && !ownId.asText().isEmpty()) {
          id = ownId.asText();
        }
        JsonNode ownTags = own.get("tags");
        if (ownTags != null && ownTags.isObject()) {
          // the exported tags, in their order, then any decision this import took besides
          Map<String, String> m = new LinkedHashMap<>();
          ownTags
              .fields()
              .forEachRemaining(
                  t -> {
                    if (t.getValue().isTextual()) {
                      m.put(t.getKey(), t.getValue().asText());
                    }
                  });
          tags.forEach(m::putIfAbsent);
          tags = m;
        }
      }
      if (id == null) {
        id = derivedId(index, started, method, url);
      }
      return new Exchange(id, startedAt, duration, request, response, error, tags);
    }

    /**
     * The request body. The original size is {@code bodySize}, else {@code Content-Length}; a size
     * that disagrees with a complete body is kept as a tag, never taken for a cut. A form with an
     * empty {@code text} (ZAP) is rebuilt from {@code params} in the encoding that gives the
     * declared size; any other body the producer did not keep is {@linkplain Body.NotCaptured not
     * captured}.
     */
    private Body postData(
        JsonNode rq, String method, Headers requestHeaders, Map<String, String> tags)
        throws Problem {
      long bodySize = rq.path("bodySize").isIntegralNumber() ? rq.path("bodySize").asLong() : -1;
      long declared = bodySize >= 0 ? bodySize : declaredLength(requestHeaders);
      JsonNode pd = rq.get("postData");
      if (pd == null || pd.isNull()) {
        return declared > 0 && !trusted ? Body.notCaptured(declared) : Body.none();
      }
      if (!pd.isObject()) {
        throw new Problem("request.postData", "expected an object");
      }
      String mime = text(pd, "request.postData.mimeType", false);
      if (mime == null || mime.isEmpty()) {
        mime = requestHeaders.first("Content-Type").orElse("");
      }
      Body attached = sidecar(pd, "request.postData", tags);
      if (attached != null) {
        return attached;
      }
      JsonNode textNode = pd.get("text");
      boolean emptyText =
          textNode == null
              || textNode.isNull()
              || textNode.isTextual() && textNode.asText().isEmpty();
      if (!emptyText) {
        return checked(
            bodyText(pd, "request.postData", -1, mime, "request", tags),
            trusted ? bodySize : declared,
            mime,
            "request",
            tags);
      }
      JsonNode params = pd.get("params");
      if (params == null || !params.isArray() || params.isEmpty() || trusted) {
        if (declared > 0 && !trusted) {
          return Body.notCaptured(declared);
        }
        if (trusted && bodySize > 0 && textNode != null && textNode.isTextual()) {
          return truncated(Body.text(""), bodySize); // an older export of a body cut to nothing
        }
        // ZAP writes an empty postData on every request: a GET had no body, not an empty one
        boolean bodiless =
            !trusted && declared <= 0 && BODILESS_METHODS.contains(method.toUpperCase(Locale.ROOT));
        return textNode == null || textNode.isNull() || bodiless ? Body.none() : Body.text("");
      }
      if (!mime.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
          || !scalars(params)) {
        // a JSON or multipart body listed as params cannot be rebuilt byte for byte
        tags.put(TAG_PARAMS_NOT_REBUILT, mime.isEmpty() ? "no media type" : abbreviate(mime));
        return Body.notCaptured(declared);
      }
      String plus = form(params, "request.postData.params", FormEncoding.PLUS);
      String percent = form(params, "request.postData.params", FormEncoding.PERCENT);
      String raw = form(params, "request.postData.params", FormEncoding.AS_WRITTEN);
      String body;
      String how;
      if (declared >= 0 && utf8Length(plus) == declared) {
        body = plus;
        how = "params, spaces as +";
      } else if (declared >= 0 && utf8Length(percent) == declared) {
        body = percent;
        how = "params, spaces as %20";
      } else if (declared >= 0 && utf8Length(raw) == declared) {
        body = raw;
        how = "params as written";
      } else {
        body = looksEncoded(raw) ? raw : plus;
        how = looksEncoded(raw) ? "params as written" : "params, spaces as +";
        if (declared >= 0) {
          tags.put(TAG_REQUEST_SIZE, Long.toString(declared));
        }
      }
      tags.put(TAG_BODY_REBUILT, how);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      return limit.of(bytes, bytes.length, -1); // a rebuilt body is whole: never called truncated
    }

    /**
     * The body Playwright keeps beside the HAR ({@code recordHar} with {@code content: "attach"}):
     * {@code parent._file} names a file in the HAR's directory, whose bytes are the body (decoded,
     * as HAR text is), read up to the body limit; null when there is no {@code _file}, or when
     * {@code text} is there too (it wins). A name that is not a plain file name in that directory
     * is an error; a file that is missing leaves the body not captured, with a tag.
     */
    private Body sidecar(JsonNode parent, String path, Map<String, String> tags) throws Problem {
      JsonNode f = parent.get("_file");
      if (f == null || f.isNull() || parent.hasNonNull("text")) {
        return null;
      }
      if (!f.isTextual()) {
        throw new Problem(path + "._file", "expected a file name");
      }
      String name = f.asText();
      if (name.isEmpty()
          || name.equals(".")
          || name.equals("..")
          || name.indexOf('/') >= 0
          || name.indexOf('\\') >= 0
          || name.indexOf('\0') >= 0
          || name.indexOf(':') >= 0) {
        throw new Problem(
            path + "._file",
            "expected the name of a file beside the HAR, got \"" + abbreviate(name) + "\"");
      }
      Path dir = file.toAbsolutePath().getParent();
      Path body = dir.resolve(name);
      if (!Files.isRegularFile(body)) {
        missingAttachments++;
        return Body.notCaptured(-1);
      }
      try {
        // a link (an unzipped archive may hold one) must not read a file outside the directory
        if (!body.toRealPath().getParent().equals(dir.toRealPath())) {
          throw new Problem(
              path + "._file",
              "\"" + abbreviate(name) + "\" leads out of the HAR's directory (a link?): refused");
        }
      } catch (java.io.IOException e) {
        throw new Problem(path + "._file", "cannot read " + name + ": " + e.getMessage());
      }
      tags.merge(
          TAG_ATTACHED,
          path.startsWith("request") ? "request" : "response",
          (a, b) -> a + ", " + b);
      try (java.io.InputStream in = Files.newInputStream(body)) {
        long size = Files.size(body);
        byte[] bytes = in.readNBytes((int) Math.min(limit.max, Integer.MAX_VALUE - 16));
        return limit.of(bytes, Math.max(size, bytes.length), -1);
      } catch (java.io.IOException e) {
        throw new Problem(path + "._file", "cannot read " + name + ": " + e.getMessage());
      }
    }

    /**
     * The body in {@code parent.text} (base64-decoded when {@code parent.encoding} says so), cut
     * to the body limit and flagged truncated with its real size: the larger of {@code declared}
     * and the size of the whole text, even when only its beginning was parsed.
     */
    private Body bodyText(
        JsonNode parent,
        String path,
        long declared,
        String mime,
        String side,
        Map<String, String> tags)
        throws Problem {
      boolean base64 = "base64".equalsIgnoreCase(text(parent, path + ".encoding", false));
      Charset charset = base64 ? null : declaredCharset(mime);
      JsonNode n = parent.get("text");
      byte[] bytes;
      long real;
      if (n instanceof POJONode pojo && pojo.getPojo() instanceof LongText t) {
        if (base64) {
          bytes = base64(t.utf8(Long.MAX_VALUE), !t.cut().whole(), path + ".text");
          real = t.cut().whole() ? bytes.length : t.cut().base64Bytes();
        } else {
          bytes = t.utf8(limit.max);
          real = t.cut().utf8Bytes();
          // a text wholly in hand is written back whole, then cut at the body limit with its
          // real size in the charset (a prefix re-encoded would pass for a whole body, or keep a
          // size in UTF-8 no server sent)
          if (charset != null && t.cut().whole()) {
            byte[] encoded =
                encoded(new String(t.utf8(Long.MAX_VALUE), StandardCharsets.UTF_8), charset);
            if (encoded != null) {
              tags.merge(TAG_CHARSET, side + "=" + charset.name(), (a, b) -> a + "," + b);
              bytes = encoded;
              real = encoded.length;
            }
          }
        }
      } else {
        String text = text(parent, path + ".text", true);
        byte[] encoded = charset == null ? null : encoded(text, charset);
        if (encoded != null) {
          tags.merge(TAG_CHARSET, side + "=" + charset.name(), (a, b) -> a + "," + b);
        }
        bytes =
            base64
                ? base64(text.getBytes(StandardCharsets.ISO_8859_1), false, path + ".text")
                : encoded != null ? encoded : text.getBytes(StandardCharsets.UTF_8);
        real = bytes.length;
      }
      return limit.of(bytes, real, declared);
    }

    /**
     * The charset {@code mime} declares ({@code text/html; charset=ISO-8859-1}), when it is one
     * this JVM has and not UTF-8 (or its subset US-ASCII); else null: the text is written in UTF-8.
     */
    static Charset declaredCharset(String mime) {
      if (mime == null) {
        return null;
      }
      for (String param : mime.split(";")) {
        int eq = param.indexOf('=');
        if (eq > 0 && param.substring(0, eq).strip().equalsIgnoreCase("charset")) {
          String name = param.substring(eq + 1).strip();
          if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            name = name.substring(1, name.length() - 1);
          }
          try {
            Charset c = Charset.forName(name);
            return c.equals(StandardCharsets.UTF_8) || c.equals(StandardCharsets.US_ASCII)
                ? null
                : c;
          } catch (IllegalArgumentException unknown) {
            return null; // an unknown or malformed name: the text stays UTF-8
          }
        }
      }
      return null;
    }

    /**
     * {@code text} in {@code charset}, the bytes the server sent and the HAR tool decoded; null
     * when the text holds a character the charset does not have (then it was not decoded from it)
     * or is plain ASCII (the same bytes in UTF-8).
     */
    private static byte[] encoded(String text, Charset charset) {
      if (text.chars().allMatch(c -> c < 0x80)) {
        return null;
      }
      try {
        java.nio.ByteBuffer b =
            charset
                .newEncoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .encode(java.nio.CharBuffer.wrap(text));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
      } catch (java.nio.charset.CharacterCodingException | UnsupportedOperationException e) {
        return null;
      }
    }

    /**
     * {@code body} as the producer's sizes and its syntax say: a complete JSON or XML text that
     * stops short (ends inside a value or element) was cut by the producer, flagged truncated with
     * at least {@code declared} bytes; a size that disagrees with a complete body is only a tag.
     */
    private Body checked(
        Body body, long declared, String mime, String side, Map<String, String> tags) {
      if (trusted) {
        // Shadow's export writes a complete body's exact size; older exports said "cut" by a larger
        // one only
        return declared > body.bytes().length ? truncated(body, declared) : body;
      }
      if (body.truncated() || body instanceof Body.None) {
        return body;
      }
      byte[] bytes = body.bytes();
      if (Syntax.endsEarly(bytes, mime)) {
        return Body.of(bytes, Math.max(declared, bytes.length + 1L));
      }
      if (declared >= 0 && declared != bytes.length) {
        tags.put(
            side.equals("request") ? TAG_REQUEST_SIZE : TAG_RESPONSE_SIZE, Long.toString(declared));
      }
      return body;
    }

    private Body content(JsonNode rs, Headers headers, Map<String, String> tags) throws Problem {
      JsonNode content = rs.get("content");
      if (content == null || content.isNull()) {
        if (trusted) {
          return Body.none();
        }
        // no content at all, where the sizes say there was a body: not captured, not empty
        long bodySize = rs.path("bodySize").isIntegralNumber() ? rs.path("bodySize").asLong() : -1;
        long length = declaredLength(headers);
        return bodySize > 0
            ? Body.notCaptured(bodySize)
            : length > 0 ? Body.notCaptured(length) : Body.none();
      }
      if (!content.isObject()) {
        throw new Problem("response.content", "expected an object");
      }
      long size = content.path("size").isIntegralNumber() ? content.path("size").asLong() : -1;
      Body attached = sidecar(content, "response.content", tags);
      if (attached != null) {
        return attached;
      }
      if (!content.hasNonNull("text")) {
        // The tool did not keep the body: say so rather than pretend it was empty or cut.
        if (trusted) {
          return Body.none();
        }
        long length = declaredLength(headers);
        boolean encoded =
            headers.contains("Content-Encoding") || headers.contains("Transfer-Encoding");
        long wire = headers.first("Content-Length").map(Run::parseLong).orElse(-1L);
        if (size > 0) {
          return Body.notCaptured(size);
        }
        if (length > 0) {
          return Body.notCaptured(length);
        }
        return wire > 0 || encoded && size != 0 ? Body.notCaptured(-1) : Body.none();
      }
      JsonNode textNode = content.get("text");
      if (!trusted && textNode.isTextual() && textNode.asText().isEmpty()) {
        // an empty text where the sizes say there was a body (Firefox, converters): the tool did
        // not keep it; an empty body it is not
        long length = declaredLength(headers);
        if (size > 0) {
          return Body.notCaptured(size);
        }
        if (length > 0) {
          return Body.notCaptured(length);
        }
      }
      String mime = headers.first("Content-Type").orElse(content.path("mimeType").asText(""));
      return checked(
          bodyText(content, "response.content", -1, mime, "response", tags),
          size,
          mime,
          "response",
          tags);
    }

    /** Bytes of a body a bodiless response (1xx, 204, 304, HEAD) was shown with, or 0. */
    private static long droppedBody(JsonNode rs) {
      JsonNode content = rs.path("content");
      JsonNode text = content.get("text");
      if (text instanceof POJONode pojo && pojo.getPojo() instanceof LongText t) {
        return t.cut().utf8Bytes();
      }
      if (text != null && text.isTextual() && !text.asText().isEmpty()) {
        return text.asText().getBytes(StandardCharsets.UTF_8).length;
      }
      return 0;
    }

    /**
     * Response headers fitting a body the producer decoded: HAR tools keep {@code
     * Content-Encoding} and the wire {@code Content-Length} beside the decoded text, which the
     * body no longer is. Both are dropped or fixed, their original values kept as tags. A body
     * that still is encoded (gzip or zstd magic, binary bytes declared as text) keeps them.
     */
    private Headers decodedHeaders(Headers headers, Body body, Map<String, String> tags) {
      if (trusted || body instanceof Body.None || body instanceof Body.NotCaptured) {
        return headers;
      }
      List<String> codings = headers.all("Content-Encoding");
      String coding = String.join(", ", codings).strip();
      if (coding.isEmpty()
          || coding.equalsIgnoreCase("identity")
          || stillEncoded(body, coding, headers, tags)) {
        return headers;
      }
      tags.put(TAG_CONTENT_ENCODING, abbreviate(coding));
      Headers out = headers.without("Content-Encoding");
      Optional<String> length = out.first("Content-Length");
      if (length.isPresent()) {
        tags.put(TAG_CONTENT_LENGTH, abbreviate(length.get()));
        out =
            body.truncated()
                ? out.without("Content-Length")
                : out.mapValues("Content-Length", v -> Long.toString(body.size()));
      }
      return out;
    }

    private static boolean stillEncoded(
        Body body, String coding, Headers headers, Map<String, String> tags) {
      if (!(body instanceof Body.Binary)
          || tags.getOrDefault(TAG_CHARSET, "").contains("response=")) {
        // valid UTF-8 text, or text encoded back in its declared charset: what the producer
        // decoded (compressed streams are never that)
        return false;
      }
      String outer = coding.substring(coding.lastIndexOf(',') + 1).strip().toLowerCase(Locale.ROOT);
      byte[] b = body.bytes();
      return switch (outer) {
        case "gzip", "x-gzip" -> b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
        case "zstd" ->
            b.length >= 4
                && (b[0] & 0xff) == 0x28
                && (b[1] & 0xff) == 0xb5
                && (b[2] & 0xff) == 0x2f
                && (b[3] & 0xff) == 0xfd;
        // br and deflate have no reliable magic number: binary bytes are still compressed, unless
        // the type is binary media, which a producer shows decoded as it is
        default -> !binaryMedia(headers);
      };
    }

    private static boolean binaryMedia(Headers headers) {
      String ct = headers.first("Content-Type").orElse("").strip().toLowerCase(Locale.ROOT);
      return ct.startsWith("image/")
          || ct.startsWith("audio/")
          || ct.startsWith("video/")
          || ct.startsWith("font/")
          || ct.startsWith("application/font")
          || ct.startsWith("application/pdf")
          || ct.startsWith("application/zip");
    }

    private static long parseLong(String v) {
      try {
        return Long.parseLong(v.strip());
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    /**
     * A known HTTP version in its canonical spelling ({@code h2} and {@code http/2.0} are
     * {@code HTTP/2}); anything else ({@code "ori"}, {@code "unknown"}) becomes the default,
     * {@code HTTP/1.1}, and the original is kept as a tag.
     */
    private String httpVersion(String version, Map<String, String> tags) {
      if (version == null) {
        return null;
      }
      String v = version.strip().toUpperCase(Locale.ROOT);
      String known =
          switch (v) {
            case "HTTP/1.0", "1.0" -> "HTTP/1.0";
            case "HTTP/1.1", "1.1" -> "HTTP/1.1";
            case "HTTP/2", "HTTP/2.0", "H2", "H2C", "2", "2.0" -> "HTTP/2";
            case "HTTP/3", "HTTP/3.0", "H3", "3", "3.0" -> "HTTP/3";
            default -> null;
          };
      if (known == null && !trusted) {
        if (!version.isBlank()) {
          tags.put(TAG_HTTP_VERSION, abbreviate(version));
          junkVersions++;
          if (junkVersionValues.size() < 3) {
            junkVersionValues.add("\"" + abbreviate(version) + "\"");
          }
        }
        return null;
      }
      return known == null ? version : known;
    }

    /** {@code body} flagged cut from {@code size} bytes (as exported), when it is shorter. */
    private static Body truncated(Body body, long size) {
      byte[] bytes = body.bytes();
      return size > bytes.length ? Body.of(bytes, size) : body;
    }

    private static Body binary(Body body) {
      return body instanceof Body.Text t
          ? new Body.Binary(t.bytes(), t.truncated(), t.truncated() ? t.size() : -1)
          : body;
    }

    private static long declaredLength(Headers headers) {
      if (headers.contains("Content-Encoding")) {
        return -1;
      }
      try {
        return headers.first("Content-Length").map(v -> Long.parseLong(v.strip())).orElse(-1L);
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    /**
     * Header fields in order. A value holding line breaks (chrome-har joins repeated fields with
     * "\n") becomes one field per line, a line starting with a space or tab continuing the one
     * before; the names of such fields go into {@code split}.
     */
    private Headers headers(JsonNode parent, String path, Set<String> split) throws Problem {
      JsonNode list = parent.get(path.substring(path.lastIndexOf('.') + 1));
      if (list == null || list.isNull()) {
        return Headers.empty();
      }
      if (!list.isArray()) {
        throw new Problem(path, "expected an array of {name, value}");
      }
      List<Headers.Field> fields = new ArrayList<>(list.size());
      int i = 0;
      for (JsonNode h : list) {
        String at = path + "[" + i++ + "]";
        if (!h.isObject()) {
          throw new Problem(at, "expected an object {name, value}");
        }
        String name = text(h, at + ".name", true);
        String value = text(h, at + ".value", true);
        if (Headers.hasLineBreak(name)) {
          throw new Problem(at + ".name", "holds a line break");
        }
        if (!Headers.hasLineBreak(value)) {
          fields.add(new Headers.Field(name, value));
          continue;
        }
        split.add(name);
        fields.addAll(Headers.oneFieldPerLine(name, value));
      }
      return Headers.of(fields);
    }

    private static Headers withoutPseudoHeaders(Headers headers) {
      if (headers.stream().noneMatch(f -> f.name().startsWith(":"))) {
        return headers;
      }
      return Headers.of(headers.stream().filter(f -> !f.name().startsWith(":")).toList());
    }

    private static String queryFromParams(JsonNode params) throws Problem {
      if (params == null || !params.isArray() || params.isEmpty()) {
        return "";
      }
      return "?" + form(params, "request.queryString");
    }

    private static String form(JsonNode params, String path) throws Problem {
      return form(params, path, FormEncoding.PLUS);
    }

    /** {@code name=value} pairs joined by {@code &}, each part encoded as {@code how} says. */
    private static String form(JsonNode params, String path, FormEncoding how) throws Problem {
      StringBuilder sb = new StringBuilder();
      int i = 0;
      for (JsonNode param : params) {
        if (i > 0) {
          sb.append('&');
        }
        String at = path + "[" + i++ + "]";
        sb.append(how.encode(scalar(param.path("name"), at + ".name")));
        if (param.has("value")) {
          sb.append('=').append(how.encode(scalar(param.path("value"), at + ".value")));
        }
      }
      return sb.toString();
    }

    /** True when every param's name and value is a scalar (a JSON object or array is no form field). */
    private static boolean scalars(JsonNode params) {
      for (JsonNode param : params) {
        if (!param.isObject()
            || param.path("name").isContainerNode()
            || param.path("value").isContainerNode()) {
          return false;
        }
      }
      return true;
    }

    /** Already percent-encoded text: an escape, and nothing a form encoder would have escaped. */
    private static boolean looksEncoded(String form) {
      return form.matches("[A-Za-z0-9*\\-._~+%&=]*") && form.matches(".*%[0-9A-Fa-f]{2}.*");
    }

    private static long utf8Length(String s) {
      return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Any scalar as text (a number stays a number); a long string is refused. */
    private static String scalar(JsonNode n, String path) throws Problem {
      return n instanceof POJONode ? text(n, path) : n.asText();
    }

    /**
     * Decodes base64 text held as ASCII bytes, ignoring whitespace; {@code cut} text ends at an
     * arbitrary point, so only its whole 4-character groups are decoded.
     */
    private static byte[] base64(byte[] ascii, boolean cut, String path) throws Problem {
      int n = 0;
      for (byte b : ascii) {
        if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x0b) {
          ascii[n++] = b; // in place: the text is not needed afterwards
        }
      }
      if (cut) {
        n -= n % 4;
      }
      try {
        return Base64.getDecoder().decode(n == ascii.length ? ascii : Arrays.copyOf(ascii, n));
      } catch (IllegalArgumentException e) {
        throw new Problem(path, "invalid base64: " + e.getMessage());
      }
    }

    private static JsonNode object(JsonNode parent, String field, boolean required) throws Problem {
      JsonNode n = parent.get(field);
      if (n == null || n.isNull()) {
        if (required) {
          throw new Problem(field, "missing");
        }
        return null;
      }
      if (!n.isObject()) {
        throw new Problem(field, "expected an object");
      }
      return n;
    }

    private static String text(JsonNode parent, String path, boolean required) throws Problem {
      JsonNode n = parent.get(path.substring(path.lastIndexOf('.') + 1));
      if (n == null || n.isNull()) {
        if (required) {
          throw new Problem(path, "missing");
        }
        return null;
      }
      return text(n, path);
    }

    /** A string value; a long one that was cut is refused (only bodies may be cut). */
    private static String text(JsonNode n, String path) throws Problem {
      if (n instanceof POJONode pojo && pojo.getPojo() instanceof LongText t) {
        if (!t.cut().whole()) {
          throw new Problem(
              path,
              "a string of "
                  + t.cut().utf8Bytes()
                  + " bytes, longer than an import keeps outside bodies");
        }
        return new String(t.utf8(Long.MAX_VALUE), StandardCharsets.UTF_8);
      }
      if (!n.isTextual()) {
        throw new Problem(path, "expected a string");
      }
      return n.asText();
    }
  }

  /** Deterministic, so that importing the same HAR twice gives the same ids. */
  private static String derivedId(int index, String started, String method, String url) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(
          (index + "\n" + started + "\n" + method + "\n" + url).getBytes(StandardCharsets.UTF_8));
      return "har-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }

  /** A field problem in one entry. */
  private static final class Problem extends Exception {
    final String path;

    Problem(String path, String message) {
      super(message, null, false, false);
      this.path = path;
    }
  }

  /** The parts of an absolute http(s) URL that a recording keeps. */
  /**
   * The {@code Cookie} header of a HAR {@code cookies} array ({@code name=value; ...}), or null
   * when there is none, or an entry is not a plain name and value a header can carry.
   */
  static String cookieHeader(JsonNode cookies) {
    if (cookies == null || !cookies.isArray() || cookies.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode c : cookies) {
      JsonNode name = c.get("name");
      JsonNode value = c.get("value");
      if (name == null
          || !name.isTextual()
          || name.asText().isEmpty()
          || value == null
          || !value.isTextual()) {
        return null;
      }
      String n = name.asText();
      String v = value.asText();
      if (!token(n)
          || v.chars()
              .anyMatch(ch -> ch < 0x21 || ch == ';' || ch == 0x7f || ch > 0x7e && ch < 0xa0)) {
        return null;
      }
      sb.append(sb.length() == 0 ? "" : "; ").append(n).append('=').append(v);
    }
    return sb.toString();
  }

  /** The skip reason of an entry whose method is no HTTP token. */
  static final String BAD_METHOD = "invalid method (not an HTTP token)";

  /** True when {@code s} is an HTTP token (RFC 9110 tchar), as a method must be. */
  static boolean token(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /**
   * {@code target} with every character a request line cannot carry (non-ASCII, space, controls)
   * percent-encoded in UTF-8, as a browser sends it; what is already encoded stays as it is.
   */
  static String wireTarget(String target) {
    int i = 0;
    while (i < target.length() && target.charAt(i) > 0x20 && target.charAt(i) < 0x7f) {
      i++;
    }
    if (i == target.length()) {
      return target;
    }
    StringBuilder sb = new StringBuilder(target.length() + 16).append(target, 0, i);
    while (i < target.length()) {
      int cp = target.codePointAt(i);
      if (cp > 0x20 && cp < 0x7f) {
        sb.append((char) cp);
      } else {
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          sb.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
        }
      }
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  /** {@code host} (with its port) as a Host header carries it: an internationalised name in punycode. */
  static String asciiHost(String host) {
    if (host.chars().allMatch(c -> c < 0x80)) {
      return host;
    }
    int colon = host.lastIndexOf(':');
    String name = colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host;
    String port = name.length() < host.length() ? host.substring(name.length()) : "";
    try {
      return java.net.IDN.toASCII(name, java.net.IDN.ALLOW_UNASSIGNED) + port;
    } catch (IllegalArgumentException notAName) {
      return host; // kept: the replay's own host replaces it unless --keep-host
    }
  }

  record Url(String authority, String target) {
    /** The scheme of {@code url} in lower case ({@code data}, {@code wss}), or "" when it has none. */
    static String scheme(String url) {
      int colon = url.indexOf(':');
      if (colon <= 0 || colon > 32 || !Character.isLetter(url.charAt(0))) {
        return "";
      }
      for (int i = 1; i < colon; i++) {
        char c = url.charAt(i);
        if (!Character.isLetterOrDigit(c) && c != '+' && c != '-' && c != '.') {
          return "";
        }
      }
      return url.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    static Url parse(String url) {
      int scheme = url.indexOf("://");
      if (scheme <= 0) {
        return null;
      }
      String s = url.substring(0, scheme).toLowerCase();
      if (!s.equals("http") && !s.equals("https")) {
        return null;
      }
      int start = scheme + 3;
      int end = start;
      while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
        end++;
      }
      String authority = url.substring(start, end);
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        authority = authority.substring(at + 1); // user:password never reaches a recording
      }
      String rest = url.substring(end);
      int hash = rest.indexOf('#');
      if (hash >= 0) {
        rest = rest.substring(0, hash);
      }
      if (rest.isEmpty() || rest.charAt(0) == '?') {
        rest = "/" + rest;
      }
      return new Url(authority, rest);
    }
  }
}
