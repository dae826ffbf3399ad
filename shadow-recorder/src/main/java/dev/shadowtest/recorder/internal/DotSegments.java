package dev.shadowtest.recorder.internal;

/**
 * Whether a request path climbs above its root once an upstream has decoded and normalised it
 * ({@code /../admin}, {@code /%2e%2e/admin}, {@code /a/../../admin}): forwarded below an upstream's
 * base path, such a target would reach the upstream outside that path. Read as upstreams read
 * paths in the worst case: percent-escapes decoded (up to {@value #DECODINGS} times, for servers
 * that decode twice), {@code \} as a separator, {@code ;parameters} ignored ({@code ..;}), and
 * the overlong UTF-8 forms of {@code .}, {@code /} and {@code \}.
 */
final class DotSegments {

  static final int DECODINGS = 3;

  private DotSegments() {}

  /** True when {@code target} (a path, with or without its query) goes above its root at some level of decoding. */
  static boolean climbOut(String target) {
    int end = target.length();
    for (char c : new char[] {'?', '#'}) {
      int i = target.indexOf(c);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    String path = target.substring(0, end);
    for (int i = 0; i <= DECODINGS; i++) {
      if (climbs(path)) {
        return true;
      }
      String decoded = decode(path);
      if (decoded.equals(path)) {
        return false;
      }
      path = decoded;
    }
    return false;
  }

  private static boolean climbs(String path) {
    int depth = 0;
    for (String segment : path.split("[/\\\\]", -1)) {
      int semicolon = segment.indexOf(';');
      String s = semicolon < 0 ? segment : segment.substring(0, semicolon);
      if (s.equals("..")) {
        if (--depth < 0) {
          return true;
        }
      } else if (!s.isEmpty() && !s.equals(".")) {
        depth++;
      }
    }
    return false;
  }

  /** One round of percent-decoding, byte by byte (only dots and separators matter here). */
  private static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int hi = i + 2 < s.length() && c == '%' ? Character.digit(s.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
      if (lo >= 0) {
        out.append((char) (hi * 16 + lo));
        i += 2;
      } else {
        out.append(c);
      }
    }
    return out.toString()
        .replace("\u00c0\u00ae", ".")
        .replace("\u00c0\u00af", "/")
        .replace("\u00c1\u009c", "\\");
  }
}
