package dev.shadowtest.cli;

/**
 * Recorded data (targets, header values, bodies, ids) is attacker-controlled: printed raw, an
 * escape sequence in a target could rewrite the user's terminal. Everything recorded goes through
 * {@link #safe} before it is printed: control characters (C0, DEL, C1) and the bidirectional
 * overrides become visible {@code \\uXXXX} escapes.
 */
final class Terminal {

  private Terminal() {}

  static String safe(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean control =
          c < 0x20
              || c >= 0x7f && c <= 0x9f
              || c >= 0x202a && c <= 0x202e
              || c >= 0x2066 && c <= 0x2069;
      if (control) {
        if (out == null) {
          out = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        out.append(String.format("\\u%04x", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }
}
