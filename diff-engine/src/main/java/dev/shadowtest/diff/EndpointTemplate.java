package dev.shadowtest.diff;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An endpoint: a method (or {@code *} for any) and a path template whose {@code {name}} segments
 * match any one segment: {@code GET /api/users/{id}}. Query strings are not part of endpoints.
 *
 * <pre>{@code
 * EndpointTemplate t = EndpointTemplate.parse("GET /api/users/{id}");
 * t.matches("GET", "/api/users/42?x=1");   // true
 * }</pre>
 */
public final class EndpointTemplate {

  private final String method;
  private final List<String> segments; // literal, or null for a parameter
  private final String text;

  private EndpointTemplate(String method, List<String> segments, String text) {
    this.method = method;
    this.segments = segments;
    this.text = text;
  }

  /**
   * Parses {@code "METHOD /path/{param}"}.
   *
   * @throws IllegalArgumentException when malformed
   */
  public static EndpointTemplate parse(String text) {
    Objects.requireNonNull(text, "endpoint");
    String t = text.strip();
    int sp = t.indexOf(' ');
    if (sp <= 0) {
      throw new IllegalArgumentException("expected \"METHOD /path\" (e.g. \"GET /api/users/{id}\"), got \"" + text + "\"");
    }
    String method = t.substring(0, sp);
    String path = t.substring(sp + 1).strip();
    if (!method.equals("*") && !method.chars().allMatch(c -> c > 32 && c < 127 && c != '/' && c != '{')) {
      throw new IllegalArgumentException("bad method \"" + method + "\" in \"" + text + "\"");
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/' in \"" + text + "\"");
    }
    if (path.contains("?")) {
      throw new IllegalArgumentException("query strings are not part of endpoints: \"" + text + "\"");
    }
    List<String> segments = new ArrayList<>();
    for (String s : split(path)) {
      if (s.startsWith("{") && s.endsWith("}") && s.length() > 2) {
        segments.add(null);
      } else if (s.contains("{") || s.contains("}")) {
        throw new IllegalArgumentException("a parameter must be a whole segment like {id}, got \"" + s + "\" in \"" + text + "\"");
      } else {
        segments.add(s);
      }
    }
    String m = method.equals("*") ? "*" : method.toUpperCase(Locale.ROOT);
    return new EndpointTemplate(m, segments, m + " " + path);
  }

  /** True when this template covers a request with {@code method} and {@code target} (query ignored). */
  public boolean matches(String requestMethod, String target) {
    if (!method.equals("*") && !method.equalsIgnoreCase(requestMethod)) {
      return false;
    }
    List<String> parts = split(pathOf(target));
    if (parts.size() != segments.size()) {
      return false;
    }
    for (int i = 0; i < parts.size(); i++) {
      String s = segments.get(i);
      if (s != null && !s.equals(parts.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The path part of a request target. */
  static String pathOf(String target) {
    int q = target.indexOf('?');
    String p = q < 0 ? target : target.substring(0, q);
    int h = p.indexOf('#');
    return h < 0 ? p : p.substring(0, h);
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
    return o instanceof EndpointTemplate other && method.equals(other.method) && segments.equals(other.segments);
  }

  @Override
  public int hashCode() {
    return method.hashCode() * 31 + segments.hashCode();
  }
}
