package dev.shadowtest.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Applies redaction to an exchange before anything of it is queued for disk: the default
 * credential headers plus {@link RedactionRules}. Values become {@code [REDACTED]}, or with a key
 * HMAC-SHA256 pseudonyms ({@code hmac:…}) so that equal secrets stay equal across exchanges
 * without being recoverable. A truncated JSON body cannot be redacted by path: when JSON paths are
 * configured its text is replaced as a whole. Thread-safe.
 */
public final class Redactor {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Headers whose values are URLs: their query parameters are redacted like the request target's. */
  private static final Set<String> URL_HEADERS = caseInsensitive("Referer", "Location", "Content-Location", "Link");

  private static Set<String> caseInsensitive(String... names) {
    Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    s.addAll(List.of(names));
    return s;
  }

  private final Set<String> headers = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  private final List<JsonPath> jsonPaths = new ArrayList<>();
  private final Set<String> queryParams;
  private final List<Pattern> patterns = new ArrayList<>();
  private final byte[] key;
  private final Redaction description;
  private final ThreadLocal<Mac> mac;

  /** {@code hmacKey}: null to mask with {@code [REDACTED]}. */
  public Redactor(RedactionRules rules, byte[] hmacKey) {
    headers.addAll(Redaction.DEFAULT_HEADERS);
    headers.addAll(rules.headers());
    rules.jsonPaths().forEach(p -> jsonPaths.add(JsonPath.parse(p)));
    queryParams = Set.copyOf(rules.queryParams());
    rules.patterns().forEach(p -> patterns.add(Pattern.compile(p)));
    key = hmacKey == null ? null : hmacKey.clone();
    mac = ThreadLocal.withInitial(this::newMac);
    List<String> names = new ArrayList<>(Redaction.DEFAULT_HEADERS);
    for (String h : rules.headers()) {
      if (names.stream().noneMatch(n -> n.equalsIgnoreCase(h))) {
        names.add(h);
      }
    }
    description = new Redaction(names, rules.jsonPaths(), rules.queryParams(), rules.patterns(), key != null);
  }

  /** What this redactor does, for the recording's header line. */
  public Redaction description() {
    return description;
  }

  public Exchange apply(Exchange e) {
    HttpRequest rq = e.request();
    Message q = message(rq.headers(), rq.body());
    HttpRequest request = new HttpRequest(rq.method(), target(rq.target()), rq.httpVersion(), q.headers(), q.body());
    HttpResponse rs = e.response();
    HttpResponse response = null;
    if (rs != null) {
      Message m = message(rs.headers(), rs.body());
      response = new HttpResponse(rs.status(), rs.reason(), m.headers(), m.body());
    }
    return new Exchange(e.id(), e.startedAt(), e.durationMicros(), request, response,
        e.error() == null ? null : text(e.error()), e.tags());
  }

  String mask(String value) {
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
    List<Headers.Field> out = new ArrayList<>(h.size());
    boolean changed = false;
    for (Headers.Field f : h) {
      String v = headers.contains(f.name()) ? mask(f.value())
          : URL_HEADERS.contains(f.name()) ? target(f.value()) : text(f.value());
      changed |= !v.equals(f.value());
      out.add(new Headers.Field(f.name(), v));
    }
    return changed ? Headers.of(out) : h;
  }

  private String target(String target) {
    int q = target.indexOf('?');
    String t = q < 0 || queryParams.isEmpty() ? target : target.substring(0, q + 1) + form(target.substring(q + 1));
    return text(t);
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
    String out = s;
    for (Pattern p : patterns) {
      out = p.matcher(out).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(mask(m.group())));
    }
    return out;
  }

  private boolean inspectsBodies() {
    return !jsonPaths.isEmpty() || !patterns.isEmpty() || !queryParams.isEmpty();
  }

  /**
   * A message with its body redacted. A body under Content-Encoding gzip/deflate is decoded first
   * (secrets hide in compressed bytes too) and kept decoded, without that header; a body that
   * cannot be read as text although its type is textual is replaced whole.
   */
  private record Message(Headers headers, Body body) {}

  private Message message(Headers h, Body b) {
    Headers headers = headers(h);
    if (!inspectsBodies() || b instanceof Body.None) {
      return new Message(headers, b);
    }
    String encoding = h.first("Content-Encoding").orElse("").strip().toLowerCase(Locale.ROOT);
    if (!encoding.isEmpty() && !encoding.equals("identity")) {
      byte[] decoded = b.truncated() ? null : decode(b.bytes(), encoding);
      if (decoded == null) {
        return new Message(headers, whole(b, "encoded body (" + encoding + ") that could not be decoded"));
      }
      b = Body.of(decoded);
      headers = headers.without("Content-Encoding");
    }
    if (b instanceof Body.Binary && textual(h)) {
      return new Message(headers, whole(b, "body that is not valid UTF-8"));
    }
    return new Message(headers, body(b, h));
  }

  private static boolean textual(Headers h) {
    String ct = h.first("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    return ct.isEmpty() || ct.contains("json") || ct.startsWith("text/") || ct.contains("xml") || ct.contains("form")
        || ct.contains("javascript");
  }

  private static Body whole(Body b, String what) {
    return new Body.Text(Redaction.REDACTED + " (" + what + ": redacted as a whole)", true, b.size());
  }

  private static byte[] decode(byte[] bytes, String encoding) {
    if (!dev.shadowtest.core.internal.ContentCoding.supported(encoding)) {
      return null;
    }
    try {
      return dev.shadowtest.core.internal.ContentCoding.decode(bytes, encoding, 64 << 20);
    } catch (IOException e) {
      return null;
    }
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
    text = text(text);
    return text.equals(t.text()) ? b : new Body.Text(text, t.truncated(), t.truncated() ? t.size() : -1);
  }

  /**
   * The body with configured paths masked in every JSON document it holds (one, or a sequence
   * such as NDJSON); unchanged text when nothing matched; null when it is not JSON.
   */
  private String jsonDocuments(String text) {
    List<JsonNode> docs = new ArrayList<>();
    try (com.fasterxml.jackson.databind.MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(text)) {
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
          o.set(f.getKey(), TextNode.valueOf(mask(f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString())));
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
          a.set(i, TextNode.valueOf(mask(a.get(i).isTextual() ? a.get(i).asText() : a.get(i).toString())));
          changed = true;
        } else {
          changed |= redact(a.get(i), location);
        }
        location.remove(location.size() - 1);
      }
    }
    return changed;
  }

  private boolean matches(List<Object> location) {
    for (JsonPath p : jsonPaths) {
      if (p.matches(location)) {
        return true;
      }
    }
    return false;
  }
}
