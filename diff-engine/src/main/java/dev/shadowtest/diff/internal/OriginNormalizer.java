package dev.shadowtest.diff.internal;

import dev.shadowtest.diff.Origin;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces the addresses of both sides of a comparison by placeholders, in header values and
 * in body bytes. Both sides are normalised with the union of their addresses: a body that
 * mentions the other side's address literally stays comparable. Longest patterns first, so a
 * URL is replaced whole before its authority could be. Also the JSON-escaped form of URLs
 * ({@code http:\/\/host}), as PHP and some Java serialisers write them.
 */
public final class OriginNormalizer {

  /** Does nothing. */
  public static final OriginNormalizer NONE = new OriginNormalizer(List.of(), List.of(), List.of());

  private final List<String> from;
  private final List<String> to;

  /** The bare authorities: every pattern contains one of them. */
  private final List<String> authorities;

  private OriginNormalizer(List<String> from, List<String> to, List<String> authorities) {
    this.from = from;
    this.to = to;
    this.authorities = authorities;
  }

  public static OriginNormalizer of(Origin a, Origin b) {
    Map<String, String> pairs = new LinkedHashMap<>();
    for (Origin o : List.of(a, b)) {
      for (String u : o.urls()) {
        pairs.put(u, Origin.URL_PLACEHOLDER);
        pairs.put(u.replace("/", "\\/"), Origin.URL_PLACEHOLDER);
      }
      for (String h : o.authorities()) {
        pairs.putIfAbsent(h, Origin.HOST_PLACEHOLDER);
      }
    }
    pairs.keySet().removeIf(String::isEmpty);
    if (pairs.isEmpty()) {
      return NONE;
    }
    List<String> keys = new ArrayList<>(pairs.keySet());
    keys.sort(
        Comparator.comparingInt(String::length)
            .reversed()
            .thenComparing(Comparator.naturalOrder()));
    List<String> values = keys.stream().map(pairs::get).toList();
    Set<String> authorities = new LinkedHashSet<>();
    for (Origin o : List.of(a, b)) {
      authorities.addAll(o.authorities());
      for (String u : o.urls()) {
        authorities.add(u.substring(u.indexOf("://") + 3));
      }
    }
    authorities.remove("");
    return new OriginNormalizer(List.copyOf(keys), values, List.copyOf(authorities));
  }

  public boolean isNone() {
    return from.isEmpty();
  }

  /** {@code value} with every address replaced (the same object when none occurs). */
  public String apply(String value) {
    if (value == null || from.isEmpty() || !containsAuthority(value)) {
      return value;
    }
    String out = value;
    for (int i = 0; i < from.size(); i++) {
      if (out.contains(from.get(i))) {
        out = replaceWhole(out, from.get(i), to.get(i));
      }
    }
    return out;
  }

  /**
   * {@code s} with every occurrence of the address {@code p} that stands as an address replaced:
   * not inside a longer name. A host {@code x} is not replaced in {@code wax}, {@code x.y},
   * {@code a.x} or {@code text/xml}'s neighbours, nor {@code h:80} in {@code h:8080}; it is in
   * {@code http://x/}, {@code "x"}, {@code x:443} or at the end of a sentence ({@code x.}).
   */
  static String replaceWhole(String s, String p, String replacement) {
    StringBuilder out = null;
    int from = 0;
    int at = s.indexOf(p);
    while (at >= 0) {
      int end = at + p.length();
      boolean startsAlone = at == 0 || !nameChar(s.charAt(at - 1)) && s.charAt(at - 1) != '.';
      boolean endsAlone =
          end == s.length()
              || !nameChar(s.charAt(end))
                  && !(s.charAt(end) == '.' && end + 1 < s.length() && nameChar(s.charAt(end + 1)));
      if (startsAlone && endsAlone) {
        if (out == null) {
          out = new StringBuilder(s.length());
        }
        out.append(s, from, at).append(replacement);
        from = end;
        at = s.indexOf(p, end);
      } else {
        at = s.indexOf(p, at + 1);
      }
    }
    return out == null ? s : out.append(s, from, s.length()).toString();
  }

  /** A character that can continue a host name or a port: letters, digits, '-' and '_'. */
  private static boolean nameChar(char c) {
    return c >= 'a' && c <= 'z'
        || c >= 'A' && c <= 'Z'
        || c >= '0' && c <= '9'
        || c == '-'
        || c == '_';
  }

  /** Every pattern holds an authority: without one, nothing can match. */
  private boolean containsAuthority(String s) {
    for (String a : authorities) {
      if (s.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code body} with every address replaced (the same array when none occurs). The patterns are
   * ASCII, so they are searched in the bytes read as Latin-1 (one char per byte: a UTF-8
   * multi-byte sequence never matches), with the JDK's intrinsic {@code indexOf}; every URL
   * pattern holds an authority, so a body that holds no authority is left after one scan each.
   */
  public byte[] apply(byte[] body) {
    if (from.isEmpty() || body.length == 0) {
      return body;
    }
    String latin1 = new String(body, StandardCharsets.ISO_8859_1);
    if (!containsAuthority(latin1)) {
      return body;
    }
    String out = apply(latin1);
    return out == latin1 ? body : out.getBytes(StandardCharsets.ISO_8859_1);
  }
}
