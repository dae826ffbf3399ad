package dev.shadowtest.diff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.diff.Transforms.Actions;
import dev.shadowtest.diff.Transforms.Capture;
import dev.shadowtest.diff.Transforms.Entry;
import dev.shadowtest.diff.Transforms.Place;
import dev.shadowtest.diff.Transforms.Replace;
import dev.shadowtest.diff.Transforms.Resign;
import dev.shadowtest.diff.Transforms.Target;
import dev.shadowtest.diff.Transforms.TimeShift;
import dev.shadowtest.diff.Transforms.Use;
import dev.shadowtest.diff.internal.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@link Transforms} of one run: secrets resolved and signing keys loaded when it starts
 * (errors name the rules file, the line and the key), the run's time offset, and the values
 * captured per session and target for chaining. Thread-safe; exchanges of one session must be
 * prepared and captured in order (the caller sends them one at a time).
 *
 * <pre>{@code
 * TransformRun run = TransformRun.start(rules.transforms(), System::getenv, offset);
 * String session = run.sessionOf(exchange.request());
 * TransformRun.Prepared p = run.prepare(exchange.request(), Transforms.Target.CANDIDATE, session);
 * if (p.failure() != null) { ... an error of this exchange, nothing is sent ... }
 * TransformRun.Captured c = run.capture(exchange, Transforms.Target.CANDIDATE, answer, session);
 * }</pre>
 */
public final class TransformRun {

  /** Sessions whose captured values are kept; the least recently used beyond are forgotten. */
  static final int MAX_SESSIONS = 100_000;

  /** Captured values kept per session (all names and targets together); the oldest beyond are forgotten. */
  static final int MAX_VALUES_PER_SESSION = 4_096;

  /** Characters of captured values (and their keys) kept over all sessions; the least recently used sessions beyond are forgotten. */
  static final long MAX_TOTAL_CHARS = 32L << 20;

  /** A captured value's length limit: ids and tokens, not documents. */
  static final int MAX_VALUE_CHARS = 4_096;

  /** A secret file's size limit ({@code ${file:PATH}}). */
  static final long MAX_SECRET_BYTES = 64 << 10;

  /** Bodies decoded for capture at most this long. */
  static final int MAX_DECODED = 16 << 20;

  private static final Pattern SECRET = Pattern.compile("\\$\\{(env|file):([^}]*)}");

  /**
   * A target's request as transformed.
   *
   * @param request what to send (the given request itself when nothing applied)
   * @param applied what was done, one entry per transform that changed something: its kind
   *     ({@code path}, {@code renameQuery}, {@code replace}, {@code removeHeader}, {@code
   *     setHeader}, {@code shiftTime}, {@code resignJwt}, {@code use}) then what it changed
   * @param failure why the request cannot be sent (nothing is sent then), or null
   * @param shownTarget the target to show in results and reports: the one sent, except that values
   *     chained into it ({@code use}) are left as recorded (captured values are never written)
   */
  public record Prepared(
      HttpRequest request, List<String> applied, String failure, String shownTarget) {
    public Prepared {
      applied = List.copyOf(applied);
    }

    Prepared(HttpRequest request, List<String> applied, String failure) {
      this(request, applied, failure, request.target());
    }

    /** The request with {@link #shownTarget}: what results show of what was sent. */
    public HttpRequest shown() {
      return shownTarget.equals(request.target())
          ? request
          : new HttpRequest(
              request.method(),
              shownTarget,
              request.httpVersion(),
              request.headers(),
              request.body());
    }
  }

  /**
   * What capturing from one target's answer did.
   *
   * @param applied {@code capture NAME} per value captured
   * @param failures why a value could not be captured, per capture that failed
   */
  public record Captured(List<String> applied, List<String> failures) {
    static final Captured NONE = new Captured(List.of(), List.of());

    public Captured {
      applied = List.copyOf(applied);
      failures = List.copyOf(failures);
    }
  }

  /** Why one transform of one request failed: the exchange is an error with this reason. */
  static class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  /** A value to capture that is not in an answer at all (as opposed to one that cannot be read). */
  static final class Absent extends Failure {
    Absent(String message) {
      super(message);
    }
  }

  private final Transforms transforms;
  private final Duration offset;

  /** Calendar days (UTC) between the recording's start and now: what a date without a time moves by. */
  private final long offsetDays;

  private final Clock clock;

  /** Per Actions (identity): setHeaders with secrets resolved. */
  private final Map<Actions, Map<String, String>> headerValues = new HashMap<>();

  /** Per Resign (identity): its signer. */
  private final Map<Resign, Signing> signers = new HashMap<>();

  /** One session's captured values (key: target, name, recorded value), with their size in characters. */
  private static final class Values {
    final LinkedHashMap<String, String> map = new LinkedHashMap<>();
    long chars;
  }

  /** Captured values per session, least recently used first; guarded by itself. */
  private final LinkedHashMap<String, Values> sessions = new LinkedHashMap<>(16, 0.75f, true);

  /** Characters held in {@link #sessions}; guarded by it. */
  private long totalChars;

  private final AtomicLong forgotten = new AtomicLong();

  private record Signing(JWSAlgorithm algorithm, JWSSigner signer) {}

  private TransformRun(Transforms transforms, Duration offset, long offsetDays, Clock clock) {
    this.transforms = transforms;
    this.offset = offset;
    this.offsetDays = offsetDays;
    this.clock = clock;
  }

  /**
   * Starts a run: resolves every {@code ${env:NAME}} and {@code ${file:PATH}} with {@code env}
   * and loads every signing key.
   *
   * @param offset what timestamps are moved by ({@code shiftTime}): the replay's start minus the
   *     first exchange's start; zero for a live mirror
   * @throws RulesException for a secret that is not there or a key that cannot sign
   */
  public static TransformRun start(
      Transforms transforms, Function<String, String> env, Duration offset) {
    return start(transforms, env, offset, Clock.systemUTC());
  }

  static TransformRun start(
      Transforms transforms, Function<String, String> env, Duration offset, Clock clock) {
    TransformRun run = new TransformRun(transforms, offset, offset.toDays(), clock);
    for (Entry e : transforms.entries()) {
      e.actions()
          .forEach(
              (scope, a) -> {
                Map<String, String> values = new LinkedHashMap<>();
                a.setHeaders()
                    .forEach(
                        (name, template) -> {
                          String where = "transforms." + scope + ".setHeaders." + name;
                          int line = a.lines().getOrDefault(name, e.line());
                          values.put(name, run.resolve(template, env, line, where));
                        });
                run.headerValues.put(a, values);
                if (a.resignJwt() != null) {
                  run.signers.put(a.resignJwt(), run.signer(a.resignJwt(), env, scope));
                }
              });
    }
    return run;
  }

  /**
   * Sessions whose captured values were forgotten: more than {@link #MAX_SESSIONS} sessions, or
   * more than {@link #MAX_TOTAL_CHARS} characters of values, were held.
   */
  public long forgottenSessions() {
    return forgotten.get();
  }

  /**
   * This run with another time offset (secrets and keys as resolved; no value captured yet): a
   * replay knows its offset when its first exchange is sent; {@code recordedStart} is that
   * exchange's start (null when unknown), which tells how many calendar days dates move.
   */
  public TransformRun withOffset(Duration by, Instant recordedStart) {
    long days =
        recordedStart == null
            ? by.toDays()
            : ChronoUnit.DAYS.between(
                recordedStart.atOffset(ZoneOffset.UTC).toLocalDate(),
                clock.instant().atOffset(ZoneOffset.UTC).toLocalDate());
    TransformRun r = new TransformRun(transforms, by, days, clock);
    r.headerValues.putAll(headerValues);
    r.signers.putAll(signers);
    return r;
  }

  /** True when the rules transform nothing: every request is sent as recorded. */
  public boolean isEmpty() {
    return transforms.isEmpty();
  }

  /** True when exchanges chain values ({@code capture}, {@code use}): sessions go in order. */
  public boolean chains() {
    return transforms.chains();
  }

  /** True when some entry captures values from answers. */
  public boolean capturing() {
    return transforms.captures();
  }

  /** The time offset timestamps are moved by. */
  public Duration offset() {
    return offset;
  }

  // ---- secrets and keys --------------------------------------------------------------------

  private String resolve(String template, Function<String, String> env, int line, String where) {
    Matcher m = SECRET.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(2);
      String value;
      if (m.group(1).equals("env")) {
        value = name.isEmpty() ? null : env.apply(name);
        if (value == null || value.isEmpty()) {
          throw new RulesException(
              transforms.source(),
              line,
              where,
              "the environment variable " + name + " is not set (or empty)");
        }
      } else {
        value = secretFile(Path.of(name), line, where);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String secretFile(Path file, int line, String where) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new RulesException(
            transforms.source(), line, where, file + ": no such file (or not a regular file)");
      }
      if (Files.size(file) > MAX_SECRET_BYTES) {
        throw new RulesException(
            transforms.source(), line, where, file + ": larger than 64 KiB, not a secret");
      }
      String s = Files.readString(file);
      return s.strip();
    } catch (IOException e) {
      throw new RulesException(
          transforms.source(), line, where, file + ": cannot read: " + e.getMessage());
    }
  }

  private Signing signer(Resign r, Function<String, String> env, String scope) {
    String where = "transforms." + scope + ".resignJwt";
    JWSAlgorithm alg = JWSAlgorithm.parse(r.algorithm());
    try {
      JWSSigner signer;
      if (alg.equals(JWSAlgorithm.HS256)) {
        byte[] secret =
            resolve(r.key(), env, r.line(), where + ".key").getBytes(StandardCharsets.UTF_8);
        if (secret.length < 32) {
          throw new RulesException(
              transforms.source(),
              r.line(),
              where + ".key",
              "HS256 needs a secret of at least 32 bytes (256 bits), got "
                  + secret.length
                  + " bytes");
        }
        signer = new MACSigner(secret);
      } else {
        PrivateKey key = privateKey(Path.of(r.keyFile()), alg, r.line(), where + ".keyFile");
        signer =
            alg.equals(JWSAlgorithm.RS256)
                ? new RSASSASigner(key)
                : new ECDSASigner((ECPrivateKey) key);
      }
      // one signature now: a key that cannot sign with this algorithm is an error before any
      // request is sent
      new JWSObject(new JWSHeader(alg), new Payload("{}")).sign(signer);
      return new Signing(alg, signer);
    } catch (JOSEException | ClassCastException e) {
      throw new RulesException(
          transforms.source(),
          r.line(),
          where,
          "cannot sign " + r.algorithm() + " with this key: " + e.getMessage());
    }
  }

  private PrivateKey privateKey(Path file, JWSAlgorithm alg, int line, String where) {
    String pem = secretFile(file, line, where);
    if (pem.contains("ENCRYPTED PRIVATE KEY")
        || pem.contains("BEGIN RSA PRIVATE KEY")
        || pem.contains("BEGIN EC PRIVATE KEY")) {
      throw new RulesException(
          transforms.source(),
          line,
          where,
          file
              + ": expected an unencrypted PKCS#8 key (BEGIN PRIVATE KEY); convert it with"
              + " openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
    }
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new RulesException(
          transforms.source(), line, where, file + ": no PEM block BEGIN PRIVATE KEY");
    }
    try {
      byte[] der =
          Base64.getMimeDecoder().decode(pem.substring(begin + 27, end).replaceAll("\\s", ""));
      String family = alg.equals(JWSAlgorithm.RS256) ? "RSA" : "EC";
      return KeyFactory.getInstance(family).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new RulesException(
          transforms.source(),
          line,
          where,
          file + ": not a " + alg + " private key (" + e.getMessage() + ")");
    }
  }

  // ---- sessions --------------------------------------------------------------------------------

  /**
   * The session of a request: the value of {@code sessions.key} in it, or null without a key or
   * when the request has none.
   */
  public String sessionOf(HttpRequest request) {
    Place key = transforms.sessionKey();
    if (key == null) {
      return null;
    }
    List<String> values = values(request, null, key);
    return values.isEmpty() ? null : values.get(0);
  }

  // ---- preparing a request -----------------------------------------------------------------

  /**
   * {@code request} as {@code target} is sent it: the values chained into it ({@code use}), then
   * per applying entry the actions of {@code all:} and of the target's scope.
   *
   * @param session the request's session ({@link #sessionOf}), or null
   */
  public Prepared prepare(HttpRequest request, Target target, String session) {
    if (transforms.isEmpty()) {
      return new Prepared(request, List.of(), null);
    }
    List<Entry> entries = transforms.entriesFor(request.method(), request.target());
    if (entries.isEmpty()) {
      return new Prepared(request, List.of(), null);
    }
    List<String> applied = new ArrayList<>();
    HttpRequest r = request;
    try {
      for (Entry e : entries) {
        for (Use u : e.use()) {
          r = use(r, e, u, target, session, applied);
        }
      }
      boolean chained = r != request;
      r = actions(r, entries, target, applied);
      String shown = r.target();
      if (chained && !shown.equals(request.target())) {
        // what the target is shown as: the same transforms without the chained values
        try {
          shown = actions(request, entries, target, new ArrayList<>()).target();
        } catch (Failure f) {
          shown = request.target();
        }
      }
      return new Prepared(r, applied, null, shown);
    } catch (Failure f) {
      return new Prepared(request, applied, f.getMessage());
    } catch (RuntimeException e) {
      // a bug of Shadow's own, or an input nothing foresaw: an error of this exchange, never a
      // crash of the run and never a send of the original
      return new Prepared(request, applied, "could not be applied: " + e);
    }
  }

  private HttpRequest actions(
      HttpRequest r, List<Entry> entries, Target target, List<String> applied) {
    for (Entry e : entries) {
      Actions all = e.actions().get(Entry.ALL);
      if (all != null) {
        r = apply(r, e, all, applied);
      }
      Actions mine = e.actions().get(target.label());
      if (mine != null) {
        r = apply(r, e, mine, applied);
      }
    }
    return r;
  }

  private HttpRequest use(
      HttpRequest r, Entry e, Use u, Target target, String session, List<String> applied) {
    return noted(
        r,
        e,
        u.at(),
        recorded -> {
          String v = session == null ? null : lookup(session, key(target, u.name(), recorded));
          if (v == null) {
            throw new Failure(
                "use "
                    + u.name()
                    + " at "
                    + u.at()
                    + ": no value captured for "
                    + (u.at().kind() == Place.Kind.PATH || u.at().kind() == Place.Kind.QUERY
                        ? "\"" + clip(recorded) + "\" "
                        : "the recorded value (not repeated: it may be a credential) ")
                    + (session == null
                        ? "(the request has no session key " + transforms.sessionKey() + ")"
                        : "in this session (the exchange that created it was not replayed,"
                            + " came later, or its capture failed)")
                    + " for the "
                    + target.label());
          }
          return v;
        },
        "use " + u.name() + " at " + u.at(),
        applied);
  }

  private HttpRequest apply(HttpRequest r, Entry e, Actions a, List<String> applied) {
    // edits at a path parameter first: the match finds the parameter, which a path rewrite moves
    for (Replace rep : a.replace()) {
      if (atParameter(rep.in())) {
        r = replace(r, e, rep, applied);
      }
    }
    for (TimeShift t : a.shiftTime()) {
      if (atParameter(t.at())) {
        r = shiftTime(r, e, t, applied);
      }
    }
    if (a.path() != null || !a.renameQuery().isEmpty()) {
      String t = Transforms.rewrite(e.match(), a, r.target());
      if (!t.equals(r.target())) {
        if (a.path() != null) {
          applied.add("path " + a.path());
        }
        if (!a.renameQuery().isEmpty()) {
          applied.add("renameQuery " + String.join(",", a.renameQuery().keySet()));
        }
        r = withTarget(r, t);
      }
    }
    for (Replace rep : a.replace()) {
      if (!atParameter(rep.in())) {
        r = replace(r, e, rep, applied);
      }
    }
    for (String h : a.removeHeaders()) {
      if (r.headers().contains(h)) {
        r = r.withHeaders(r.headers().without(h));
        applied.add("removeHeader " + h);
      }
    }
    Map<String, String> set = headerValues.get(a);
    if (set != null) {
      for (Map.Entry<String, String> h : set.entrySet()) {
        r = r.withHeaders(r.headers().without(h.getKey()).with(h.getKey(), h.getValue()));
        applied.add("setHeader " + h.getKey());
      }
    }
    for (TimeShift t : a.shiftTime()) {
      if (!atParameter(t.at())) {
        r = shiftTime(r, e, t, applied);
      }
    }
    if (a.resignJwt() != null) {
      r = resign(r, a.resignJwt());
      applied.add("resignJwt " + a.resignJwt().header());
    }
    return r;
  }

  private static boolean atParameter(Place p) {
    return p.kind() == Place.Kind.PATH && p.name() != null;
  }

  private static HttpRequest replace(HttpRequest r, Entry e, Replace rep, List<String> applied) {
    return noted(
        r,
        e,
        rep.in(),
        v -> rep.regex().matcher(v).replaceAll(rep.with()),
        "replace in " + rep.in(),
        applied);
  }

  private HttpRequest shiftTime(HttpRequest r, Entry e, TimeShift t, List<String> applied) {
    return noted(
        r,
        e,
        t.at(),
        v -> shift(v, t.epoch(), offset, offsetDays, t.at()),
        "shiftTime at " + t.at(),
        applied);
  }

  /** {@link #edit}, and {@code note} added to {@code applied} when a value changed. */
  private static HttpRequest noted(
      HttpRequest r, Entry e, Place p, UnaryOperator<String> f, String note, List<String> applied) {
    boolean[] changed = new boolean[1];
    HttpRequest out =
        edit(
            r,
            e,
            p,
            v -> {
              String n = f.apply(v);
              changed[0] |= !n.equals(v);
              return n;
            });
    if (changed[0]) {
      applied.add(note);
    }
    return out;
  }

  private static HttpRequest withTarget(HttpRequest r, String target) {
    return new HttpRequest(r.method(), target, r.httpVersion(), r.headers(), r.body());
  }

  // ---- JWT ---------------------------------------------------------------------------------

  private HttpRequest resign(HttpRequest r, Resign spec) {
    String value = r.headers().first(spec.header()).orElse(null);
    if (value == null) {
      throw new Failure("resignJwt: the request has no " + spec.header() + " header");
    }
    String scheme = "";
    String token = value.strip();
    int sp = token.indexOf(' ');
    if (sp > 0) {
      scheme = token.substring(0, sp + 1);
      token = token.substring(sp + 1).strip();
    }
    String[] parts = token.split("\\.", -1);
    JsonNode head;
    JsonNode claims;
    try {
      if (parts.length != 3) {
        throw new IllegalArgumentException();
      }
      head = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[0]));
      claims = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IOException | IllegalArgumentException e) {
      head = null;
      claims = null;
    }
    if (head == null || !head.isObject() || claims == null || !claims.isObject()) {
      throw new Failure(
          "resignJwt: the recorded "
              + spec.header()
              + " is not a JWT with readable claims (default redaction replaces it whole: record"
              + " with --keep-jwt-claims)");
    }
    Signing signing = signers.get(spec);
    ObjectNode c = ((ObjectNode) claims).deepCopy();
    long now = clock.instant().getEpochSecond();
    long lifetime = spec.lifetime().getSeconds();
    if (c.path("exp").isNumber() && c.path("iat").isNumber()) {
      long recorded = c.get("exp").asLong() - c.get("iat").asLong();
      if (recorded > 0) {
        lifetime = recorded;
      }
    }
    if (c.has("iat")) {
      c.put("iat", now);
    }
    if (c.has("nbf")) {
      c.put("nbf", now);
    }
    c.put("exp", now + lifetime);
    JWSHeader.Builder header = new JWSHeader.Builder(signing.algorithm());
    if (head.path("typ").isTextual()) {
      header.type(new JOSEObjectType(head.get("typ").asText()));
    }
    if (head.path("kid").isTextual()) {
      header.keyID(head.get("kid").asText());
    }
    try {
      JWSObject jws = new JWSObject(header.build(), new Payload(Json.MAPPER.writeValueAsString(c)));
      jws.sign(signing.signer());
      return r.withHeaders(
          r.headers().without(spec.header()).with(spec.header(), scheme + jws.serialize()));
    } catch (JOSEException | JsonProcessingException e) {
      throw new Failure("resignJwt: cannot sign: " + e.getMessage());
    }
  }

  // ---- time shift --------------------------------------------------------------------------

  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm");

  /**
   * {@code v} moved by {@code by}: an epoch number in {@code unit}, or ISO-8601 text when null; a
   * date without a time moves by {@code days} (the calendar days between the recording's start
   * and now).
   */
  static String shift(String v, ChronoUnit unit, Duration by, long days, Place at) {
    String s = v.strip();
    if (s.isEmpty()) {
      return v;
    }
    if (unit != null) {
      try {
        long n = Long.parseLong(s);
        long delta = unit == ChronoUnit.MILLIS ? by.toMillis() : by.getSeconds();
        return Long.toString(Math.addExact(n, delta));
      } catch (NumberFormatException | ArithmeticException e) {
        throw new Failure(
            "shiftTime at "
                + at
                + ": the value is not an epoch number in "
                + (unit == ChronoUnit.MILLIS ? "milliseconds" : "seconds"));
      }
    }
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).plusDays(days).toString();
      }
      int fraction = fractionDigits(s);
      boolean seconds = s.length() > 16 && s.charAt(16) == ':';
      String tail = zoneOf(s);
      if (tail.isEmpty()) {
        LocalDateTime t = LocalDateTime.parse(s).plus(by);
        return render(t, seconds, fraction) + tail;
      }
      OffsetDateTime t = OffsetDateTime.parse(s).plus(by);
      return render(t.toLocalDateTime(), seconds, fraction) + tail;
    } catch (DateTimeParseException | IndexOutOfBoundsException e) {
      throw new Failure(
          "shiftTime at "
              + at
              + ": the value is not an ISO-8601 date or date-time (declare epoch: s or ms for"
              + " numbers)");
    }
  }

  /** The zone part of an ISO date-time as written ({@code Z}, {@code +02:00}), or empty. */
  private static String zoneOf(String s) {
    if (s.endsWith("Z") || s.endsWith("z")) {
      return s.substring(s.length() - 1);
    }
    int t = s.indexOf('T');
    for (int i = s.length() - 1; i > t && t > 0; i--) {
      char c = s.charAt(i);
      if (c == '+' || c == '-') {
        return s.substring(i);
      }
    }
    return "";
  }

  private static int fractionDigits(String s) {
    int dot = s.indexOf('.');
    if (dot < 0) {
      return 0;
    }
    int n = 0;
    while (dot + 1 + n < s.length() && Character.isDigit(s.charAt(dot + 1 + n))) {
      n++;
    }
    return n;
  }

  private static String render(LocalDateTime t, boolean seconds, int fraction) {
    StringBuilder sb = new StringBuilder(32);
    int year = t.getYear();
    if (year < 0 || year > 9999) {
      sb.append(DATE_TIME.format(t)); // outside ISO's four digits: the formatter's own form
    } else {
      pad(sb, year, 4).append('-');
      pad(sb, t.getMonthValue(), 2).append('-');
      pad(sb, t.getDayOfMonth(), 2).append('T');
      pad(sb, t.getHour(), 2).append(':');
      pad(sb, t.getMinute(), 2);
    }
    if (seconds || fraction > 0) {
      pad(sb.append(':'), t.getSecond(), 2);
    }
    if (fraction > 0) {
      int start = sb.length() + 1;
      pad(sb.append('.'), t.getNano(), 9);
      sb.setLength(start + Math.min(fraction, 9));
      for (int i = 9; i < fraction; i++) {
        sb.append('0');
      }
    }
    return sb.toString();
  }

  /** {@code n} (not negative) in at least {@code digits} digits, zeros first. */
  private static StringBuilder pad(StringBuilder sb, int n, int digits) {
    String s = Integer.toString(n);
    for (int i = s.length(); i < digits; i++) {
      sb.append('0');
    }
    return sb.append(s);
  }

  // ---- chaining: capture -------------------------------------------------------------------

  /**
   * Captures the values the applying entries name from {@code target}'s answer to {@code e}, each
   * beside the same place of the recorded response, for later requests of {@code session}.
   */
  public Captured capture(Exchange e, Target target, HttpResponse answer, String session) {
    if (!transforms.chains()) {
      return Captured.NONE;
    }
    List<Entry> entries = transforms.entriesFor(e.request().method(), e.request().target());
    List<String> applied = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (Entry entry : entries) {
      for (Capture c : entry.capture()) {
        String recorded;
        String live;
        try {
          if (session == null) {
            throw new Failure("the request has no session key " + transforms.sessionKey());
          }
          if (e.response() == null) {
            throw new Failure("the recording has no response to this exchange");
          }
          try {
            recorded = captured(e.response(), c, "the recorded response");
          } catch (Absent nothing) {
            continue; // legacy created nothing here (a 4xx, say): no later request can use it
          }
          live = captured(answer, c, "the " + target.label() + "'s response");
        } catch (Failure f) {
          failures.add("capture " + c.name() + " from " + c.from() + ": " + f.getMessage());
          continue;
        } catch (RuntimeException x) {
          failures.add(
              "capture " + c.name() + " from " + c.from() + ": could not be applied: " + x);
          continue;
        }
        store(session, key(target, c.name(), recorded), live);
        applied.add("capture " + c.name());
      }
    }
    return new Captured(applied, failures);
  }

  private String lookup(String session, String key) {
    synchronized (sessions) {
      Values v = sessions.get(session);
      return v == null ? null : v.map.get(key);
    }
  }

  /** Keeps a captured value, within {@link #MAX_VALUES_PER_SESSION}, {@link #MAX_SESSIONS} and {@link #MAX_TOTAL_CHARS}. */
  private void store(String session, String key, String value) {
    synchronized (sessions) {
      Values v = sessions.computeIfAbsent(session, k -> new Values());
      String old = v.map.put(key, value);
      long delta = old == null ? key.length() + value.length() : value.length() - old.length();
      if (v.map.size() > MAX_VALUES_PER_SESSION) {
        Iterator<Map.Entry<String, String>> it = v.map.entrySet().iterator();
        Map.Entry<String, String> eldest = it.next();
        delta -= eldest.getKey().length() + eldest.getValue().length();
        it.remove();
      }
      v.chars += delta;
      totalChars += delta;
      Iterator<Map.Entry<String, Values>> lru = sessions.entrySet().iterator();
      while ((sessions.size() > MAX_SESSIONS || totalChars > MAX_TOTAL_CHARS)
          && sessions.size() > 1) {
        Map.Entry<String, Values> eldest = lru.next();
        totalChars -= eldest.getValue().chars;
        lru.remove();
        forgotten.incrementAndGet();
      }
    }
  }

  private static String key(Target t, String name, String recorded) {
    return t.ordinal() + "\u0000" + name + "\u0000" + recorded;
  }

  private static String captured(HttpResponse r, Capture c, String whose) {
    List<String> found;
    if (c.from().kind() == Place.Kind.HEADER) {
      found = r.headers().all(c.from().name());
    } else if (c.from().kind() == Place.Kind.BODY) {
      found = List.of(new String(decodedBody(r, whose), StandardCharsets.UTF_8));
    } else {
      found = jsonValues(decodedBody(r, whose), c.from(), whose);
    }
    for (String v : found) {
      if (c.regex() == null) {
        return checked(v, c, whose);
      }
      Matcher m = c.regex().matcher(v);
      if (m.find()) {
        return checked(m.groupCount() >= 1 ? m.group(1) : m.group(), c, whose);
      }
    }
    throw new Absent(
        whose
            + " has no "
            + c.from()
            + (c.regex() == null ? "" : " matching " + c.regex().pattern()));
  }

  private static String checked(String v, Capture c, String whose) {
    if (v == null || v.isEmpty()) {
      throw new Failure(whose + " has an empty " + c.from());
    }
    if (v.length() > MAX_VALUE_CHARS) {
      throw new Failure(
          whose + ": " + c.from() + " is longer than " + MAX_VALUE_CHARS + " characters");
    }
    return v;
  }

  private static byte[] decodedBody(HttpResponse r, String whose) {
    if (r.body().truncated()) {
      throw new Failure(whose + "'s body was cut at the body size limit");
    }
    byte[] body = r.body().bytes();
    String coding = r.headers().first("Content-Encoding").orElse("identity").strip();
    if (coding.isEmpty() || coding.equalsIgnoreCase("identity")) {
      return body;
    }
    if (!ContentDecoding.supported(coding)) {
      throw new Failure(whose + " is " + coding + "-encoded, which Shadow cannot decode");
    }
    try {
      return ContentDecoding.decode(body, coding, MAX_DECODED);
    } catch (IOException e) {
      throw new Failure(whose + " is not valid " + coding + ": " + e.getMessage());
    }
  }

  private static List<String> jsonValues(byte[] body, Place p, String whose) {
    JsonNode root;
    try {
      root = body.length == 0 ? null : Json.MAPPER.readTree(body);
    } catch (IOException e) {
      root = null;
    }
    if (root == null) {
      throw new Absent(whose + " is not JSON");
    }
    List<String> out = new ArrayList<>();
    walk(root, new ArrayList<>(), p, (loc, n) -> out.add(n.asText()));
    return out;
  }

  // ---- places: reading and editing values ------------------------------------------------------

  /** The values at {@code p} in a request (decoded query values, header values, cookies). */
  static List<String> values(HttpRequest r, Entry e, Place p) {
    List<String> out = new ArrayList<>();
    edit(
        r,
        e,
        p,
        v -> {
          out.add(v);
          return v;
        });
    return out;
  }

  private interface Visitor {
    void visit(List<Object> location, JsonNode value);
  }

  private static void walk(JsonNode n, List<Object> loc, Place p, Visitor v) {
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        loc.add(f.getKey());
        walk(f.getValue(), loc, p, v);
        loc.remove(loc.size() - 1);
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        loc.add(i);
        walk(n.get(i), loc, p, v);
        loc.remove(loc.size() - 1);
      }
    } else if (!n.isNull() && p.json().matchesExactly(loc)) {
      v.visit(loc, n);
    }
  }

  /**
   * {@code r} with every value at {@code p} replaced by {@code f} of it ({@code f} may throw a
   * {@link Failure}); {@code r} itself when nothing changed.
   */
  static HttpRequest edit(HttpRequest r, Entry e, Place p, UnaryOperator<String> f) {
    switch (p.kind()) {
      case PATH -> {
        // the origin form: what the template matched (an absolute-form target is sent so too)
        String path = EndpointTemplate.originPath(r.target());
        String rest = r.target().substring(EndpointTemplate.pathOf(r.target()).length());
        if (p.name() == null) {
          String n = f.apply(path);
          return n.equals(path) ? r : withTarget(r, n + rest);
        }
        int index = e == null || e.match() == null ? -1 : e.match().parameterIndex(p.name());
        if (index >= 0 && !e.match().matches(r.method(), r.target())) {
          throw new Failure(
              p
                  + ": the path no longer fits \""
                  + e.match()
                  + "\" (an earlier transform rewrote it): change the parameter before the"
                  + " rewrite");
        }
        List<String> segments = EndpointTemplate.split(path);
        if (index < 0 || index >= segments.size()) {
          return r;
        }
        String raw = segments.get(index);
        // a session id in the segment (;jsessionid=...) is no part of the parameter's value, as
        // matching reads it: set aside, and put back after the new value
        String session = "";
        java.util.regex.Matcher sid = EndpointTemplate.JSESSIONID.matcher(raw);
        if (sid.find()) {
          session = sid.group();
          raw = raw.substring(0, sid.start()) + raw.substring(sid.end());
        }
        String decoded = pathDecode(raw);
        // a segment whose escapes are no UTF-8 is edited as written, and not escaped again
        boolean asWritten = decoded == raw && raw.indexOf('%') >= 0;
        String n = f.apply(decoded);
        if (n.equals(decoded)) {
          return r;
        }
        segments.set(index, (asWritten ? n : pathEncode(n)) + session);
        return withTarget(r, "/" + String.join("/", segments) + rest);
      }
      case QUERY -> {
        String raw = EndpointTemplate.rawQueryOf(r.target());
        if (raw == null) {
          return r;
        }
        int q = r.target().indexOf('?');
        String before = r.target().substring(0, q + 1);
        String after = r.target().substring(q + 1 + raw.length());
        if (p.name() == null) {
          String n = f.apply(raw);
          return n.equals(raw) ? r : withTarget(r, before + n + after);
        }
        List<String> pieces = new ArrayList<>();
        boolean changed = false;
        for (String piece : raw.split("&", -1)) {
          int eq = piece.indexOf('=');
          String name = EndpointTemplate.decode(eq < 0 ? piece : piece.substring(0, eq));
          if (!name.equals(p.name())) {
            pieces.add(piece);
            continue;
          }
          String value = eq < 0 ? "" : EndpointTemplate.decode(piece.substring(eq + 1));
          String n = f.apply(value);
          if (n.equals(value)) {
            pieces.add(piece);
          } else {
            changed = true;
            pieces.add(
                (eq < 0 ? piece : piece.substring(0, eq))
                    + "="
                    + URLEncoder.encode(n, StandardCharsets.UTF_8));
          }
        }
        return changed ? withTarget(r, before + String.join("&", pieces) + after) : r;
      }
      case HEADER -> {
        if (!r.headers().contains(p.name())) {
          return r;
        }
        Headers h = r.headers().mapValues(p.name(), f);
        return h.equals(r.headers()) ? r : r.withHeaders(h);
      }
      case COOKIE -> {
        if (!r.headers().contains("Cookie")) {
          return r;
        }
        Headers h =
            r.headers()
                .mapValues(
                    "Cookie",
                    value -> {
                      String[] cookies = value.split(";", -1);
                      for (int i = 0; i < cookies.length; i++) {
                        String c = cookies[i];
                        int eq = c.indexOf('=');
                        if (eq >= 0 && c.substring(0, eq).strip().equals(p.name())) {
                          String v = c.substring(eq + 1).strip();
                          String n = f.apply(v);
                          if (!n.equals(v)) {
                            cookies[i] = c.substring(0, eq + 1) + n;
                          }
                        }
                      }
                      return String.join(";", cookies);
                    });
        return h.equals(r.headers()) ? r : r.withHeaders(h);
      }
      case JSON -> {
        Body b = editableBody(r, p);
        if (b == null) {
          return r;
        }
        JsonNode root;
        try {
          root = Json.MAPPER.readTree(b.bytes());
        } catch (IOException ex) {
          root = null;
        }
        if (root == null) {
          throw new Failure(p + ": the request body is not JSON");
        }
        List<Object[]> edits = new ArrayList<>();
        walk(
            root,
            new ArrayList<>(),
            p,
            (loc, n) -> {
              String v = n.asText();
              String nv = f.apply(v);
              if (!nv.equals(v)) {
                edits.add(new Object[] {new ArrayList<>(loc), n, nv});
              }
            });
        for (Object[] edit : edits) {
          @SuppressWarnings("unchecked")
          List<Object> loc = (List<Object>) edit[0];
          set(root, loc, (JsonNode) edit[1], (String) edit[2]);
        }
        if (edits.isEmpty()) {
          return r;
        }
        try {
          return r.withBody(Body.of(Json.MAPPER.writeValueAsBytes(root)));
        } catch (JsonProcessingException ex) {
          throw new Failure(p + ": cannot write the body: " + ex.getMessage());
        }
      }
      case BODY -> {
        Body b = editableBody(r, p);
        if (b == null) {
          return r;
        }
        if (!(b instanceof Body.Text text)) {
          throw new Failure(p + ": the request body is not text");
        }
        String n = f.apply(text.text());
        return n.equals(text.text()) ? r : r.withBody(Body.text(n));
      }
      default -> throw new IllegalStateException(p.toString());
    }
  }

  /**
   * The request's body for {@code p} to edit, or null when it has none; a body that is
   * content-encoded or was not captured whole is a failure.
   */
  private static Body editableBody(HttpRequest r, Place p) {
    Body b = r.body();
    if (b instanceof Body.None || b.size() == 0) {
      return null;
    }
    String coding = r.headers().first("Content-Encoding").orElse("identity").strip();
    if (!coding.isEmpty() && !coding.equalsIgnoreCase("identity")) {
      throw new Failure(p + ": the request body is " + coding + "-encoded");
    }
    if (b.truncated() || b instanceof Body.NotCaptured) {
      throw new Failure(p + ": the request body was not captured whole");
    }
    return b;
  }

  /** Puts {@code value} at {@code loc}: a number stays a number when the new text is one. */
  private static void set(JsonNode root, List<Object> loc, JsonNode old, String value) {
    JsonNode parent = root;
    for (int i = 0; i < loc.size() - 1; i++) {
      Object step = loc.get(i);
      parent = step instanceof Integer n ? parent.get(n) : parent.get((String) step);
    }
    JsonNode replacement;
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (old.isNumber() && value.matches("-?\\d{1,18}")) {
      replacement = nodes.numberNode(Long.parseLong(value));
    } else if (old.isNumber() && value.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?")) {
      replacement = nodes.numberNode(new BigDecimal(value));
    } else {
      replacement = nodes.textNode(value);
    }
    Object last = loc.get(loc.size() - 1);
    if (last instanceof Integer n) {
      ((ArrayNode) parent).set(n, replacement);
    } else {
      ((ObjectNode) parent).set((String) last, replacement);
    }
  }

  /** A path segment's percent-escapes decoded (UTF-8; '+' stays '+'); as it is when they are broken. */
  static String pathDecode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    byte[] out = new byte[raw.length()];
    int n = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()
            || Character.digit(raw.charAt(i + 1), 16) < 0
            || Character.digit(raw.charAt(i + 2), 16) < 0) {
          return raw;
        }
        out[n++] =
            (byte)
                (Character.digit(raw.charAt(i + 1), 16) * 16
                    + Character.digit(raw.charAt(i + 2), 16));
        i += 2;
      } else if (c < 0x80) {
        out[n++] = (byte) c;
      } else {
        return raw; // not as sent on the wire: left alone
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out, 0, n))
          .toString();
    } catch (CharacterCodingException e) {
      return raw; // not UTF-8: left as it was sent
    }
  }

  /**
   * {@code s} as one path segment: what is not unreserved, a sub-delimiter, ':' or '@' escaped, and
   * ';', '=' and ',' too (servers read them as path parameters).
   */
  static String pathEncode(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || "-._~!$&'()*+:@".indexOf(c) >= 0) { // ';', '=' and ',' escaped: path parameters
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  private static String clip(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
