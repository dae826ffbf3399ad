package dev.shadowtest.diff;

import java.util.Locale;

/**
 * Where a difference is, typed: what {@link Difference#path()} holds as a string on disk (results
 * lines, the CSV), read back once here so that no reader parses the strings itself.
 *
 * <pre>{@code
 * if (difference.location() instanceof Location.TextLines l) {
 *   highlight(l.from(), l.to());
 * }
 * }</pre>
 */
public sealed interface Location {

  /** The string form kept on disk ({@code header:ETag}, {@code $.items[3].price}...). */
  String path();

  /** The status line: {@code status}. */
  record Status() implements Location {
    @Override
    public String path() {
      return "status";
    }
  }

  /** A header, as the baseline (or the candidate) spelled its name: {@code header:Name}. */
  record Header(String name) implements Location {
    @Override
    public String path() {
      return "header:" + name;
    }

    /** The name in lower case: headers are matched whatever their case. */
    public String lowerName() {
      return name.toLowerCase(Locale.ROOT);
    }
  }

  /** A place in a JSON body: a concrete JSON path ({@code $.items[3].price}). */
  record Json(String jsonPath) implements Location {
    @Override
    public String path() {
      return jsonPath;
    }
  }

  /** A place in an XML body: {@code /order/line[2]/@sku}, {@code /order/text()}. */
  record Xml(String xmlPath) implements Location {
    @Override
    public String path() {
      return xmlPath;
    }
  }

  /** A field of a form body: {@code form:name}. */
  record Form(String key) implements Location {
    @Override
    public String path() {
      return "form:" + key;
    }
  }

  /** Lines {@code from}..{@code to} (1-based, inclusive) of a text body: {@code body:lines 5-7}. */
  record TextLines(int from, int to) implements Location {
    @Override
    public String path() {
      return from == to ? "body:line " + from : "body:lines " + from + "-" + to;
    }
  }

  /**
   * One word of one line of a text body, when the line kept its shape (the same words between the
   * same delimiters) and only some words changed: {@code body:line 3 token 7} (both 1-based; the
   * token counts the words of the line, delimiters aside). Noise learned on one word (a CSRF
   * token, a timestamp) excuses that word only, never another of the same line.
   */
  record TextToken(int line, int token) implements Location {
    @Override
    public String path() {
      return "body:line " + line + " token " + token;
    }
  }

  /** A whole body (binary, or cut at capture): {@code body}. */
  record WholeBody() implements Location {
    @Override
    public String path() {
      return "body";
    }
  }

  /** Anything else (the count of differences beyond the cap; a path of a comparator of one's own). */
  record Other(String other) implements Location {
    @Override
    public String path() {
      return other;
    }
  }

  /** The location a path string names. */
  static Location parse(String path) {
    if (path.equals("status")) {
      return new Status();
    }
    if (path.startsWith("header:")) {
      return new Header(path.substring("header:".length()));
    }
    if (path.startsWith("$")) {
      return new Json(path);
    }
    if (path.startsWith("/")) {
      return new Xml(path);
    }
    if (path.startsWith("form:")) {
      return new Form(path.substring("form:".length()));
    }
    if (path.equals("body")) {
      return new WholeBody();
    }
    if (path.startsWith("body:line ") && path.contains(" token ")) {
      String[] parts = path.substring("body:line ".length()).split(" token ", -1);
      try {
        return parts.length == 2
            ? new TextToken(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]))
            : new Other(path);
      } catch (NumberFormatException e) {
        return new Other(path);
      }
    }
    if (path.startsWith("body:line")) {
      String range = path.substring(path.indexOf(' ') + 1);
      int dash = range.indexOf('-');
      try {
        int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
        int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
        return new TextLines(from, to);
      } catch (NumberFormatException e) {
        return new Other(path);
      }
    }
    return new Other(path);
  }
}
