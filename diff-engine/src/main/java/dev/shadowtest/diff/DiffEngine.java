package dev.shadowtest.diff;

import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.diff.internal.BodyComparator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares responses under {@link Rules}: status, headers (ignore list, case-insensitive names,
 * repeated values in order), then the body by its kind. Thread-safe and immutable.
 *
 * <pre>{@code
 * DiffEngine engine = DiffEngine.of(Rules.load(Path.of("shadow-rules.yaml")));
 * ResponseDiff d = engine.compare(exchange.request(), exchange.response(), candidateResponse);
 * }</pre>
 */
public final class DiffEngine {

  private final Rules rules;

  private DiffEngine(Rules rules) {
    this.rules = rules;
  }

  public static DiffEngine of(Rules rules) {
    return new DiffEngine(rules);
  }

  public Rules rules() {
    return rules;
  }

  /** The rule that applies to {@code request}. */
  public EndpointRule ruleFor(HttpRequest request) {
    return rules.ruleFor(request.method(), request.target());
  }

  /** Compares under the rule for {@code request}. */
  public ResponseDiff compare(HttpRequest request, HttpResponse expected, HttpResponse actual) {
    return compare(expected, actual, ruleFor(request));
  }

  public ResponseDiff compare(HttpResponse expected, HttpResponse actual, EndpointRule rule) {
    List<Difference> out = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (expected.status() != actual.status()) {
      out.add(new Difference("status", "status", DifferenceType.STATUS,
          Integer.toString(expected.status()), Integer.toString(actual.status())));
    }
    headers(expected.headers(), actual.headers(), rule, out);
    BodyComparator.compare(expected.body(), expected.headers(), actual.body(), actual.headers(), rule.json(), out, notes);
    return new ResponseDiff(out, notes);
  }

  private static void headers(Headers expected, Headers actual, EndpointRule rule, List<Difference> out) {
    Map<String, List<String>> e = byName(expected, rule);
    Map<String, List<String>> a = byName(actual, rule);
    Map<String, String> display = new LinkedHashMap<>();
    expected.forEach(f -> display.putIfAbsent(f.name().toLowerCase(Locale.ROOT), f.name()));
    actual.forEach(f -> display.putIfAbsent(f.name().toLowerCase(Locale.ROOT), f.name()));
    for (Map.Entry<String, String> name : display.entrySet()) {
      List<String> ev = e.get(name.getKey());
      List<String> av = a.get(name.getKey());
      if (ev == null && av == null || ev != null && av != null && values(name.getKey(), ev).equals(values(name.getKey(), av))) {
        continue;
      }
      String path = "header:" + name.getValue();
      out.add(new Difference(path, "header:" + name.getKey(), DifferenceType.HEADER,
          ev == null ? null : String.join(", ", ev), av == null ? null : String.join(", ", av)));
    }
  }

  /**
   * A header's values as a list: repeated fields and comma-joined values are the same thing in
   * HTTP ({@code X-A: 1} + {@code X-A: 2} is {@code X-A: 1, 2}), except Set-Cookie.
   */
  private static List<String> values(String lowerName, List<String> raw) {
    if (lowerName.equals("set-cookie")) {
      return raw;
    }
    List<String> out = new ArrayList<>();
    for (String v : raw) {
      for (String part : v.split(",")) {
        out.add(part.strip());
      }
    }
    return out;
  }

  private static Map<String, List<String>> byName(Headers headers, EndpointRule rule) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Headers.Field f : headers) {
      if (!rule.ignoresHeader(f.name())) {
        out.computeIfAbsent(f.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(f.value());
      }
    }
    return out;
  }
}
