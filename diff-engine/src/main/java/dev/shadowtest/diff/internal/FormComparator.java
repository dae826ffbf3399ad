package dev.shadowtest.diff.internal;

import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.Location;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code application/x-www-form-urlencoded} bodies compared as multimaps: order of keys is free. */
final class FormComparator {

  private FormComparator() {}

  static void compare(byte[] expected, byte[] actual, List<Difference> out) {
    Map<String, List<String>> e = parse(new String(expected, StandardCharsets.UTF_8));
    Map<String, List<String>> a = parse(new String(actual, StandardCharsets.UTF_8));
    Set<String> keys = new LinkedHashSet<>(e.keySet());
    keys.addAll(a.keySet());
    for (String k : keys) {
      List<String> ev = e.get(k);
      List<String> av = a.get(k);
      String path = new Location.Form(k).path();
      if (ev == null) {
        out.add(new Difference(path, path, DifferenceType.EXTRA, null, String.join(", ", av)));
      } else if (av == null) {
        out.add(new Difference(path, path, DifferenceType.MISSING, String.join(", ", ev), null));
      } else if (!ev.equals(av)) {
        out.add(
            new Difference(
                path, path, DifferenceType.VALUE, String.join(", ", ev), String.join(", ", av)));
      }
    }
  }

  static Map<String, List<String>> parse(String body) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return out;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "\u0000undecodable:" + s; // never equal to a correctly encoded value
    }
  }
}
