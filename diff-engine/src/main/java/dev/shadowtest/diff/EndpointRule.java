package dev.shadowtest.diff;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.HeaderNames;
import dev.shadowtest.core.JsonPath;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The effective rule for one endpoint: the rules file's defaults with the endpoint's entry
 * applied on top (lists add up, scalars override). Immutable; {@link #with} is the one place
 * that copies it.
 *
 * @param match              the endpoint template, or null for the defaults
 * @param ignoreHeaders      header names not compared (case-insensitive)
 * @param json               how JSON bodies are compared
 * @param skip               exchanges of this endpoint are not replayed or compared
 * @param maxDiscrepancyRate per-endpoint gate override (0.01 = 1%), or null for the run's gate
 * @param line               the line of the entry in the rules file (0 for defaults and built-ins)
 * @param headerPatterns     parts of header values replaced (or removed) on both sides before comparing
 * @param accepted           differences that are expected and never count, each with its reason
 * @param baselineRoot       the part of the baseline's JSON body compared, or null for all of it
 * @param candidateRoot      the part of the candidate's JSON body compared ({@code $.data} when the
 *                           new API wraps the old answer in an envelope), or null for all of it
 * @param normalizeOrigins   each side's own base URL and Host become one placeholder before comparing
 * @param splitByQueryNames  endpoints are split by the set of query parameter names
 * @param byStatus           rule keys that apply only when the baseline's status matches
 * @param comparators        per body comparator name, its options ({@code comparators:})
 */
public record EndpointRule(
    EndpointTemplate match,
    Set<String> ignoreHeaders,
    JsonOptions json,
    boolean skip,
    Double maxDiscrepancyRate,
    int line,
    List<HeaderPattern> headerPatterns,
    List<Accepted> accepted,
    JsonPath baselineRoot,
    JsonPath candidateRoot,
    boolean normalizeOrigins,
    boolean splitByQueryNames,
    List<StatusOverlay> byStatus,
    Map<String, Map<String, String>> comparators) {

  /** Framing and hop-by-hop headers, and Date: never compared (docs/rules.md). */
  public static final List<String> ALWAYS_IGNORED_HEADERS =
      List.of("Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Date");

  private static final EndpointRule BUILT_IN =
      new EndpointRule(
          null,
          Set.of(),
          JsonOptions.strict(),
          false,
          null,
          0,
          List.of(),
          List.of(),
          null,
          null,
          true,
          false,
          List.of(),
          Map.of());

  public EndpointRule {
    Set<String> lower = new TreeSet<>();
    for (String h : ignoreHeaders) {
      lower.add(h.toLowerCase(Locale.ROOT));
    }
    for (String h : ALWAYS_IGNORED_HEADERS) {
      lower.add(h.toLowerCase(Locale.ROOT));
    }
    ignoreHeaders = HeaderNames.of(lower); // lower case, sorted; looked up in any case
    Objects.requireNonNull(json, "json");
    headerPatterns = List.copyOf(headerPatterns);
    accepted = List.copyOf(accepted);
    byStatus = List.copyOf(byStatus);
    Map<String, Map<String, String>> c = new TreeMap<>();
    comparators.forEach((k, v) -> c.put(k, Map.copyOf(v)));
    comparators = Collections.unmodifiableMap(c);
  }

  /** The built-in rule: strict JSON, only framing headers and Date ignored, origins normalised. */
  public static EndpointRule builtIn() {
    return BUILT_IN;
  }

  /** The fields of a copy being changed. */
  public static final class Builder {
    public EndpointTemplate match;
    public Set<String> ignoreHeaders;
    public JsonOptions json;
    public boolean skip;
    public Double maxDiscrepancyRate;
    public int line;
    public List<HeaderPattern> headerPatterns;
    public List<Accepted> accepted;
    public JsonPath baselineRoot;
    public JsonPath candidateRoot;
    public boolean normalizeOrigins;
    public boolean splitByQueryNames;
    public List<StatusOverlay> byStatus;
    public Map<String, Map<String, String>> comparators;

    private Builder(EndpointRule r) {
      match = r.match;
      ignoreHeaders = r.ignoreHeaders;
      json = r.json;
      skip = r.skip;
      maxDiscrepancyRate = r.maxDiscrepancyRate;
      line = r.line;
      headerPatterns = r.headerPatterns;
      accepted = r.accepted;
      baselineRoot = r.baselineRoot;
      candidateRoot = r.candidateRoot;
      normalizeOrigins = r.normalizeOrigins;
      splitByQueryNames = r.splitByQueryNames;
      byStatus = r.byStatus;
      comparators = r.comparators;
    }

    private EndpointRule build() {
      return new EndpointRule(
          match,
          ignoreHeaders,
          json,
          skip,
          maxDiscrepancyRate,
          line,
          headerPatterns,
          accepted,
          baselineRoot,
          candidateRoot,
          normalizeOrigins,
          splitByQueryNames,
          byStatus,
          comparators);
    }
  }

  /** A copy with the changes {@code change} makes to its fields. */
  public EndpointRule with(Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  /** This rule with one more header left out of comparison. */
  public EndpointRule withIgnoredHeader(String name) {
    Set<String> more = new TreeSet<>(ignoreHeaders);
    more.add(name);
    return with(b -> b.ignoreHeaders = more);
  }

  /** True when the header named {@code name} (any case) is not compared. */
  public boolean ignoresHeader(String name) {
    return ignoreHeaders.contains(name);
  }

  /** The rule for an exchange whose baseline answered {@code status}: its {@code byStatus} keys applied. */
  public EndpointRule forStatus(int status) {
    if (byStatus.isEmpty()) {
      return this;
    }
    EndpointRule out = with(b -> b.byStatus = List.of());
    for (StatusOverlay o : byStatus) {
      if (o.matches(status)) {
        out = o.apply().apply(out);
      }
    }
    return out;
  }

  /** A header value with this rule's patterns for header {@code name} (any case) applied. */
  public String normalizeHeader(String name, String value) {
    String out = value;
    for (HeaderPattern p : headerPatterns) {
      if (p.header().equalsIgnoreCase(name)) {
        out = p.apply(out);
      }
    }
    return out;
  }

  /** {@code differences} with those this rule accepts marked (with the first matching entry's reason). */
  public List<Difference> markAccepted(List<Difference> differences) {
    if (accepted.isEmpty() || differences.isEmpty()) {
      return differences;
    }
    List<Difference> out = new ArrayList<>(differences.size());
    for (Difference d : differences) {
      Accepted a = null;
      for (Accepted x : accepted) {
        if (x.covers(d)) {
          a = x;
          break;
        }
      }
      out.add(a == null ? d : d.withAccepted(a.reason()));
    }
    return out;
  }

  /**
   * Replaces what {@code regex} matches in the values of one header; with an empty replacement
   * the matched part is left out of the comparison (e.g. only the {@code charset} of
   * {@code Content-Type}).
   */
  public static final class HeaderPattern {
    private final String header;
    private final Pattern pattern;
    private final String replacement;

    public HeaderPattern(String header, String regex, String replacement) {
      this.header = header.toLowerCase(Locale.ROOT);
      this.pattern = Pattern.compile(regex);
      this.replacement = Objects.requireNonNull(replacement, "replacement");
    }

    public String header() {
      return header;
    }

    public String regex() {
      return pattern.pattern();
    }

    public String replacement() {
      return replacement;
    }

    String apply(String value) {
      Matcher m = pattern.matcher(value);
      return m.find() ? m.replaceAll(Matcher.quoteReplacement(replacement)) : value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof HeaderPattern p
          && header.equals(p.header)
          && regex().equals(p.regex())
          && replacement.equals(p.replacement);
    }

    @Override
    public int hashCode() {
      return Objects.hash(header, regex(), replacement);
    }
  }

  /**
   * A difference the migration expects, with the reason: an exchange whose only differences are
   * accepted is a match, counted as {@code accepted}, and every report lists them.
   *
   * <p>{@code path} is a JSON path pattern ({@code $.meta}, {@code $.items[*].legacyId}, covering
   * everything below), {@code header:Name}, {@code status} (any status the candidate answers but
   * a 5xx: a server error is never a change made on purpose), {@code status:201} or {@code
   * status:2xx} (only when the candidate answers that), {@code body} (text and binary bodies, any
   * region) or an XML/form path prefix; {@code type} null accepts every kind.
   */
  public static final class Accepted {
    private static final Pattern STATUS = Pattern.compile("status(?::([1-5])(\\d\\d|xx))?");

    private final String path;
    private final DifferenceType type;
    private final String reason;
    private final JsonPath json;

    /** For a {@code body:line N} or {@code body:lines N-M} path: the lines covered, else null. */
    private final Location.TextLines lines;

    /** For a status path: the candidate statuses covered, as a regex ({@code 2\d\d}), else null. */
    private final Pattern status;

    /**
     * @throws IllegalArgumentException when {@code path} is a malformed status, header, body or
     *     form path ({@code status 2xx}, {@code header:}, {@code body:3})
     */
    public Accepted(String path, DifferenceType type, String reason) {
      this.path = Objects.requireNonNull(path, "path");
      this.type = type;
      this.reason = Objects.requireNonNull(reason, "reason");
      this.json = path.startsWith("$") ? JsonPath.parse(path) : null;
      this.status = statusPattern(path);
      this.lines = Location.parse(path) instanceof Location.TextLines l ? l : null;
      String lower = path.toLowerCase(Locale.ROOT);
      if (status == null && lower.startsWith("status")) {
        throw new IllegalArgumentException(
            "expected status, status:201 or status:2xx, got \"" + path + "\"");
      }
      if (lower.startsWith("header") && (!lower.startsWith("header:") || path.length() == 7)) {
        throw new IllegalArgumentException("expected header:Name, got \"" + path + "\"");
      }
      if (lower.startsWith("body")
          && !path.equals("body")
          && Location.parse(path) instanceof Location.Other) {
        throw new IllegalArgumentException(
            "expected body, body:line 3 or body:lines 3-5, got \"" + path + "\"");
      }
      if (lower.equals("form:")) {
        throw new IllegalArgumentException("expected form:name, got \"" + path + "\"");
      }
    }

    private static Pattern statusPattern(String path) {
      Matcher m = STATUS.matcher(path);
      if (!m.matches()) {
        return null;
      }
      if (m.group(1) == null) {
        return Pattern.compile("[1-4]\\d\\d"); // any but a server error
      }
      return Pattern.compile(m.group(1) + (m.group(2).equals("xx") ? "\\d\\d" : m.group(2)));
    }

    public String path() {
      return path;
    }

    public DifferenceType type() {
      return type;
    }

    public String reason() {
      return reason;
    }

    boolean covers(Difference d) {
      if (type != null && d.type() != type) {
        return false;
      }
      String p = d.path();
      if (status != null) {
        return p.equals("status") && d.actual() != null && status.matcher(d.actual()).matches();
      }
      if (json != null) {
        List<Object> loc = p.startsWith("$") ? JsonPath.locationOf(p) : null;
        return loc != null && json.matches(loc);
      }
      if (path.regionMatches(true, 0, "header:", 0, 7)) {
        return p.equalsIgnoreCase(path);
      }
      if (path.equals("body")) {
        return p.equals("body") || p.startsWith("body:");
      }
      if (lines != null) {
        // a range of lines covers the lines and the words of lines inside it
        Location where = Location.parse(p);
        if (where instanceof Location.TextToken t) {
          return t.line() >= lines.from() && t.line() <= lines.to();
        }
        if (where instanceof Location.TextLines l) {
          return l.from() >= lines.from() && l.to() <= lines.to();
        }
        return false;
      }
      return p.equals(path)
          || p.startsWith(path)
              && (path.endsWith("/")
                  || p.charAt(path.length()) == '/'
                  || p.charAt(path.length()) == '[');
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Accepted a
          && path.equals(a.path)
          && type == a.type
          && reason.equals(a.reason);
    }

    @Override
    public int hashCode() {
      return Objects.hash(path, type, reason);
    }

    @Override
    public String toString() {
      return path + (type == null ? "" : " " + type) + ": " + reason;
    }
  }

  /**
   * Rule keys that apply only when the baseline's status matches {@code statuses} ({@code 404},
   * {@code 4xx}, {@code 401,403}); {@code apply} adds them to a rule.
   */
  public record StatusOverlay(String statuses, UnaryOperator<EndpointRule> apply) {

    /** Checks {@code spec} ("404", "4xx", "401, 403"); a BadInputException says what is wrong. */
    public static String check(String spec) {
      for (String part : spec.split(",")) {
        String p = part.strip().toLowerCase(Locale.ROOT);
        if (!p.matches("[1-5](\\d\\d|xx)")) {
          throw new BadInputException(
              "expected status codes or classes like 404, 4xx or \"401, 403\", got \""
                  + spec
                  + "\"");
        }
      }
      return spec;
    }

    public boolean matches(int status) {
      String s = Integer.toString(status);
      for (String part : statuses.split(",")) {
        String p = part.strip().toLowerCase(Locale.ROOT);
        if (p.equals(s) || p.endsWith("xx") && s.length() == 3 && s.charAt(0) == p.charAt(0)) {
          return true;
        }
      }
      return false;
    }
  }
}
