package dev.shadowtest.diff.internal;

import dev.shadowtest.diff.Origin;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces the addresses of both sides of a comparison by placeholders, in header values and
 * in body bytes. Both sides are normalised with the union of their addresses: a body that
 * mentions the other side's address literally stays comparable. Longest patterns first, so a
 * URL is replaced whole before its authority could be. Also the JSON-escaped form of URLs
 * ({@code http:\/\/host}), as PHP and some Java serialisers write them.
 */
public final class OriginNormalizer {

  /** Does nothing. */
  public static final OriginNormalizer NONE = new OriginNormalizer(List.of(), List.of());

  private final List<String> from;
  private final List<String> to;
  private final List<byte[]> fromBytes;
  private final List<byte[]> toBytes;

  private OriginNormalizer(List<String> from, List<String> to) {
    this.from = from;
    this.to = to;
    this.fromBytes = from.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    this.toBytes = to.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
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
    keys.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
    List<String> values = keys.stream().map(pairs::get).toList();
    return new OriginNormalizer(List.copyOf(keys), values);
  }

  public boolean isNone() {
    return from.isEmpty();
  }

  /** {@code value} with every address replaced (the same object when none occurs). */
  public String apply(String value) {
    if (value == null || from.isEmpty()) {
      return value;
    }
    String out = value;
    for (int i = 0; i < from.size(); i++) {
      if (out.contains(from.get(i))) {
        out = out.replace(from.get(i), to.get(i));
      }
    }
    return out;
  }

  /** {@code body} with every address replaced (the same array when none occurs). */
  public byte[] apply(byte[] body) {
    if (from.isEmpty() || body.length == 0) {
      return body;
    }
    byte[] out = body;
    for (int i = 0; i < fromBytes.size(); i++) {
      out = replace(out, fromBytes.get(i), toBytes.get(i));
    }
    return out;
  }

  private static byte[] replace(byte[] in, byte[] pattern, byte[] replacement) {
    int first = indexOf(in, pattern, 0);
    if (first < 0) {
      return in;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length);
    int from = 0;
    for (int at = first; at >= 0; at = indexOf(in, pattern, from)) {
      out.write(in, from, at - from);
      out.write(replacement, 0, replacement.length);
      from = at + pattern.length;
    }
    out.write(in, from, in.length - from);
    return out.toByteArray();
  }

  private static int indexOf(byte[] in, byte[] p, int start) {
    byte first = p[0];
    int last = in.length - p.length;
    outer:
    for (int i = start; i <= last; i++) {
      if (in[i] != first) {
        continue;
      }
      for (int j = 1; j < p.length; j++) {
        if (in[i + j] != p[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
