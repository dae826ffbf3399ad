package dev.shadowtest.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A path pattern in the documented JSONPath subset used by rules files:
 *
 * <ul>
 *   <li>{@code $} the whole body;
 *   <li>{@code .name} or {@code ['odd.key']} a member (quotes may be {@code '} or {@code "};
 *       {@code \'} escapes a quote inside);
 *   <li>{@code [3]} an array element, {@code [*]} or {@code .*} any element or member;
 *   <li>{@code ..name} the member {@code name} at any depth below.
 * </ul>
 *
 * <p>A pattern matches a concrete location, e.g. {@code $.items[*].price} matches
 * {@code $.items[7].price}; a match also covers everything below the matched location.
 *
 * <pre>{@code
 * JsonPath p = JsonPath.parse("$..traceId");
 * p.matches(List.of(JsonPath.key("meta"), JsonPath.key("traceId")));   // true
 * }</pre>
 */
public final class JsonPath {

  /** One step of a pattern. */
  sealed interface Step permits Member, Index, Wildcard, Descendant {}

  record Member(String name) implements Step {}

  record Index(int index) implements Step {}

  record Wildcard() implements Step {}

  record Descendant(String name) implements Step {}

  private final String text;
  private final List<Step> steps;

  private JsonPath(String text, List<Step> steps) {
    this.text = text;
    this.steps = List.copyOf(steps);
  }

  /** A location element: an object member name or an array index (see {@link #key}, {@link #index}). */
  public static Object key(String name) {
    return name;
  }

  public static Object index(int i) {
    return i;
  }

  /**
   * Parses {@code text}.
   *
   * @throws BadInputException naming the column of the problem
   */
  public static JsonPath parse(String text) {
    Objects.requireNonNull(text, "path");
    if (!text.startsWith("$")) {
      throw new BadInputException("path \"" + text + "\" must start with '$'");
    }
    List<Step> steps = new ArrayList<>();
    int i = 1;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '.') {
        boolean descendant = i + 1 < n && text.charAt(i + 1) == '.';
        int start = i + (descendant ? 2 : 1);
        if (start < n && text.charAt(start) == '[' && descendant) {
          throw bad(text, start, "'..' must be followed by a member name");
        }
        int end = start;
        while (end < n && text.charAt(end) != '.' && text.charAt(end) != '[') {
          end++;
        }
        String name = text.substring(start, end);
        if (name.isEmpty()) {
          throw bad(text, start, "expected a member name");
        }
        if (name.equals("*")) {
          if (descendant) {
            throw bad(text, start, "'..*' is not supported; use '..name'");
          }
          steps.add(new Wildcard());
        } else {
          steps.add(descendant ? new Descendant(name) : new Member(name));
        }
        i = end;
      } else if (c == '[') {
        int close;
        if (i + 1 < n && (text.charAt(i + 1) == '\'' || text.charAt(i + 1) == '"')) {
          char quote = text.charAt(i + 1);
          StringBuilder name = new StringBuilder();
          int j = i + 2;
          while (j < n && text.charAt(j) != quote) {
            if (text.charAt(j) == '\\' && j + 1 < n) {
              j++;
            }
            name.append(text.charAt(j));
            j++;
          }
          if (j >= n || j + 1 >= n || text.charAt(j + 1) != ']') {
            throw bad(text, i, "unclosed quoted member, expected " + quote + "]");
          }
          steps.add(new Member(name.toString()));
          close = j + 1;
        } else {
          close = text.indexOf(']', i);
          if (close < 0) {
            throw bad(text, i, "missing ']'");
          }
          String inside = text.substring(i + 1, close).strip();
          if (inside.equals("*")) {
            steps.add(new Wildcard());
          } else {
            try {
              int idx = Integer.parseInt(inside);
              if (idx < 0) {
                throw bad(text, i + 1, "negative index " + idx);
              }
              steps.add(new Index(idx));
            } catch (NumberFormatException e) {
              throw bad(
                  text,
                  i + 1,
                  "expected an index, '*' or a quoted name inside [...], got \"" + inside + "\"");
            }
          }
        }
        i = close + 1;
      } else {
        throw bad(text, i, "unexpected '" + c + "' (expected '.', '..' or '[')");
      }
    }
    if (steps.size() > 60) {
      throw bad(text, 0, "more than 60 steps");
    }
    return new JsonPath(text, steps);
  }

  private static BadInputException bad(String text, int column, String why) {
    return new BadInputException(
        "bad path \"" + text + "\" at column " + (column + 1) + ": " + why);
  }

  /**
   * True when this pattern matches {@code location} or one of its ancestors. Location elements
   * are {@link String} member names and {@link Integer} array indices.
   */
  public boolean matches(List<?> location) {
    return match(0, location, 0, true);
  }

  /** True when this pattern matches {@code location} exactly (not an ancestor). */
  public boolean matchesExactly(List<?> location) {
    return match(0, location, 0, false);
  }

  /** With {@code prefix}, a used-up pattern matches any location below too. */
  private boolean match(int s, List<?> loc, int l, boolean prefix) {
    if (s == steps.size()) {
      return prefix || l == loc.size();
    }
    if (l == loc.size()) {
      return false;
    }
    Step step = steps.get(s);
    if (step instanceof Descendant d) {
      for (int k = l; k < loc.size(); k++) {
        if (d.name().equals(loc.get(k)) && match(s + 1, loc, k + 1, prefix)) {
          return true;
        }
      }
      return false;
    }
    return stepMatches(step, loc.get(l)) && match(s + 1, loc, l + 1, prefix);
  }

  // ---- incremental matching: a location's state is the set of pattern steps reached so far, as
  // bits of a long; a comparator carries it down the tree instead of rebuilding locations.

  /** The state of the empty location ({@code $}). */
  public long start() {
    return 1L;
  }

  /** True when a location in {@code state} is matched (this pattern covers it and all below). */
  public boolean accepts(long state) {
    return (state & (1L << steps.size())) != 0;
  }

  /** The state after stepping from a location in {@code state} to its child {@code element}. */
  public long advance(long state, Object element) {
    long next = 0;
    for (int s = 0; s < steps.size(); s++) {
      if ((state & (1L << s)) == 0) {
        continue;
      }
      Step step = steps.get(s);
      if (step instanceof Descendant d) {
        next |= 1L << s; // '..' may skip this element
        if (d.name().equals(element)) {
          next |= 1L << (s + 1);
        }
      } else if (stepMatches(step, element)) {
        next |= 1L << (s + 1);
      }
    }
    return next | (state & (1L << steps.size())); // once matched, everything below is too
  }

  private static boolean stepMatches(Step step, Object element) {
    if (step instanceof Wildcard) {
      return true;
    }
    if (step instanceof Member m) {
      return m.name().equals(element);
    }
    return step instanceof Index idx && element instanceof Integer i && i == idx.index();
  }

  /**
   * The concrete location this path names, or null when it has wildcards or descendants:
   * {@code $.data[0]} is {@code ["data", 0]}.
   */
  public List<Object> location() {
    List<Object> out = new ArrayList<>(steps.size());
    for (Step step : steps) {
      if (step instanceof Member m) {
        out.add(m.name());
      } else if (step instanceof Index i) {
        out.add(i.index());
      } else {
        return null;
      }
    }
    return out;
  }

  /** The location of a rendered concrete path ({@link #render}), or null when it is not one. */
  public static List<Object> locationOf(String rendered) {
    try {
      return parse(rendered).location();
    } catch (IllegalArgumentException | BadInputException e) {
      return null;
    }
  }

  /** Renders a concrete location as a path: {@code $.items[3]['odd.key']}. */
  public static String render(List<?> location) {
    StringBuilder sb = new StringBuilder("$");
    for (Object e : location) {
      appendElement(sb, e);
    }
    return sb.toString();
  }

  /** Appends one location element in path syntax. */
  static void appendElement(StringBuilder sb, Object e) {
    if (e instanceof Integer i) {
      sb.append('[').append(i).append(']');
    } else {
      String name = (String) e;
      if (isPlain(name)) {
        sb.append('.').append(name);
      } else {
        sb.append("['").append(name.replace("\\", "\\\\").replace("'", "\\'")).append("']");
      }
    }
  }

  private static boolean isPlain(String name) {
    if (name.isEmpty() || name.equals("*")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '$')) {
        return false;
      }
    }
    return true;
  }

  /** The same location with array indices collapsed to {@code [*]}, for statistics per field. */
  public static String collapse(List<?> location) {
    StringBuilder sb = new StringBuilder("$");
    for (Object e : location) {
      if (e instanceof Integer) {
        sb.append("[*]");
      } else {
        appendElement(sb, e);
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JsonPath other && steps.equals(other.steps);
  }

  @Override
  public int hashCode() {
    return steps.hashCode();
  }
}
