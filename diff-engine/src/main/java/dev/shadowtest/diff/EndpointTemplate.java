package dev.shadowtest.diff;

import dev.shadowtest.core.BadInputException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An endpoint: a method (or {@code *} for any), a path template whose {@code {name}} segments
 * match any one segment, and optionally query parameter names (with values where given) that a
 * request's query must contain: {@code GET /api/users/{id}}, {@code GET /posts?_page&_limit},
 * {@code GET /posts?_sort=views}.
 *
 * <pre>{@code
 * EndpointTemplate t = EndpointTemplate.parse("GET /posts?_page");
 * t.matches("GET", "/posts?_page=2&_limit=10");   // true: the query has at least these names
 * t.matches("GET", "/posts");                     // false
 * }</pre>
 */
public final class EndpointTemplate {

  private final String method;
  private final List<String> segments; // literal, or null for a parameter
  private final List<String>
      parameterNames; // per segment: the parameter's name, or null for a literal
  private final Map<String, String>
      query; // name -> required value, or null for "any value"; sorted
  private final String text;

  private EndpointTemplate(
      String method,
      List<String> segments,
      List<String> parameterNames,
      Map<String, String> query,
      String text) {
    this.method = method;
    this.segments = segments;
    this.parameterNames = parameterNames;
    this.query = query;
    this.text = text;
  }

  /**
   * Parses {@code "METHOD /path/{param}"} or {@code "METHOD /path?name&name=value"}.
   *
   * @throws BadInputException when malformed
   */
  public static EndpointTemplate parse(String text) {
    Objects.requireNonNull(text, "endpoint");
    String t = text.strip();
    int sp = t.indexOf(' ');
    if (sp <= 0) {
      throw new BadInputException(
          "expected \"METHOD /path\" (e.g. \"GET /api/users/{id}\"), got \"" + text + "\"");
    }
    String method = t.substring(0, sp);
    String rest = t.substring(sp + 1).strip();
    if (!method.equals("*")
        && !method.chars().allMatch(c -> c > 32 && c < 127 && c != '/' && c != '{')) {
      throw new BadInputException("bad method \"" + method + "\" in \"" + text + "\"");
    }
    int q = rest.indexOf('?');
    String path = q < 0 ? rest : rest.substring(0, q);
    if (!path.startsWith("/")) {
      throw new BadInputException("path must start with '/' in \"" + text + "\"");
    }
    Map<String, String> query = new TreeMap<>();
    if (q >= 0) {
      String qs = rest.substring(q + 1);
      if (qs.isEmpty()) {
        throw new BadInputException(
            "expected query parameter names after '?' (e.g. \"GET /posts?_page&_limit\"), got \""
                + text
                + "\"");
      }
      for (String part : qs.split("&", -1)) {
        int eq = part.indexOf('=');
        String name = eq < 0 ? part : part.substring(0, eq);
        if (name.isEmpty() || name.contains("{") || name.contains("}")) {
          throw new BadInputException(
              "bad query parameter name \""
                  + part
                  + "\" in \""
                  + text
                  + "\" (names only, or name=value; no parameters)");
        }
        String decoded = decode(name);
        if (query.containsKey(decoded)) {
          throw new BadInputException(
              "query parameter \"" + name + "\" is given twice in \"" + text + "\"");
        }
        query.put(decoded, eq < 0 ? null : decode(part.substring(eq + 1)));
      }
    }
    List<String> segments = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String s : split(path)) {
      if (s.startsWith("{") && s.endsWith("}") && s.length() > 2) {
        segments.add(null);
        names.add(s.substring(1, s.length() - 1));
      } else if (s.contains("{") || s.contains("}")) {
        throw new BadInputException(
            "a parameter must be a whole segment like {id}, got \"" + s + "\" in \"" + text + "\"");
      } else {
        segments.add(s);
        names.add(null);
      }
    }
    String m = method.equals("*") ? "*" : method.toUpperCase(Locale.ROOT);
    return new EndpointTemplate(
        m,
        segments,
        names,
        Collections.unmodifiableMap(query),
        m + " " + path + (q < 0 ? "" : "?" + rest.substring(q + 1)));
  }

  /** True when this template covers a request with {@code method} and {@code target}. */
  public boolean matches(String requestMethod, String target) {
    if (!method.equals("*") && !method.equalsIgnoreCase(requestMethod)) {
      return false;
    }
    List<String> parts = split(resourcePath(target));
    if (parts.size() != segments.size()) {
      return false;
    }
    for (int i = 0; i < parts.size(); i++) {
      String s = segments.get(i);
      if (s != null && !s.equals(parts.get(i))) {
        return false;
      }
    }
    if (query.isEmpty()) {
      return true;
    }
    Map<String, List<String>> actual = queryOf(target);
    for (Map.Entry<String, String> want : query.entrySet()) {
      List<String> values = actual.get(want.getKey());
      if (values == null || want.getValue() != null && !values.contains(want.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** How many query parameters this template requires: among matching entries, more wins. */
  public int queryNameCount() {
    return query.size();
  }

  /** The template without its query part ({@code GET /posts} for {@code GET /posts?_page}). */
  public String pathText() {
    int q = text.indexOf('?');
    return q < 0 ? text : text.substring(0, q);
  }

  /**
   * The values of this template's path parameters in {@code target}, by name ({@code {id}} →
   * "42"); empty when the path does not fit the template.
   */
  public Map<String, String> parameters(String target) {
    List<String> parts = split(resourcePath(target));
    Map<String, String> out = new LinkedHashMap<>();
    if (parts.size() != segments.size()) {
      return out;
    }
    for (int i = 0; i < parts.size(); i++) {
      if (parameterNames.get(i) != null) {
        out.putIfAbsent(parameterNames.get(i), parts.get(i));
      }
    }
    return out;
  }

  /** The index of the path segment that holds parameter {@code name}, or -1 when it has none. */
  int parameterIndex(String name) {
    return parameterNames.indexOf(name);
  }

  /** The path part of a request target. */
  static String pathOf(String target) {
    int q = target.indexOf('?');
    String p = q < 0 ? target : target.substring(0, q);
    int h = p.indexOf('#');
    return h < 0 ? p : p.substring(0, h);
  }

  /**
   * The path that names the resource of {@code target}, for endpoint names and matching: {@link
   * #pathOf} without the scheme and authority of the absolute form and without {@code
   * ;jsessionid=} path parameters.
   */
  static String resourcePath(String target) {
    String p = originPath(target);
    if (p.indexOf(';') >= 0) {
      // a servlet session id in the path (;jsessionid=...) names a session, not a resource
      p = JSESSIONID.matcher(p).replaceAll("");
    }
    return p;
  }

  /** {@link #pathOf}, without the scheme and authority of the absolute form a client sends a proxy. */
  static String originPath(String target) {
    String p = pathOf(target);
    if (!p.startsWith("/")
        && (p.regionMatches(true, 0, "http://", 0, 7)
            || p.regionMatches(true, 0, "https://", 0, 8))) {
      // the absolute form a client sends a proxy: the path is what names the resource
      int slash = p.indexOf('/', p.indexOf("://") + 3);
      p = slash < 0 ? "/" : p.substring(slash);
    }
    return p;
  }

  static final java.util.regex.Pattern JSESSIONID =
      java.util.regex.Pattern.compile("(?i);jsessionid=[^/;]*");

  /** The raw query string of a target (without '?' and fragment), or null when it has none. */
  static String rawQueryOf(String target) {
    int q = target.indexOf('?');
    if (q < 0) {
      return null;
    }
    int h = target.indexOf('#', q);
    return h < 0 ? target.substring(q + 1) : target.substring(q + 1, h);
  }

  /** The decoded query parameters of a target, names in order of first appearance. */
  static Map<String, List<String>> queryOf(String target) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    String raw = rawQueryOf(target);
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = decode(eq < 0 ? part : part.substring(0, eq));
      out.computeIfAbsent(name, k -> new ArrayList<>())
          .add(eq < 0 ? "" : decode(part.substring(eq + 1)));
    }
    return out;
  }

  static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // a stray '%': compared as written
    }
  }

  static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    int start = 1;
    for (int i = 1; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        out.add(path.substring(start, i));
        start = i + 1;
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EndpointTemplate other
        && method.equals(other.method)
        && segments.equals(other.segments)
        && query.equals(other.query);
  }

  @Override
  public int hashCode() {
    return (method.hashCode() * 31 + segments.hashCode()) * 31 + query.hashCode();
  }
}
