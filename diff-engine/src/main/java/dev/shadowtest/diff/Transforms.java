package dev.shadowtest.diff;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.JsonPath;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code transforms:} section of a rules file (docs/rules.md): how requests are changed before
 * they are sent. Entries without {@code match} apply to every request; of the entries with a
 * {@code match}, the one with most query names (then the first) applies too. An entry changes the
 * request of every target ({@code all:}) or of one ({@code candidate:}, {@code primary:},
 * {@code secondary:}): path and query rewrites, regex replacements, headers set (with
 * {@code ${env:NAME}} and {@code ${file:PATH}} secrets) or removed, timestamps shifted, JWTs
 * re-signed; and it chains values: {@code capture:} takes a value from each target's response,
 * {@code use:} puts that target's value in later requests of the same session ({@code sessions:}).
 *
 * <p>This class is the specification; {@link TransformRun} applies it during a run.
 *
 * <pre>{@code
 * TransformRun run = TransformRun.start(rules.transforms(), System::getenv, offset);
 * TransformRun.Prepared p = run.prepare(request, Transforms.Target.CANDIDATE, run.sessionOf(request));
 * }</pre>
 */
public final class Transforms {

  private static final Transforms NONE = new Transforms(List.of(), null, "rules");
  static final Pattern PARAMETER = Pattern.compile("\\{([^{}/?&=]+)}");

  /** Who a request is sent to. */
  public enum Target {
    PRIMARY,
    SECONDARY,
    CANDIDATE;

    /** The name used in rules files and results: {@code candidate}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A place in a request or response: {@code path} (the whole path), {@code path:NAME} (a path
   * parameter of the entry's match), {@code query} (the whole query string), {@code query:NAME},
   * {@code header:NAME}, {@code cookie:NAME}, {@code json:$.a.b} (a JSON body), {@code body} (the
   * whole body as text).
   *
   * @param kind what kind of place
   * @param name the parameter, header or cookie name, or null for the whole path or query
   * @param json the JSON path of a {@code json:} place, else null
   * @param text as written in the rules file
   */
  public record Place(Kind kind, String name, JsonPath json, String text) {

    public enum Kind {
      PATH,
      QUERY,
      HEADER,
      COOKIE,
      JSON,
      BODY
    }

    public Place {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(text, "text");
    }

    /** Parses {@code header:Authorization} and the like; the message says what is wrong. */
    public static Place parse(String text) {
      if (text.equals("path")) {
        return new Place(Kind.PATH, null, null, text);
      }
      if (text.equals("query")) {
        return new Place(Kind.QUERY, null, null, text);
      }
      if (text.equals("body")) {
        return new Place(Kind.BODY, null, null, text);
      }
      int colon = text.indexOf(':');
      String what = colon < 0 ? text : text.substring(0, colon);
      String name = colon < 0 ? "" : text.substring(colon + 1);
      Kind kind;
      switch (what) {
        case "path" -> kind = Kind.PATH;
        case "query" -> kind = Kind.QUERY;
        case "header" -> kind = Kind.HEADER;
        case "cookie" -> kind = Kind.COOKIE;
        case "json" -> kind = Kind.JSON;
        default ->
            throw new BadInputException(
                "expected path, path:NAME, query, query:NAME, header:NAME, cookie:NAME,"
                    + " json:$.PATH or body, got \""
                    + text
                    + "\"");
      }
      if (name.isEmpty()) {
        throw new BadInputException("\"" + text + "\" needs a name after the colon");
      }
      if (kind == Kind.JSON) {
        return new Place(kind, null, JsonPath.parse(name), text);
      }
      return new Place(kind, name, null, text);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** A regex replacement in one place ({@code path}, {@code query}, {@code header:NAME}); every match is replaced. */
  public record Replace(Place in, Pattern regex, String with) {
    public Replace {
      Objects.requireNonNull(in, "in");
      Objects.requireNonNull(regex, "regex");
      Objects.requireNonNull(with, "with");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Replace r
          && in.equals(r.in)
          && Objects.equals(text(regex), text(r.regex))
          && with.equals(r.with);
    }

    @Override
    public int hashCode() {
      return Objects.hash(in, text(regex), with);
    }
  }

  /**
   * Timestamps at a place moved by the run's time offset: ISO-8601 text, or epoch numbers in
   * {@code epoch} units ({@link ChronoUnit#SECONDS} or {@link ChronoUnit#MILLIS}; null for ISO).
   */
  public record TimeShift(Place at, ChronoUnit epoch) {
    public TimeShift {
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * A recorded JWT in {@code header} re-signed: its claims kept, {@code iat} and {@code nbf} set to
   * now, {@code exp} to now plus the recorded lifetime ({@code exp - iat}, else {@code lifetime}),
   * signed with {@code algorithm} (HS256, RS256, ES256) and a key: {@code key} (a secret, with
   * {@code ${env:NAME}} or {@code ${file:PATH}}) for HS256, {@code keyFile} (a PKCS#8 PEM private
   * key) for RS256 and ES256.
   */
  public record Resign(
      String header, String algorithm, String key, String keyFile, Duration lifetime, int line) {
    public Resign {
      Objects.requireNonNull(header, "header");
      Objects.requireNonNull(algorithm, "algorithm");
      Objects.requireNonNull(lifetime, "lifetime");
    }
  }

  /**
   * What an entry does to one target's request (or to every target's, under {@code all:}), in
   * this order: path, renameQuery, replace, removeHeaders, setHeaders, shiftTime, resignJwt.
   *
   * @param path        a new path (and query) template with {@code {name}} from the match's path
   *                    parameters; the original query is kept after it; null to keep the path
   * @param renameQuery query parameter names to rename (decoded name → new name)
   * @param setHeaders  header values to set (replacing recorded ones), with {@code ${env:NAME}} and
   *                    {@code ${file:PATH}} resolved when the run starts
   * @param lines       where each secret-bearing value is written, for errors: header name → line
   */
  public record Actions(
      String path,
      Map<String, String> renameQuery,
      List<Replace> replace,
      List<String> removeHeaders,
      Map<String, String> setHeaders,
      List<TimeShift> shiftTime,
      Resign resignJwt,
      Map<String, Integer> lines) {
    public Actions {
      renameQuery = Collections.unmodifiableMap(new LinkedHashMap<>(renameQuery));
      replace = List.copyOf(replace);
      removeHeaders = List.copyOf(removeHeaders);
      setHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(setHeaders));
      shiftTime = List.copyOf(shiftTime);
      lines = Map.copyOf(lines);
    }

    /** True when these actions change nothing. */
    public boolean isEmpty() {
      return path == null
          && renameQuery.isEmpty()
          && replace.isEmpty()
          && removeHeaders.isEmpty()
          && setHeaders.isEmpty()
          && shiftTime.isEmpty()
          && resignJwt == null;
    }
  }

  /**
   * A value taken from each target's response (and the same place of the recorded response) when
   * an exchange of the entry is answered: {@code json:} or {@code header:}, optionally narrowed by
   * a regex (its first group, else the whole match).
   */
  public record Capture(String name, Place from, Pattern regex, int line) {
    public Capture {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(from, "from");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Capture c
          && name.equals(c.name)
          && from.equals(c.from)
          && Objects.equals(text(regex), text(c.regex))
          && line == c.line;
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, from, text(regex), line);
    }
  }

  /**
   * A captured value put in a later request of the same session: the recorded value at {@code
   * at} is looked up among the values captured as {@code name}, and each target is sent its own.
   */
  public record Use(String name, Place at, int line) {
    public Use {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * One entry of the section.
   *
   * @param match   the requests it applies to, or null for every request
   * @param actions per scope ({@code all}, {@code primary}, {@code secondary}, {@code candidate}):
   *                what changes in that target's request
   * @param line    the entry's line in the rules file
   */
  public record Entry(
      EndpointTemplate match,
      Map<String, Actions> actions,
      List<Capture> capture,
      List<Use> use,
      int line) {

    /** The scope of every target. */
    public static final String ALL = "all";

    public Entry {
      actions = Collections.unmodifiableMap(new LinkedHashMap<>(actions));
      capture = List.copyOf(capture);
      use = List.copyOf(use);
    }

    /** What this entry does, for reports: {@code GET /posts → candidate: query _limit → _per_page}. */
    public String describe() {
      List<String> parts = new ArrayList<>();
      actions.forEach(
          (scope, a) -> {
            List<String> what = new ArrayList<>();
            if (a.path() != null) {
              what.add("path " + a.path());
            }
            a.renameQuery().forEach((k, v) -> what.add("query " + k + " → " + v));
            a.replace().forEach(r -> what.add("replace in " + r.in()));
            a.removeHeaders().forEach(h -> what.add("remove header " + h));
            a.setHeaders().keySet().forEach(h -> what.add("set header " + h));
            a.shiftTime().forEach(t -> what.add("shift time at " + t.at()));
            if (a.resignJwt() != null) {
              what.add("re-sign JWT in " + a.resignJwt().header());
            }
            parts.add(scope + ": " + String.join(", ", what));
          });
      capture.forEach(c -> parts.add("capture " + c.name() + " from " + c.from()));
      use.forEach(u -> parts.add("use " + u.name() + " at " + u.at()));
      return (match == null ? "every request" : match.toString())
          + " → "
          + String.join("; ", parts);
    }
  }

  /** A regex as written, or null: what makes two patterns equal ({@link Pattern} has no equals). */
  private static String text(Pattern p) {
    return p == null ? null : p.pattern();
  }

  private final List<Entry> entries;
  private final Place sessionKey;

  /** Whether any entry captures, and whether any captures or uses: asked for every exchange. */
  private final boolean captures;

  private final boolean chains;
  private final String source;

  /**
   * @param sessionKey what tells sessions apart (the {@code sessions.key} of the rules), or null
   * @param source     the rules file's name, for errors found when a run starts
   */
  Transforms(List<Entry> entries, Place sessionKey, String source) {
    this.entries = List.copyOf(entries);
    this.sessionKey = sessionKey;
    this.source = source;
    this.captures = this.entries.stream().anyMatch(e -> !e.capture().isEmpty());
    this.chains = captures || this.entries.stream().anyMatch(e -> !e.use().isEmpty());
  }

  /** No transforms. */
  public static Transforms none() {
    return NONE;
  }

  public List<Entry> entries() {
    return entries;
  }

  /** What tells sessions apart ({@code sessions.key}), or null when the rules name none. */
  public Place sessionKey() {
    return sessionKey;
  }

  /** The rules file these transforms were read from. */
  public String source() {
    return source;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** True when values are chained between the exchanges of a session (any capture or use). */
  public boolean chains() {
    return chains;
  }

  /** True when some entry captures values from answers. */
  public boolean captures() {
    return captures;
  }

  /**
   * The entries that apply to a request: those without a match (file order), then the matching
   * one with most query names (then the first).
   */
  public List<Entry> entriesFor(String method, String target) {
    List<Entry> out = new ArrayList<>(2);
    Entry best = null;
    for (Entry e : entries) {
      if (e.match() == null) {
        out.add(e);
      } else if (e.match().matches(method, target)
          && (best == null || e.match().queryNameCount() > best.match().queryNameCount())) {
        best = e;
      }
    }
    if (best != null) {
      out.add(best);
    }
    return out;
  }

  /** {@code target} with a path template and query renames applied. */
  static String rewrite(EndpointTemplate match, Actions a, String target) {
    String path = EndpointTemplate.pathOf(target);
    String rawQuery = EndpointTemplate.rawQueryOf(target);
    List<String> query = new ArrayList<>();
    if (a.path() != null) {
      Map<String, String> params = match == null ? Map.of() : match.parameters(target);
      Matcher m = PARAMETER.matcher(a.path());
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(
            sb, Matcher.quoteReplacement(params.getOrDefault(m.group(1), m.group())));
      }
      m.appendTail(sb);
      String t = sb.toString();
      int q = t.indexOf('?');
      path = q < 0 ? t : t.substring(0, q);
      if (q >= 0 && q + 1 < t.length()) {
        query.add(t.substring(q + 1));
      }
    }
    if (rawQuery != null) {
      for (String piece : rawQuery.split("&")) {
        if (piece.isEmpty()) {
          continue;
        }
        int eq = piece.indexOf('=');
        String name = EndpointTemplate.decode(eq < 0 ? piece : piece.substring(0, eq));
        String renamed = a.renameQuery().get(name);
        query.add(
            renamed == null
                ? piece
                : URLEncoder.encode(renamed, StandardCharsets.UTF_8)
                    + (eq < 0 ? "" : piece.substring(eq)));
      }
    }
    return query.isEmpty() ? path : path + "?" + String.join("&", query);
  }

  /**
   * What is wrong with {@code with} as the replacement of {@code regex}'s matches ({@code $n} of a
   * group it does not have, {@code ${name}} of no named group, a trailing {@code $} or {@code \\}),
   * or null when it is right.
   */
  static String badReplacement(Pattern regex, String with) {
    int groups = regex.matcher("").groupCount();
    for (int i = 0; i < with.length(); i++) {
      char c = with.charAt(i);
      if (c == '\\') {
        if (++i == with.length()) {
          return "a trailing \\ escapes nothing (write \\\\ for a backslash)";
        }
      } else if (c == '$') {
        if (i + 1 == with.length()) {
          return "a trailing $ names no group (write \\$ for a dollar sign)";
        }
        char next = with.charAt(i + 1);
        if (next == '{') {
          int end = with.indexOf('}', i);
          String name = end < 0 ? "" : with.substring(i + 2, end);
          if (name.isEmpty() || !namedGroups(regex.pattern()).contains(name)) {
            return "${" + name + "} is no named group of the regex";
          }
          i = end;
        } else if (Character.isDigit(next)) {
          if (next - '0' > groups) {
            return "$" + next + " is no group of the regex (it has " + groups + ")";
          }
        } else {
          return "$ must be followed by a group number or {name} (write \\$ for a dollar sign)";
        }
      }
    }
    return null;
  }

  /**
   * The names of a regex's named groups {@code (?<name>...)}: outside character classes and
   * quotes ({@code \\Q...\\E}), not escaped.
   */
  static Set<String> namedGroups(String regex) {
    Set<String> out = new HashSet<>();
    int depth = 0; // inside a character class
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        if (i + 1 < regex.length() && regex.charAt(i + 1) == 'Q') {
          int end = regex.indexOf("\\E", i + 2);
          i = end < 0 ? regex.length() : end + 1;
        } else {
          i++; // the escaped character
        }
      } else if (c == '[') {
        depth++;
      } else if (c == ']' && depth > 0) {
        depth--;
      } else if (depth == 0 && c == '(' && regex.startsWith("?<", i + 1)) {
        int end = regex.indexOf('>', i + 3);
        String name = end < 0 ? "" : regex.substring(i + 3, end);
        if (!name.isEmpty() && Character.isLetter(name.charAt(0))) {
          out.add(name); // not (?<= or (?<! lookbehinds
        }
      }
    }
    return out;
  }

  /** Checks a path template against the match's parameters; the message says what is wrong. */
  static void checkPath(EndpointTemplate match, String path) {
    if (!path.startsWith("/")) {
      throw new BadInputException("must start with '/', got \"" + path + "\"");
    }
    Map<String, String> known =
        match == null
            ? Map.of()
            : match.parameters(match.pathText().substring(match.pathText().indexOf(' ') + 1));
    Matcher m = PARAMETER.matcher(path);
    while (m.find()) {
      if (!known.containsKey(m.group(1))) {
        throw new BadInputException(
            "{"
                + m.group(1)
                + "} is not a parameter of "
                + (match == null ? "the entry (it has no match)" : "\"" + match + "\""));
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Transforms t
        && entries.equals(t.entries)
        && Objects.equals(sessionKey, t.sessionKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(entries, sessionKey);
  }
}
