package dev.shadowtest.diff;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Names the endpoint of a request: {@code METHOD /path/template}. Templates from the rules come
 * first; otherwise segments that look like identifiers become parameters:
 *
 * <ul>
 *   <li>{@code {id}}: decimal numbers ({@code 42}, {@code -7});
 *   <li>{@code {uuid}}: UUIDs;
 *   <li>{@code {hex}}: hex strings of 8+ characters with at least one digit ({@code 5f3a9c0e});
 *   <li>{@code {token}}: base64/url-safe tokens of 16+ characters mixing letters and digits.
 * </ul>
 *
 * <p>{@link #collapse} then turns a segment position into {@code {param}} when, under a common
 * prefix, it shows many distinct values across the traffic (slugs, user names):
 * {@code GET /api/users/alice} and 200 siblings become {@code GET /api/users/{param}}.
 *
 * <p>Query strings are not part of an endpoint, unless the rule that applies says
 * {@code splitByQueryNames: true}: then the endpoint carries the set of query parameter names
 * (never values), sorted: {@code GET /posts?_limit&_page}. An endpoint path with
 * {@link #DEFAULT_CARDINALITY} or more such sets is not split (the same cap as path templating).
 */
public final class Endpoints {

  /** Distinct values at one position, under one prefix, that make it a parameter. */
  public static final int DEFAULT_CARDINALITY = 20;

  private static final Pattern NUMBER = Pattern.compile("-?\\d+");
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern HEX = Pattern.compile("(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{8,}");
  private static final Pattern TOKEN =
      Pattern.compile("(?=[A-Za-z0-9_=-]*\\d)(?=[A-Za-z0-9_=-]*[A-Za-z])[A-Za-z0-9_=-]{16,}");

  /** A query with more names than this (or a name longer than {@link #MAX_NAME}) does not split its endpoint. */
  static final int MAX_QUERY_NAMES = 20;

  static final int MAX_NAME = 64;

  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9._~\\-\\[\\]$:@!*,;]+");

  private final Rules rules;

  public Endpoints(Rules rules) {
    this.rules = rules;
  }

  /** The endpoint of one request, before traffic-wide collapsing. */
  public String of(String method, String target) {
    EndpointRule rule = rules.ruleFor(method, target);
    String base = base(rule, method, target);
    return rule.splitByQueryNames() ? base + querySuffix(target) : base;
  }

  private static String base(EndpointRule rule, String method, String target) {
    if (rule.match() != null) {
      String t = rule.splitByQueryNames() ? rule.match().pathText() : rule.match().toString();
      return t.startsWith("* ") ? method.toUpperCase(Locale.ROOT) + t.substring(1) : t;
    }
    StringBuilder sb = new StringBuilder(method.toUpperCase(Locale.ROOT)).append(' ');
    String path = EndpointTemplate.resourcePath(target.isEmpty() ? "/" : target);
    if (!path.startsWith("/")) {
      return sb.append(path).toString(); // '*' (OPTIONS *): kept as is
    }
    List<String> segments = EndpointTemplate.split(path);
    for (String s : segments) {
      sb.append('/').append(parameter(s));
    }
    if (segments.isEmpty()) {
      sb.append('/');
    }
    return sb.toString();
  }

  /** {@code ?a&b} for the sorted names of the target's query; empty without a query or beyond the caps. */
  static String querySuffix(String target) {
    Set<String> names = new TreeSet<>(EndpointTemplate.queryOf(target).keySet());
    if (names.isEmpty() || names.size() > MAX_QUERY_NAMES) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (String n : names) {
      if (n.isEmpty() || n.length() > MAX_NAME) {
        return "";
      }
      sb.append(sb.length() == 0 ? '?' : '&')
          .append(
              PLAIN_NAME.matcher(n).matches() ? n : URLEncoder.encode(n, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  static String parameter(String segment) {
    if (segment.length() != 36 && !hasDigit(segment)) {
      return segment; // every pattern but UUID's needs a digit, and a UUID has 36 characters
    }
    if (NUMBER.matcher(segment).matches()) {
      return "{id}";
    }
    if (UUID.matcher(segment).matches()) {
      return "{uuid}";
    }
    if (HEX.matcher(segment).matches()) {
      return "{hex}";
    }
    if (TOKEN.matcher(segment).matches()) {
      return "{token}";
    }
    return segment;
  }

  private static boolean hasDigit(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        return true;
      }
    }
    return false;
  }

  /**
   * Maps each endpoint to its collapsed form: a segment position becomes {@code {param}} when at
   * least {@code cardinality} distinct literal values share the same method and preceding
   * segments (and the same number of segments); an endpoint path with at least
   * {@code cardinality} distinct query-name sets loses them. Endpoints named by rules keep their
   * path. Deterministic: the result depends only on the set of endpoints.
   */
  public Map<String, String> collapse(Set<String> endpoints, int cardinality) {
    Map<String, String> bases =
        collapsePaths(
            new TreeSet<>(endpoints.stream().map(Endpoints::withoutQuery).toList()), cardinality);
    Map<String, Set<String>> suffixes = new HashMap<>();
    for (String e : endpoints) {
      String q = e.substring(withoutQuery(e).length());
      if (!q.isEmpty()) {
        suffixes.computeIfAbsent(bases.get(withoutQuery(e)), k -> new HashSet<>()).add(q);
      }
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (String e : endpoints) {
      String base = bases.get(withoutQuery(e));
      String q = e.substring(withoutQuery(e).length());
      boolean tooMany = suffixes.getOrDefault(base, Set.of()).size() >= cardinality;
      result.put(e, tooMany ? base : base + q);
    }
    return result;
  }

  private static String withoutQuery(String endpoint) {
    int q = endpoint.indexOf('?');
    return q < 0 ? endpoint : endpoint.substring(0, q);
  }

  private Map<String, String> collapsePaths(Set<String> endpoints, int cardinality) {
    Map<String, String> result = new LinkedHashMap<>();
    List<String[]> split = new ArrayList<>();
    for (String e : endpoints) {
      result.put(e, e);
      split.add(e.split(" /", 2).length == 2 && !fromRules(e) ? parts(e) : null);
    }
    int maxLen = split.stream().filter(p -> p != null).mapToInt(p -> p.length).max().orElse(0);
    for (int pos = 1; pos < maxLen; pos++) {
      Map<String, Set<String>> values = new HashMap<>();
      for (String[] p : split) {
        if (p != null && pos < p.length && !p[pos].startsWith("{")) {
          values.computeIfAbsent(groupKey(p, pos), k -> new HashSet<>()).add(p[pos]);
        }
      }
      for (String[] p : split) {
        if (p != null
            && pos < p.length
            && !p[pos].startsWith("{")
            && values.getOrDefault(groupKey(p, pos), Set.of()).size() >= cardinality) {
          p[pos] = "{param}";
        }
      }
    }
    int i = 0;
    for (String e : endpoints) {
      String[] p = split.get(i++);
      if (p != null) {
        result.put(e, p[0] + " /" + String.join("/", Arrays.copyOfRange(p, 1, p.length)));
      }
    }
    return result;
  }

  private boolean fromRules(String endpoint) {
    for (EndpointRule r : rules.endpoints()) {
      if (r.match().toString().equals(endpoint) || r.match().pathText().equals(endpoint)) {
        return true;
      }
    }
    return false;
  }

  /** [METHOD, seg1, seg2, ...] */
  private static String[] parts(String endpoint) {
    String[] ms = endpoint.split(" /", 2);
    String[] segs = ms[1].isEmpty() ? new String[0] : ms[1].split("/", -1);
    String[] out = new String[segs.length + 1];
    out[0] = ms[0];
    System.arraycopy(segs, 0, out, 1, segs.length);
    return out;
  }

  private static String groupKey(String[] p, int pos) {
    StringBuilder sb = new StringBuilder().append(p.length).append('|');
    for (int i = 0; i < pos; i++) {
      sb.append(p[i]).append('/');
    }
    return sb.toString();
  }
}
