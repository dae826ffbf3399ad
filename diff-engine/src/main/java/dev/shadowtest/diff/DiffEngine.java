package dev.shadowtest.diff;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.diff.internal.Bodies;
import dev.shadowtest.diff.internal.DifferenceList;
import dev.shadowtest.diff.internal.OriginNormalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compares responses under {@link Rules}: status, headers (ignore list, case-insensitive names,
 * repeated values in order, value patterns), then the body by its kind. Each side's own address
 * ({@link Origin}) is normalised first, unless the rules turn that off. Thread-safe and immutable.
 *
 * <p>Two comparisons: {@link #compare} of a baseline with the candidate (the rule's projection
 * applies, and differences the rule accepts are marked), and {@link #compareLegacy} of two
 * legacy instances, which measures noise (no projection, nothing accepted). Both use the rule's
 * {@code byStatus} keys for the first response's status.
 *
 * <pre>{@code
 * DiffEngine engine = DiffEngine.of(Rules.load(Path.of("shadow-rules.yaml")));
 * ResponseDiff d = engine.compare(exchange.request(), exchange.response(), candidateResponse);
 * }</pre>
 */
public final class DiffEngine {

  /**
   * Differences kept per comparison; beyond, one {@code (more differences)} difference counts
   * the rest (and is never noise): memory and result lines stay bounded whatever the bodies.
   */
  public static final int MAX_DIFFERENCES = 1_000;

  private final Rules rules;

  /** Normalizers by pair of origins: a run has few (one per target, and per recorded Host). */
  private final ConcurrentHashMap<List<Origin>, OriginNormalizer> normalizers =
      new ConcurrentHashMap<>();

  private DiffEngine(Rules rules) {
    this.rules = rules;
  }

  /** The last pair of origins normalised, and its normaliser. */
  private record LastPair(Origin a, Origin b, OriginNormalizer normalizer) {}

  /**
   * A run compares the same few origins (the same instances, from the judge's cache) for every
   * exchange: the last pair is told by identity, without hashing a key.
   */
  private volatile LastPair last;

  private OriginNormalizer normalizer(Origin a, Origin b) {
    if (a.isEmpty() && b.isEmpty()) {
      return OriginNormalizer.NONE;
    }
    LastPair l = last;
    if (l != null && l.a() == a && l.b() == b) {
      return l.normalizer();
    }
    OriginNormalizer found = normalizerFor(a, b);
    last = new LastPair(a, b, found);
    return found;
  }

  private OriginNormalizer normalizerFor(Origin a, Origin b) {
    List<Origin> key = List.of(a, b);
    OriginNormalizer n = normalizers.get(key);
    if (n == null) {
      if (normalizers.size() > 1024) {
        normalizers.clear(); // bounded whatever the recorded Hosts
      }
      n = OriginNormalizer.of(a, b);
      normalizers.put(key, n);
    }
    return n;
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

  /** Compares a baseline with the candidate's response under the rule for {@code request}. */
  public ResponseDiff compare(HttpRequest request, HttpResponse expected, HttpResponse actual) {
    return compare(expected, actual, ruleFor(request));
  }

  /** Compares a baseline with the candidate's response, neither with a known address. */
  public ResponseDiff compare(HttpResponse expected, HttpResponse actual, EndpointRule rule) {
    return compare(expected, Origin.NONE, actual, Origin.NONE, rule);
  }

  /**
   * Compares a baseline ({@code expected}, recorded or from the primary) with the candidate's
   * response: the rule's {@code baselineRoot}/{@code candidateRoot} projection applies, and the
   * differences its {@code accepted} entries cover are marked accepted.
   */
  public ResponseDiff compare(
      HttpResponse expected,
      Origin expectedOrigin,
      HttpResponse actual,
      Origin actualOrigin,
      EndpointRule rule) {
    EndpointRule r = rule.forStatus(expected.status());
    ResponseDiff d =
        diff(
            expected,
            actual,
            r.normalizeOrigins() ? normalizer(expectedOrigin, actualOrigin) : OriginNormalizer.NONE,
            r,
            true);
    return r.accepted().isEmpty()
        ? d
        : new ResponseDiff(r.markAccepted(d.differences()), d.notes());
  }

  /** Compares two legacy instances (primary with secondary): what differs between them is noise. */
  public ResponseDiff compareLegacy(
      HttpResponse primary,
      Origin primaryOrigin,
      HttpResponse secondary,
      Origin secondaryOrigin,
      EndpointRule rule) {
    EndpointRule r = rule.forStatus(primary.status());
    return diff(
        primary,
        secondary,
        r.normalizeOrigins() ? normalizer(primaryOrigin, secondaryOrigin) : OriginNormalizer.NONE,
        r,
        false);
  }

  /**
   * The stored form of a comparison for re-judging ({@link StoredPair}): what {@link
   * #compare(StoredPair, EndpointRule)} judges as this engine judges the responses themselves.
   * {@code rule} is the exchange's rule under this engine's rules (its normalizeOrigins decides
   * whether addresses are replaced).
   */
  public StoredPair store(
      HttpResponse expected,
      Origin expectedOrigin,
      HttpResponse actual,
      Origin actualOrigin,
      EndpointRule rule,
      Pseudonyms shared) {
    Pseudonyms pseudonyms = shared.memoized(); // the two sides mostly hold the same values
    EndpointRule r = rule.forStatus(expected.status());
    OriginNormalizer n = normalizer(expectedOrigin, actualOrigin);
    Boolean normalized = n.isNone() ? null : r.normalizeOrigins();
    OriginNormalizer origins = r.normalizeOrigins() ? n : OriginNormalizer.NONE;
    List<String> raw = rules.normalizedHeaders();
    List<String> notes = new ArrayList<>();
    Bodies.Prepared b =
        Bodies.prepare(
            expected.body(),
            expected.headers(),
            actual.body(),
            actual.headers(),
            origins,
            pseudonyms,
            notes);
    return new StoredPair(
        new HttpResponse(
            expected.status(),
            expected.reason(),
            storedHeaders(expected.headers(), origins, raw, pseudonyms),
            b.expected() == null ? Body.none() : b.expected()),
        new HttpResponse(
            actual.status(),
            actual.reason(),
            storedHeaders(actual.headers(), origins, raw, pseudonyms),
            b.actual() == null ? Body.none() : b.actual()),
        b.expected() == null ? StoredPair.UNSTORED + b.comparator() : b.comparator(),
        normalized,
        raw,
        notes);
  }

  /** Header values as the comparison reads them (split at commas but Set-Cookie), pseudonymised. */
  private static Headers storedHeaders(
      Headers headers, OriginNormalizer origins, List<String> raw, Pseudonyms p) {
    List<Headers.Field> out = new ArrayList<>();
    for (Headers.Field f : headers) {
      String lower = f.name().toLowerCase(Locale.ROOT);
      String v = origins.apply(f.value());
      if (!lower.equals("content-type") && !raw.contains(lower)) {
        if (lower.equals("set-cookie")) {
          v = p.of(v);
        } else if (v.indexOf(',') < 0) {
          v = p.of(v.strip()); // one part, as split gives it (most values: no list)
        } else {
          // split as the comparison splits (values()): trailing empty parts dropped, and a value
          // of commas alone, which holds no part, kept as it is
          List<String> split = listParts(v);
          if (!split.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (String part : split) {
              parts.add(p.of(part));
            }
            v = String.join(", ", parts);
          }
        }
      }
      out.add(new Headers.Field(f.name(), v));
    }
    return Headers.of(out);
  }

  /**
   * Judges a stored pair of a baseline and the candidate's response as {@link #compare(HttpResponse,
   * Origin, HttpResponse, Origin, EndpointRule)} judged them. The caller checks first that the
   * rule can judge the stored form ({@link StoredPair}).
   */
  public ResponseDiff compare(StoredPair stored, EndpointRule rule) {
    EndpointRule r = rule.forStatus(stored.expected().status());
    ResponseDiff d = stored(stored, r, true);
    return r.accepted().isEmpty()
        ? d
        : new ResponseDiff(r.markAccepted(d.differences()), d.notes());
  }

  /** Judges a stored pair of two legacy instances as {@link #compareLegacy} judged them. */
  public ResponseDiff compareLegacy(StoredPair stored, EndpointRule rule) {
    return stored(stored, rule.forStatus(stored.expected().status()), false);
  }

  private static ResponseDiff stored(StoredPair s, EndpointRule r, boolean candidate) {
    ResponseDiff d =
        diff(
            s.expected(),
            s.actual(),
            OriginNormalizer.NONE,
            r,
            candidate,
            BodyComparators.named(s.kind()));
    if (s.notes().isEmpty()) {
      return d;
    }
    List<String> notes = new ArrayList<>(s.notes());
    notes.addAll(d.notes());
    return new ResponseDiff(d.differences(), notes);
  }

  private static ResponseDiff diff(
      HttpResponse expected,
      HttpResponse actual,
      OriginNormalizer origins,
      EndpointRule rule,
      boolean candidate) {
    return diff(expected, actual, origins, rule, candidate, null);
  }

  private static ResponseDiff diff(
      HttpResponse expected,
      HttpResponse actual,
      OriginNormalizer origins,
      EndpointRule rule,
      boolean candidate,
      BodyComparator stored) {
    DifferenceList out = new DifferenceList(MAX_DIFFERENCES);
    List<String> notes = new ArrayList<>();
    if (expected.status() != actual.status()) {
      out.add(
          Difference.at(
              new Location.Status(),
              "status",
              DifferenceType.STATUS,
              Integer.toString(expected.status()),
              Integer.toString(actual.status())));
    }
    headers(expected.headers(), actual.headers(), rule, origins, out);
    Bodies.compare(
        expected.body(),
        expected.headers(),
        actual.body(),
        actual.headers(),
        new Bodies.Options(
            rule.json(),
            origins,
            candidate ? rule.baselineRoot() : null,
            candidate ? rule.candidateRoot() : null,
            rule.comparators(),
            stored),
        out,
        notes);
    return new ResponseDiff(out.finish(), notes);
  }

  private static void headers(
      Headers expected,
      Headers actual,
      EndpointRule rule,
      OriginNormalizer origins,
      List<Difference> out) {
    if (sameInOrder(expected, actual, rule, origins)) {
      return; // the common case of a match, told without building the maps below
    }
    Map<String, Named> e = byName(expected, rule, origins);
    Map<String, Named> a = byName(actual, rule, origins);
    // every name compared once, as the expected side spells it, else as the actual side does;
    // in the expected side's order, then the actual side's (ignored names are on neither)
    Map<String, Named> names = new LinkedHashMap<>(e);
    a.forEach(names::putIfAbsent);
    for (Map.Entry<String, Named> name : names.entrySet()) {
      Named en = e.get(name.getKey());
      Named an = a.get(name.getKey());
      List<String> ev = en == null ? null : en.values();
      List<String> av = an == null ? null : an.values();
      if (ev != null
          && av != null
          && (ev.equals(av) || values(name.getKey(), ev).equals(values(name.getKey(), av)))) {
        continue;
      }
      // typed, so that noise of one kind (values differ) never excuses another (header dropped)
      DifferenceType type =
          av == null
              ? DifferenceType.MISSING
              : ev == null ? DifferenceType.EXTRA : DifferenceType.VALUE;
      out.add(
          Difference.at(
              new Location.Header(name.getValue().display()),
              new Location.Header(name.getKey()).path(),
              type,
              ev == null ? null : String.join(", ", ev),
              av == null ? null : String.join(", ", av)));
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
      out.addAll(listParts(v));
    }
    return out;
  }

  /**
   * The parts of a list-valued header value, stripped: split at commas outside quoted strings
   * ({@code attachment; filename="a,b.txt"} is one part, and differs from {@code "a, b.txt"}),
   * trailing empty parts dropped.
   */
  static List<String> listParts(String v) {
    if (v.indexOf(',') < 0) {
      return List.of(v.strip()); // most values: one part (an empty value too)
    }
    List<String> out = new ArrayList<>(2);
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (quoted && c == '\\') {
        i++; // an escaped character of a quoted string
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        out.add(v.substring(start, i).strip());
        start = i + 1;
      }
    }
    out.add(v.substring(start).strip());
    while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /**
   * True when both sides have the same headers that are compared, in the same order, with the same
   * values once normalised, names in any case: then {@link #byName} would build equal maps, and
   * there is no difference.
   */
  private static boolean sameInOrder(
      Headers expected, Headers actual, EndpointRule rule, OriginNormalizer origins) {
    List<Headers.Field> e = expected.asList();
    List<Headers.Field> a = actual.asList();
    int i = 0;
    int j = 0;
    while (i < e.size() && j < a.size()) {
      Headers.Field x = e.get(i);
      Headers.Field y = a.get(j);
      if (x.name().equals(y.name())) { // the same spelling: ignored on both sides, or on neither
        if (!x.value().equals(y.value())
            && !rule.ignoresHeader(x.name())
            && !normalizedEqual(x, y, rule, origins)) {
          return false;
        }
        i++;
        j++;
      } else if (rule.ignoresHeader(x.name())) {
        i++;
      } else if (rule.ignoresHeader(y.name())) {
        j++;
      } else if (x.name().toLowerCase(Locale.ROOT).equals(y.name().toLowerCase(Locale.ROOT))
          && (x.value().equals(y.value()) || normalizedEqual(x, y, rule, origins))) {
        i++;
        j++;
      } else {
        return false;
      }
    }
    for (; i < e.size(); i++) {
      if (!rule.ignoresHeader(e.get(i).name())) {
        return false;
      }
    }
    for (; j < a.size(); j++) {
      if (!rule.ignoresHeader(a.get(j).name())) {
        return false;
      }
    }
    return true;
  }

  private static boolean normalizedEqual(
      Headers.Field x, Headers.Field y, EndpointRule rule, OriginNormalizer origins) {
    return rule.normalizeHeader(x.name(), origins.apply(x.value()))
        .equals(rule.normalizeHeader(y.name(), origins.apply(y.value())));
  }

  /** A header's values on one side, and its name as that side first spelled it. */
  private record Named(String display, List<String> values) {}

  /** The headers not ignored, by lower-case name, in the order their names first appear. */
  private static Map<String, Named> byName(
      Headers headers, EndpointRule rule, OriginNormalizer origins) {
    Map<String, Named> out = new LinkedHashMap<>();
    for (Headers.Field f : headers) {
      if (!rule.ignoresHeader(f.name())) {
        String lower = f.name().toLowerCase(Locale.ROOT);
        Named n = out.get(lower);
        if (n == null) {
          n = new Named(f.name(), new ArrayList<>(2));
          out.put(lower, n);
        }
        n.values().add(rule.normalizeHeader(lower, origins.apply(f.value())));
      }
    }
    return out;
  }
}
