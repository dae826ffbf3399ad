package dev.shadowtest.core;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.shadowtest.core.internal.BoundedChars;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Applies redaction to an exchange before anything of it is queued for disk: the default
 * what a {@link Redaction} names (the credential headers by default, plus a {@code --redact} file). Values become {@code [REDACTED]}, or with a key
 * HMAC-SHA256 pseudonyms ({@code hmac:…}) so that equal secrets stay equal across exchanges
 * without being recoverable. A truncated JSON body cannot be redacted by path: when JSON paths are
 * configured its text is replaced as a whole. Thread-safe.
 *
 * <pre>{@code
 * Redactor r = new Redactor(Redaction.load(Path.of("redact.yaml")), key, config.maxBody());
 * Exchange safe = r.apply(exchange);            // a recording
 * String shown = r.redactText(difference);      // a run output, redacted alike
 * }</pre>
 *
 * <p>Bounded whatever the input:
 *
 * <ul>
 *   <li>A gzip/deflate body is decoded (secrets hide in compressed bytes too) to at most
 *       {@code maxBody} bytes: beyond, the decoded body is cut there and flagged truncated, with
 *       the decoded size seen so far (a lower bound) as its size, or, with JSON paths configured,
 *       replaced as a whole like any truncated JSON body.
 *   <li>A regex of {@code patterns} may read a value at most {@value BoundedChars#STEPS_PER_CHAR}
 *       times per character (at least {@value BoundedChars#MIN_STEPS} times): a pattern that
 *       backtracks catastrophically is abandoned there, and the value it ran on is masked as a
 *       whole (a body is replaced as a whole, a request target becomes {@code /} and the mask);
 *       {@link #patternOverruns()} counts these. So does a pattern that overflows the stack.
 *   <li>A JSON Web Token kept with its claims ({@link Redaction.Jwt}) is read only when it is at
 *       most {@value #MAX_JWT_CHARS} characters long; a longer value is masked whole.
 * </ul>
 *
 * <p>In a header of {@link Redaction#jwt()}, a JWS in compact form ({@code Bearer <jwt>}, any
 * case of the scheme, or a bare {@code <jwt>}) keeps its JOSE header as recorded and its claims
 * (re-encoded only when a sensitive claim was masked), and its signature becomes {@value
 * Redaction.Jwt#DROPPED_SIGNATURE}: {@code Bearer eyJhbGciOi….eyJzdWIiOi….REDACTED}. Any other
 * value there (another scheme, a JWE, anything that does not decode) is masked whole.
 */
public final class Redactor {

  /** Decoded body bytes kept when no limit is given: the recorder's default {@code --max-body}, 10 MiB. */
  public static final int DEFAULT_MAX_BODY = 10 * 1024 * 1024;

  /**
   * The longest header value read as a JSON Web Token (64 KiB); a longer one is masked whole. Real
   * tokens are a few kilobytes at most.
   */
  public static final int MAX_JWT_CHARS = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One JSON value and nothing after it: a JWT segment with trailing bytes is no JWT. */
  private static final ObjectReader JWT_SEGMENT =
      JSON.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Headers whose values are URLs: their query parameters are redacted like the request target's. */
  private static final List<String> URL_HEADERS =
      List.of("Referer", "Location", "Content-Location", "Link");

  private final HeaderNames headers;

  /**
   * Every header name redaction treats apart, looked up once per header: the JWT headers, then the
   * masked ones, then {@link #URL_HEADERS} (a name in two groups is treated as the first says);
   * {@link #treatment} gives each position's treatment.
   */
  private final HeaderNames special;

  private final byte[] treatment;
  private static final byte JWT = 0;
  private static final byte MASKED = 1;
  private static final byte URL = 2;
  private final Set<String> sensitiveClaims;
  private final List<JsonPath> jsonPaths = new ArrayList<>();
  private final Set<String> queryParams;
  private final List<Pattern> patterns = new ArrayList<>();
  private final byte[] key;
  private final Redaction description;
  private final ThreadLocal<Mac> mac;
  private final int maxBody;
  private final LongAdder patternOverruns = new LongAdder();

  /**
   * A redactor that decodes compressed bodies up to {@link #DEFAULT_MAX_BODY} bytes.
   * {@code hmacKey}: null to mask with {@code [REDACTED]}.
   */
  public Redactor(Redaction spec, RedactionKey hmacKey) {
    this(spec, hmacKey, DEFAULT_MAX_BODY);
  }

  /**
   * {@code hmacKey}: null to mask with {@code [REDACTED]}. {@code maxBody}: decoded bytes kept of a
   * compressed body (the recorder passes its {@code --max-body}); beyond, the body is cut and flagged.
   */
  public Redactor(Redaction spec, RedactionKey hmacKey, int maxBody) {
    if (maxBody < 0) {
      throw new BadInputException("maxBody must be 0 or more bytes, got " + maxBody);
    }
    this.maxBody = maxBody;
    headers = HeaderNames.of(spec.headers());
    HeaderNames jwtHeaders = HeaderNames.of(spec.jwt().headers());
    List<String> all = new ArrayList<>(jwtHeaders);
    all.addAll(headers);
    all.addAll(URL_HEADERS);
    special = HeaderNames.of(all);
    treatment = new byte[special.size()];
    int i = 0;
    for (String name : special) {
      treatment[i++] = jwtHeaders.contains(name) ? JWT : headers.contains(name) ? MASKED : URL;
    }
    sensitiveClaims = Set.copyOf(spec.jwt().sensitiveClaims());
    spec.jsonPaths().forEach(p -> jsonPaths.add(JsonPath.parse(p)));
    queryParams = Set.copyOf(spec.queryParams());
    spec.patterns().forEach(p -> patterns.add(Pattern.compile(p)));
    key = hmacKey == null ? null : hmacKey.bytes();
    mac = ThreadLocal.withInitial(this::newMac);
    description =
        new Redaction(
            spec.headers(),
            spec.jsonPaths(),
            spec.queryParams(),
            spec.patterns(),
            key != null,
            spec.jwt());
  }

  /** What this redactor does, for the recording's header line. */
  public Redaction description() {
    return description;
  }

  /**
   * Values and bodies masked as a whole because a pattern could not finish within its budget (or
   * overflowed the stack), since this redactor was made.
   */
  public long patternOverruns() {
    return patternOverruns.sum();
  }

  /** The exchange as it may be kept: headers, target, bodies and error redacted. */
  public Exchange apply(Exchange e) {
    HttpRequest rq = e.request();
    Message q = message(rq.headers(), rq.body());
    HttpRequest request =
        new HttpRequest(rq.method(), target(rq.target()), rq.httpVersion(), q.headers(), q.body());
    HttpResponse rs = e.response();
    HttpResponse response = null;
    if (rs != null) {
      Message m = message(rs.headers(), rs.body());
      response = new HttpResponse(rs.status(), rs.reason(), m.headers(), m.body());
    }
    return new Exchange(
        e.id(),
        e.startedAt(),
        e.durationMicros(),
        request,
        response,
        e.error() == null ? null : text(e.error()),
        e.tags());
  }

  /**
   * True when the values of header {@code name} are masked, in any case: the default credential
   * headers ({@link Redaction#DEFAULT_HEADERS}) and the configured ones.
   */
  public boolean redactsHeader(String name) {
    return headers.contains(name);
  }

  /**
   * True when the JSON value at {@code location} is masked because a configured JSON path matches
   * it or one of its ancestors (a masked object hides everything below it). Location elements are
   * {@link String} member names and {@link Integer} array indices, as {@link JsonPath#matches}
   * takes them.
   */
  public boolean redactsPath(List<?> location) {
    return matches(location);
  }

  /**
   * {@code text} with every match of the configured patterns masked, as {@link #apply} does to
   * header values and text bodies; the whole text masked when a pattern runs over its budget.
   * Null stays null.
   */
  public String redactText(String text) {
    return text == null ? null : text(text);
  }

  /**
   * A request target ({@code /a?token=x}) or a URL with the values of the configured query
   * parameters masked, then the patterns applied, as {@link #apply} does to request targets and
   * to {@code Referer}, {@code Location}, {@code Content-Location} and {@code Link} headers. Null
   * stays null.
   */
  public String redactTarget(String target) {
    return target == null ? null : target(target);
  }

  /**
   * What a redacted value becomes: {@code [REDACTED]}, or with a key its pseudonym
   * {@code hmac:} and 22 base64url characters of its HMAC-SHA256 (equal values, equal pseudonyms).
   */
  public String mask(String value) {
    Objects.requireNonNull(value, "value");
    if (key == null) {
      return Redaction.REDACTED;
    }
    byte[] h = mac.get().doFinal(value.getBytes(StandardCharsets.UTF_8));
    return "hmac:" + Base64.getUrlEncoder().withoutPadding().encodeToString(h).substring(0, 22);
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private Headers headers(Headers h) {
    List<Headers.Field> out = null; // copied from the first field that changes: most do not
    int i = 0;
    for (Headers.Field f : h) {
      int at = special.indexOf(f.name());
      String v =
          at < 0
              ? text(f.value())
              : switch (treatment[at]) {
                case JWT -> jwt(f.value());
                case MASKED -> mask(f.value());
                default -> target(f.value());
              };
      if (out == null && !v.equals(f.value())) {
        out = new ArrayList<>(h.size());
        for (Headers.Field before : h) {
          if (out.size() == i) {
            break;
          }
          out.add(before);
        }
      }
      if (out != null) {
        out.add(v.equals(f.value()) ? f : new Headers.Field(f.name(), v));
      }
      i++;
    }
    return out == null ? h : Headers.of(out);
  }

  /**
   * {@code value} with its JWT kept ({@code Bearer <header>.<claims>.REDACTED}, sensitive claims
   * masked), or masked whole when it holds no JWS in compact form (no silent leak: a value that
   * only looks like a token is still a credential).
   */
  private String jwt(String value) {
    if (value.length() > MAX_JWT_CHARS) {
      return mask(value);
    }
    int start = 0;
    if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      start = 7;
      while (start < value.length() && value.charAt(start) == ' ') {
        start++;
      }
    }
    int first = value.indexOf('.', start);
    int second = first < 0 ? -1 : value.indexOf('.', first + 1);
    if (second < 0 || value.indexOf('.', second + 1) >= 0) {
      return mask(value); // not three segments (a JWE has five)
    }
    String header = value.substring(start, first);
    String claims = value.substring(first + 1, second);
    if (!base64url(header) || !base64url(claims) || !base64url(value.substring(second + 1))) {
      return mask(value);
    }
    JsonNode h = segment(header);
    JsonNode c = segment(claims);
    if (!(h instanceof ObjectNode) || !h.path("alg").isTextual() || !(c instanceof ObjectNode o)) {
      return mask(value);
    }
    boolean changed = false;
    for (String name : sensitiveClaims) {
      JsonNode v = o.get(name);
      if (v != null) {
        o.set(name, TextNode.valueOf(mask(v.isTextual() ? v.asText() : v.toString())));
        changed = true;
      }
    }
    String kept = claims;
    if (changed) {
      try {
        kept = Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(o));
      } catch (IOException e) {
        return mask(value);
      }
    }
    return value.substring(0, first + 1) + kept + "." + Redaction.Jwt.DROPPED_SIGNATURE;
  }

  /** True when {@code s} is base64url without padding ({@code A-Z a-z 0-9 - _}, a valid length). */
  private static boolean base64url(String s) {
    if (s.length() % 4 == 1) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (!(ch >= 'A' && ch <= 'Z'
          || ch >= 'a' && ch <= 'z'
          || ch >= '0' && ch <= '9'
          || ch == '-'
          || ch == '_')) {
        return false;
      }
    }
    return true;
  }

  /** The JSON value a non-empty base64url segment decodes to; null when it does not. */
  private static JsonNode segment(String base64url) {
    if (base64url.isEmpty()) {
      return null;
    }
    try {
      return JWT_SEGMENT.readTree(Base64.getUrlDecoder().decode(base64url));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private String target(String target) {
    int q = target.indexOf('?');
    String t =
        q < 0 || queryParams.isEmpty()
            ? target
            : target.substring(0, q + 1) + form(target.substring(q + 1));
    // masked whole, an origin-form target stays one (a replay can still send it)
    return text(
        t,
        whole ->
            whole.startsWith("/")
                ? "/" + URLEncoder.encode(mask(whole), StandardCharsets.UTF_8)
                : mask(whole));
  }

  /** {@code a=1&token=x}: the values of configured names masked. */
  private String form(String query) {
    StringBuilder out = new StringBuilder();
    for (String pair : query.split("&", -1)) {
      if (out.length() > 0) {
        out.append('&');
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String decoded;
      try {
        decoded = URLDecoder.decode(name, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        decoded = name;
      }
      if (eq >= 0 && queryParams.contains(decoded)) {
        String value;
        try {
          value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          value = pair.substring(eq + 1);
        }
        out.append(name).append('=').append(URLEncoder.encode(mask(value), StandardCharsets.UTF_8));
      } else {
        out.append(pair);
      }
    }
    return out.toString();
  }

  private String text(String s) {
    return text(s, this::mask);
  }

  /** The patterns applied to {@code s}; {@code whole} of it when one of them cannot finish (counted). */
  private String text(String s, UnaryOperator<String> whole) {
    try {
      return patterns(s);
    } catch (BoundedChars.OverBudget | StackOverflowError e) {
      patternOverruns.increment();
      return whole.apply(s);
    }
  }

  /** @throws BoundedChars.OverBudget when a pattern backtracks beyond its budget */
  private String patterns(String s) {
    String out = s;
    for (Pattern p : patterns) {
      out =
          p.matcher(BoundedChars.of(out))
              .replaceAll(m -> Matcher.quoteReplacement(mask(m.group())));
    }
    return out;
  }

  private boolean inspectsBodies() {
    return !jsonPaths.isEmpty() || !patterns.isEmpty() || !queryParams.isEmpty();
  }

  /**
   * A message with its body redacted. A body under Content-Encoding gzip/deflate is decoded first
   * (secrets hide in compressed bytes too, up to {@code maxBody} decoded bytes) and kept decoded,
   * without that header; a body that cannot be read as text although its type is textual is
   * replaced whole.
   */
  private record Message(Headers headers, Body body) {}

  private Message message(Headers h, Body b) {
    Headers headers = headers(h);
    if (!inspectsBodies() || b instanceof Body.None || b instanceof Body.NotCaptured) {
      return new Message(headers, b);
    }
    String encoding = h.first("Content-Encoding").orElse("").strip().toLowerCase(Locale.ROOT);
    if (!encoding.isEmpty() && !encoding.equals("identity")) {
      Body decoded = b.truncated() ? null : decode(b.bytes(), encoding);
      if (decoded == null) {
        return new Message(
            headers, whole(b, "encoded body (" + encoding + ") that could not be decoded"));
      }
      b = decoded;
      headers = headers.without("Content-Encoding");
    }
    if (b instanceof Body.Binary && textual(h)) {
      return new Message(headers, whole(b, "body that is not valid UTF-8"));
    }
    return new Message(headers, body(b, h));
  }

  private static boolean textual(Headers h) {
    String ct = h.first("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    return ct.isEmpty()
        || ct.contains("json")
        || ct.startsWith("text/")
        || ct.contains("xml")
        || ct.contains("form")
        || ct.contains("javascript");
  }

  private static Body whole(Body b, String what) {
    return new Body.Text(
        Redaction.REDACTED + " (" + what + ": redacted as a whole)", true, b.size());
  }

  /** The decoded body, cut and flagged beyond {@code maxBody} decoded bytes; null when it cannot be decoded. */
  private Body decode(byte[] bytes, String encoding) {
    if (!ContentCoding.supported(encoding)) {
      return null;
    }
    ContentCoding.Prefix p;
    try {
      p = ContentCoding.decodePrefix(bytes, encoding, maxBody);
    } catch (IOException e) {
      return null;
    }
    if (p.complete()) {
      return Body.of(p.bytes());
    }
    // a character cut in two at the limit is left out, so that a text body stays text
    return Body.of(Arrays.copyOf(p.bytes(), completeUtf8(p.bytes())), p.decoded());
  }

  /** The length of {@code b} without a UTF-8 sequence cut off at its end. */
  static int completeUtf8(byte[] b) {
    int i = b.length - 1;
    int continuation = 0;
    while (i >= 0 && continuation < 3 && (b[i] & 0xC0) == 0x80) {
      i--;
      continuation++;
    }
    if (i < 0) {
      return b.length;
    }
    int lead = b[i] & 0xFF;
    int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return length > continuation + 1 ? i : b.length;
  }

  private Body body(Body b, Headers h) {
    if (!(b instanceof Body.Text t)) {
      return b; // binary content types: patterns apply to text only
    }
    String text = t.text();
    String ct = h.first("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    String trimmed = text.stripLeading();
    boolean json = ct.contains("json") || trimmed.startsWith("{") || trimmed.startsWith("[");
    if (!jsonPaths.isEmpty() && json) {
      if (t.truncated()) {
        // cut JSON cannot be parsed, so paths cannot be found in it: nothing of it is kept
        return whole(b, "truncated JSON body");
      }
      String redacted = jsonDocuments(text);
      if (redacted == null && (ct.contains("json") || trimmed.startsWith("{"))) {
        return whole(b, "JSON body that could not be parsed");
      }
      if (redacted != null) {
        text = redacted;
      }
    }
    if (!queryParams.isEmpty() && ct.contains("application/x-www-form-urlencoded")) {
      text = form(text);
    }
    try {
      text = patterns(text);
    } catch (BoundedChars.OverBudget | StackOverflowError e) {
      patternOverruns.increment();
      return whole(b, "text on which a redaction pattern ran over its budget");
    }
    return text.equals(t.text())
        ? b
        : new Body.Text(text, t.truncated(), t.truncated() ? t.size() : -1);
  }

  /**
   * The body with configured paths masked in every JSON document it holds (one, or a sequence
   * such as NDJSON); unchanged text when nothing matched; null when it is not JSON.
   */
  private String jsonDocuments(String text) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNextValue()) {
        docs.add(it.nextValue());
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    boolean changed = false;
    for (JsonNode d : docs) {
      changed |= redact(d, new ArrayList<>());
    }
    if (!changed) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    try {
      for (JsonNode d : docs) {
        out.append(out.length() == 0 ? "" : "\n").append(JSON.writeValueAsString(d));
      }
    } catch (IOException e) {
      return null;
    }
    return out.toString();
  }

  /** Masks the values at configured paths under {@code node}; true when something changed. */
  private boolean redact(JsonNode node, List<Object> location) {
    boolean changed = false;
    if (node instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
      it.forEachRemaining(entries::add);
      for (Map.Entry<String, JsonNode> f : entries) {
        location.add(f.getKey());
        if (matches(location)) {
          o.set(
              f.getKey(),
              TextNode.valueOf(
                  mask(
                      f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString())));
          changed = true;
        } else {
          changed |= redact(f.getValue(), location);
        }
        location.remove(location.size() - 1);
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        location.add(i);
        if (matches(location)) {
          a.set(
              i,
              TextNode.valueOf(
                  mask(a.get(i).isTextual() ? a.get(i).asText() : a.get(i).toString())));
          changed = true;
        } else {
          changed |= redact(a.get(i), location);
        }
        location.remove(location.size() - 1);
      }
    }
    return changed;
  }

  private boolean matches(List<?> location) {
    for (JsonPath p : jsonPaths) {
      if (p.matches(location)) {
        return true;
      }
    }
    return false;
  }
}
