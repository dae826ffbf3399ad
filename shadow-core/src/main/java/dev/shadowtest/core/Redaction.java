package dev.shadowtest.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What is redacted: header names (any case), JSON paths, query parameters and patterns, whether
 * values became keyed pseudonyms, and which headers keep the claims of a JSON Web Token ({@link
 * Jwt}). The one redaction spec: what the recorder, an import and a replay's live answers are
 * redacted by ({@link Redactor} is the one engine that applies it), and what a recording's header
 * line says was redacted.
 *
 * <pre>{@code
 * Redaction r = Redaction.load(Path.of("redact.yaml"));   // the defaults plus the file
 * Exchange safe = r.apply(exchange);                       // values become [REDACTED]
 * Exchange pseudonymised = new Redactor(r, key, maxBody).apply(exchange);
 * Redaction tokens = r.keepingJwtClaims();                 // Bearer <header>.<claims>.REDACTED
 * }</pre>
 *
 * <p>Every header of {@code jwt} is one of {@code headers} too: a value there that is not a JWT
 * is masked whole like any credential.
 */
public record Redaction(
    List<String> headers,
    List<String> jsonPaths,
    List<String> queryParams,
    List<String> patterns,
    boolean pseudonyms,
    Jwt jwt) {

  /** The replacement for a redacted value. */
  public static final String REDACTED = "[REDACTED]";

  /** Headers that carry credentials and are redacted unless the user opts out. */
  public static final List<String> DEFAULT_HEADERS =
      List.of("Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization", "X-Api-Key");

  public Redaction {
    jwt = jwt == null ? Jwt.NONE : jwt;
    headers =
        List.copyOf(
            union(
                Objects.requireNonNull(headers, "headers"),
                jwt.headers(),
                String.CASE_INSENSITIVE_ORDER));
    jsonPaths = List.copyOf(Objects.requireNonNull(jsonPaths, "jsonPaths"));
    queryParams = List.copyOf(Objects.requireNonNull(queryParams, "queryParams"));
    patterns = List.copyOf(Objects.requireNonNull(patterns, "patterns"));
  }

  /** Without JSON Web Tokens kept: every credential header is masked whole. */
  public Redaction(
      List<String> headers,
      List<String> jsonPaths,
      List<String> queryParams,
      List<String> patterns,
      boolean pseudonyms) {
    this(headers, jsonPaths, queryParams, patterns, pseudonyms, Jwt.NONE);
  }

  /**
   * The headers whose JSON Web Token keeps its JOSE header and claims, only its signature dropped
   * ({@code Bearer <header>.<claims>.REDACTED}), so that a replay can sign the recorded claims
   * again; and the claims (top-level names, exact case) whose values are masked in it like any
   * redacted value. {@link #NONE}: tokens are masked whole like any credential.
   *
   * <pre>{@code
   * new Redaction.Jwt(List.of("Authorization"), List.of("email", "name"))
   * }</pre>
   */
  public record Jwt(List<String> headers, List<String> sensitiveClaims) {

    /** No token kept: the default. */
    public static final Jwt NONE = new Jwt(List.of(), List.of());

    /** What {@code --keep-jwt-claims}, and a {@code jwt:} section without headers, keep. */
    public static final List<String> DEFAULT_HEADERS = List.of("Authorization");

    /** What a kept token's signature becomes. */
    public static final String DROPPED_SIGNATURE = "REDACTED";

    public Jwt {
      headers = List.copyOf(Objects.requireNonNull(headers, "headers"));
      sensitiveClaims = List.copyOf(Objects.requireNonNull(sensitiveClaims, "sensitiveClaims"));
      if (headers.isEmpty() && !sensitiveClaims.isEmpty()) {
        throw new BadInputException(
            "sensitive JWT claims "
                + sensitiveClaims
                + " need at least one header whose tokens keep their claims");
      }
    }

    /** True when no token is kept (every credential header is masked whole). */
    public boolean isEmpty() {
      return headers.isEmpty();
    }

    /** Both: headers (any case) and claims joined, no repeats. */
    public Jwt plus(Jwt other) {
      return new Jwt(
          union(headers, other.headers, String.CASE_INSENSITIVE_ORDER),
          union(sensitiveClaims, other.sensitiveClaims, Comparator.naturalOrder()));
    }
  }

  /** Header names and JSON paths only, replaced by {@link #REDACTED}. */
  public Redaction(List<String> headers, List<String> jsonPaths) {
    this(headers, jsonPaths, List.of(), List.of(), false);
  }

  /** The default redaction: credential headers. */
  public static Redaction defaults() {
    return new Redaction(DEFAULT_HEADERS, List.of());
  }

  /** No redaction at all (explicit opt-out). */
  public static Redaction none() {
    return new Redaction(List.of(), List.of());
  }

  /** A redaction file's size limit: a few kilobytes are expected. */
  public static final long MAX_FILE_BYTES = 1 << 20;

  /**
   * The default credential headers plus what the redaction file {@code file} adds ({@code
   * --redact FILE}: version, headers, jsonPaths, queryParams, patterns, jwt). Unknown keys, bad
   * JSON paths and bad regexes are errors naming the file, the line and the key.
   */
  public static Redaction load(Path file) {
    return defaults().plus(RedactionFile.load(file));
  }

  /**
   * Everything either redacts: lists joined (headers any case, no repeats), pseudonyms if either,
   * the tokens either keeps.
   */
  public Redaction plus(Redaction other) {
    return new Redaction(
        union(headers, other.headers, String.CASE_INSENSITIVE_ORDER),
        union(jsonPaths, other.jsonPaths, Comparator.naturalOrder()),
        union(queryParams, other.queryParams, Comparator.naturalOrder()),
        union(patterns, other.patterns, Comparator.naturalOrder()),
        pseudonyms || other.pseudonyms,
        jwt.plus(other.jwt));
  }

  /** This redaction with {@code tokens} as the JSON Web Tokens kept (its headers are redacted). */
  public Redaction withJwt(Jwt tokens) {
    return new Redaction(headers, jsonPaths, queryParams, patterns, pseudonyms, tokens);
  }

  /**
   * This redaction, and the tokens of {@code Authorization} keep their JOSE header and claims
   * ({@code --keep-jwt-claims}: {@code jwt: {headers: [Authorization]}} beside the rest).
   */
  public Redaction keepingJwtClaims() {
    return withJwt(jwt.plus(new Jwt(Jwt.DEFAULT_HEADERS, List.of())));
  }

  private static List<String> union(List<String> a, List<String> b, Comparator<String> sameness) {
    Set<String> seen = new TreeSet<>(sameness);
    List<String> out = new ArrayList<>();
    for (String s : a) {
      if (seen.add(s)) {
        out.add(s);
      }
    }
    for (String s : b) {
      if (seen.add(s)) {
        out.add(s);
      }
    }
    return out;
  }

  /** This redaction plus more header names. */
  public Redaction withHeaders(List<String> more) {
    Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    seen.addAll(headers);
    List<String> merged = new ArrayList<>(headers);
    for (String h : more) {
      if (seen.add(h)) {
        merged.add(h);
      }
    }
    return new Redaction(merged, jsonPaths, queryParams, patterns, pseudonyms, jwt);
  }

  public boolean isEmpty() {
    return headers.isEmpty() && jsonPaths.isEmpty() && queryParams.isEmpty() && patterns.isEmpty();
  }

  /**
   * The exchange with everything this spec names replaced by {@link #REDACTED} ({@link
   * Redactor} without a key; bodies decoded up to {@link Redactor#DEFAULT_MAX_BODY}): headers,
   * JSON paths, query parameters and patterns, in requests and responses. For keyed pseudonyms,
   * use a {@link Redactor} with the key.
   */
  public Exchange apply(Exchange exchange) {
    if (isEmpty()) {
      return exchange;
    }
    return new Redactor(this, null).apply(exchange);
  }
}
