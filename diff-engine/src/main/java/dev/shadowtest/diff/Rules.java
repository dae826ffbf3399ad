package dev.shadowtest.diff;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.HeaderNames;
import dev.shadowtest.core.JsonPath;
import dev.shadowtest.diff.run.Trigger;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Comparison rules, read from a YAML file (docs/rules.md). Immutable once
 * loaded. Every problem names the file, the line and the key: unknown keys, bad paths, bad
 * values and duplicate endpoints are errors, never silently ignored.
 *
 * <pre>{@code
 * Rules rules = Rules.load(Path.of("shadow-rules.yaml"));
 * EndpointRule rule = rules.ruleFor("GET", "/api/products/42");
 * }</pre>
 */
public final class Rules {

  /**
   * A key given twice in one mapping is an error (YAML says keys are unique; Jackson would take
   * the last, or, for a list read key by key, both).
   */
  private static final YAMLFactory YAML =
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** Keys that change how responses are compared: allowed in defaults, entries and byStatus. */
  private static final Set<String> COMPARISON_KEYS =
      Set.of(
          "ignoreHeaders",
          "ignore",
          "numericTolerance",
          "treatNullAsAbsent",
          "extraFieldsAllowed",
          "unorderedArrays",
          "keyedArrays",
          "lenientTypes",
          "normalizeHeaders",
          "accepted",
          "baselineRoot",
          "candidateRoot",
          "normalizeOrigins",
          "comparators");

  /** Keys of defaults and entries beyond the comparison keys. */
  private static final Set<String> SECTION_KEYS =
      Set.of("maxDiscrepancyRate", "splitByQueryNames", "byStatus");

  private final EndpointRule defaults;
  private final List<EndpointRule> endpoints;
  private final NoiseModel noise;
  private final Transforms transforms;
  private final List<Trigger> triggers;
  private final String yaml;

  private Rules(
      EndpointRule defaults,
      List<EndpointRule> endpoints,
      NoiseModel noise,
      Transforms transforms,
      List<Trigger> triggers,
      String yaml) {
    this.defaults = defaults;
    this.endpoints = List.copyOf(endpoints);
    this.noise = noise;
    this.transforms = transforms;
    this.triggers = List.copyOf(triggers);
    this.yaml = yaml;
  }

  /** The YAML these rules were read from, or null for {@link #defaults()}; runs keep a copy. */
  public String yaml() {
    return yaml;
  }

  /** No rules file: strict comparison, framing headers and Date ignored, origins normalised. */
  public static Rules defaults() {
    return new Rules(
        EndpointRule.builtIn(),
        List.of(),
        NoiseModel.defaults(),
        Transforms.none(),
        Trigger.defaults(),
        null);
  }

  /** The noise thresholds ({@code noise:} section, else {@link NoiseModel#defaults()}). */
  public NoiseModel noiseModel() {
    return noise;
  }

  /** The request transforms ({@code transforms:} section). */
  public Transforms transforms() {
    return transforms;
  }

  /**
   * The live run's rollback triggers ({@code triggers:} section, in file order): {@link
   * Trigger#defaults()} without the section, none with {@code triggers: []}.
   */
  public List<Trigger> triggers() {
    return triggers;
  }

  /** A rules file is a few kilobytes; a larger one is refused before it is parsed. */
  public static final long MAX_FILE_BYTES = 1 << 20;

  /** Reads and validates {@code file}. */
  public static Rules load(Path file) {
    String text;
    try {
      if (Files.isRegularFile(file) && Files.size(file) > MAX_FILE_BYTES
          || !Files.isRegularFile(file) && Files.exists(file) && !Files.isDirectory(file)) {
        throw new RulesException(
            file.toString(),
            0,
            null,
            "is larger than "
                + (MAX_FILE_BYTES >> 20)
                + " MiB, or not a"
                + " regular file: a rules file is a few kilobytes of YAML");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new RulesException(file.toString(), 0, null, "no such file");
    } catch (IOException e) {
      throw new RulesException(
          file.toString(),
          0,
          null,
          Files.isDirectory(file)
              ? "is a directory, expected a file"
              : "cannot read: " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Parses rules from YAML text; {@code source} names it in errors. */
  public static Rules parse(String yaml, String source) {
    try (Reader r = new StringReader(yaml);
        JsonParser p = YAML.createParser(r)) {
      Reading read = new Reading(p, source).rules();
      return new Rules(
          read.defaults, read.endpoints, read.noise, read.transforms, read.triggers, yaml);
    } catch (StreamReadException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new RulesException(
          source,
          line,
          null,
          "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new RulesException(source, 0, null, "cannot read: " + e.getMessage());
    }
  }

  /**
   * Lower-case names of the headers whose values some {@code normalizeHeaders} entry of these
   * rules rewrites (anywhere: defaults, endpoints, byStatus), sorted. A run keeps those values as
   * they came, so that re-judging can apply the patterns again.
   */
  public List<String> normalizedHeaders() {
    List<String> out = normalizedHeaders;
    if (out == null) {
      TreeSet<String> names = new TreeSet<>();
      collectNormalized(judgement(this), names);
      out = List.copyOf(names);
      normalizedHeaders = out;
    }
    return out;
  }

  private volatile List<String> normalizedHeaders;

  private static void collectNormalized(JsonNode n, Set<String> names) {
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (f.getKey().equals("normalizeHeaders") && f.getValue().isObject()) {
          f.getValue().fieldNames().forEachRemaining(h -> names.add(h.toLowerCase(Locale.ROOT)));
        } else {
          collectNormalized(f.getValue(), names);
        }
      }
    } else if (n.isArray()) {
      n.forEach(c -> collectNormalized(c, names));
    }
  }

  /** True when these rules rewrite candidate requests ({@code transforms:}) exactly as {@code other}'s do. */
  public boolean transformsLike(Rules other) {
    return judgement(this).path("transforms").equals(judgement(other).path("transforms"))
        && judgement(this).path("sessions").equals(judgement(other).path("sessions"));
  }

  /**
   * True when these rules judge every exchange exactly as {@code other} does: they may differ
   * only in gate thresholds ({@code maxDiscrepancyRate}), rollback triggers, comments and layout.
   */
  public boolean judgesLike(Rules other) {
    return judgement(this).equals(judgement(other));
  }

  /** The rules file as a tree without gate thresholds, triggers and empty sections: what judges. */
  private static JsonNode judgement(Rules r) {
    ObjectMapper m = new ObjectMapper(YAML);
    JsonNode tree;
    try {
      tree = r.yaml == null ? m.createObjectNode().put("version", 1) : m.readTree(r.yaml);
    } catch (IOException e) {
      throw new IllegalStateException("rules that parsed once no longer parse", e);
    }
    if (tree instanceof ObjectNode o) {
      o.remove("triggers"); // they watch a live run; they judge no exchange
    }
    return strip(tree);
  }

  private static JsonNode strip(JsonNode n) {
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      o.remove("maxDiscrepancyRate");
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        JsonNode v = strip(f.getValue());
        if (v.isContainerNode() && v.isEmpty() || v.isNull()) {
          it.remove();
        }
      }
    } else if (n.isArray()) {
      n.forEach(Rules::strip);
    }
    return n;
  }

  /** The defaults section (with built-in header exclusions). */
  public EndpointRule defaultRule() {
    return defaults;
  }

  /** The endpoint entries, in file order, each merged with the defaults. */
  public List<EndpointRule> endpoints() {
    return endpoints;
  }

  /**
   * The rule of the entry whose template equals {@code endpoint} ("GET /x/{id}"), else the rule
   * that would apply to a request for that path (and query names), else the defaults.
   *
   * @throws dev.shadowtest.core.BadInputException when {@code endpoint} is not "METHOD /path"
   */
  public EndpointRule ruleForEndpoint(String endpoint) {
    EndpointTemplate t = EndpointTemplate.parse(endpoint);
    for (EndpointRule e : endpoints) {
      if (e.match().equals(t)) {
        return e;
      }
    }
    String text = t.toString();
    int sp = text.indexOf(' ');
    return ruleFor(text.substring(0, sp), text.substring(sp + 1));
  }

  /**
   * The rule for a request: of the endpoint entries that match it, the one requiring the most
   * query parameter names, then the first in the file; else the defaults.
   */
  public EndpointRule ruleFor(String method, String target) {
    EndpointRule best = null;
    for (EndpointRule e : endpoints) {
      if (e.match().matches(method, target)
          && (best == null || e.match().queryNameCount() > best.match().queryNameCount())) {
        best = e;
      }
    }
    return best == null ? defaults : best;
  }

  /** Streaming reader that keeps line numbers for every key. */
  private static final class Reading {
    private final JsonParser p;
    private final String source;
    private EndpointRule defaults;
    private List<EndpointRule> endpoints;
    private NoiseModel noise;
    private Transforms transforms;
    private List<Trigger> triggers = Trigger.defaults();

    Reading(JsonParser p, String source) {
      this.p = p;
      this.source = source;
    }

    private int line() {
      return p.currentLocation().getLineNr();
    }

    private RulesException error(String key, String message) {
      return new RulesException(source, line(), key, message);
    }

    Reading rules() throws IOException {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new RulesException(source, 1, null, "is empty; expected at least \"version: 1\"");
      }
      if (t != JsonToken.START_OBJECT) {
        throw error(null, "expected a mapping with version, defaults and endpoints");
      }
      Integer version = null;
      noise = NoiseModel.defaults();
      Partial defaultsRead = new Partial(0);
      List<Partial> entries = new ArrayList<>();
      List<Transforms.Entry> rewrites = new ArrayList<>();
      Transforms.Place sessionKey = null;
      int sessionsLine = 0;
      int transformsLine = 1;
      for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        switch (key) {
          case "version" -> {
            if (v != JsonToken.VALUE_NUMBER_INT || p.getIntValue() != 1) {
              throw error(
                  "version",
                  "unsupported rules version " + p.getText() + " (this Shadow reads version 1)");
            }
            version = 1;
          }
          case "defaults" -> {
            expect(v, JsonToken.START_OBJECT, "defaults", "a mapping");
            defaultsRead = partial("defaults", Section.DEFAULTS);
          }
          case "endpoints" -> {
            expect(v, JsonToken.START_ARRAY, "endpoints", "a list of entries");
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              expect(
                  e,
                  JsonToken.START_OBJECT,
                  "endpoints[" + entries.size() + "]",
                  "a mapping with match");
              entries.add(partial("endpoints[" + entries.size() + "]", Section.ENDPOINT));
            }
          }
          case "noise" -> {
            expect(
                v,
                JsonToken.START_OBJECT,
                "noise",
                "a mapping with minSamples, relativeMargin, absoluteMargin, confidenceZ");
            noise = noise();
          }
          case "transforms" -> {
            transformsLine = line();
            expect(
                v,
                JsonToken.START_ARRAY,
                "transforms",
                "a list of entries, each with match (optional) and what to change");
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              expect(
                  e,
                  JsonToken.START_OBJECT,
                  "transforms[" + rewrites.size() + "]",
                  "a mapping with match and what to change (all, candidate, primary, secondary,"
                      + " capture, use)");
              rewrites.add(entry("transforms[" + rewrites.size() + "]"));
            }
          }
          case "sessions" -> {
            expect(v, JsonToken.START_OBJECT, "sessions", "a mapping with key");
            sessionsLine = line();
            sessionKey = sessions();
          }
          case "triggers" -> {
            expect(
                v,
                JsonToken.START_ARRAY,
                "triggers",
                "a list of entries, each with metric and above (triggers: [] for none)");
            triggers = triggers();
          }
          default ->
              throw error(
                  key,
                  "unknown key (expected version, defaults, endpoints, noise, transforms, sessions,"
                      + " triggers)");
        }
      }
      if (version == null) {
        throw new RulesException(source, 1, "version", "missing (add \"version: 1\")");
      }
      defaults = defaultsRead.apply(EndpointRule.builtIn(), null);
      endpoints = new ArrayList<>();
      Map<EndpointTemplate, Integer> seen = new LinkedHashMap<>();
      for (Partial e : entries) {
        Integer first = seen.putIfAbsent(e.match, e.line);
        if (first != null) {
          throw new RulesException(
              source,
              e.line,
              "match",
              "duplicate endpoint \"" + e.match + "\" (first at line " + first + ")");
        }
        endpoints.add(e.apply(defaults, e.match));
      }
      Map<EndpointTemplate, Integer> seenRewrites = new LinkedHashMap<>();
      boolean chains = false;
      Set<String> captured = new HashSet<>();
      for (Transforms.Entry r : rewrites) {
        r.capture().forEach(c -> captured.add(c.name()));
      }
      for (int i = 0; i < rewrites.size(); i++) {
        for (Transforms.Use u : rewrites.get(i).use()) {
          if (!captured.contains(u.name())) {
            throw new RulesException(
                source,
                u.line(),
                "transforms[" + i + "].use",
                "no entry captures \""
                    + u.name()
                    + "\" (capture: [{name: "
                    + u.name()
                    + ", from: ...}])");
          }
        }
      }
      for (Transforms.Entry r : rewrites) {
        chains |= !r.capture().isEmpty() || !r.use().isEmpty();
        if (r.match() == null) {
          continue; // entries for every request: any number
        }
        Integer first = seenRewrites.putIfAbsent(r.match(), r.line());
        if (first != null) {
          throw new RulesException(
              source,
              r.line(),
              "match",
              "duplicate transform for \"" + r.match() + "\" (first at line " + first + ")");
        }
      }
      if (chains && sessionKey == null) {
        throw new RulesException(
            source,
            transformsLine,
            "sessions",
            "missing: capture and use chain values within a session; say what tells sessions"
                + " apart (sessions: {key: \"header:Authorization\"} or \"cookie:SESSION\")");
      }
      if (!chains && sessionKey != null) {
        throw new RulesException(
            source, sessionsLine, "sessions", "no transform captures or uses a value: remove it");
      }
      transforms = new Transforms(rewrites, sessionKey, source);
      return this;
    }

    private NoiseModel noise() throws IOException {
      NoiseModel d = NoiseModel.defaults();
      int min = d.minNoiseSamples();
      double relative = d.relative();
      double absolute = d.absolute();
      double z = d.z();
      for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        String at = "noise." + key;
        switch (key) {
          case "minSamples" -> {
            if (v != JsonToken.VALUE_NUMBER_INT || p.getIntValue() < 1) {
              throw error(at, "expected a whole number of at least 1");
            }
            min = p.getIntValue();
          }
          case "relativeMargin" -> relative = rate(scalar(v, at), at);
          case "absoluteMargin" -> absolute = rate(scalar(v, at), at);
          case "confidenceZ" -> {
            if (!v.isNumeric() || p.getDoubleValue() < 0) {
              throw error(at, "expected a non-negative number (1.96 for 95%)");
            }
            z = p.getDoubleValue();
          }
          default ->
              throw error(
                  key,
                  "unknown key in noise (expected minSamples, relativeMargin, absoluteMargin, confidenceZ)");
        }
      }
      return new NoiseModel(min, relative, absolute, z);
    }

    /** The entries of {@code triggers:}; the parser is on its START_ARRAY. */
    private List<Trigger> triggers() throws IOException {
      List<Trigger> out = new ArrayList<>();
      Map<String, Integer> seen = new LinkedHashMap<>();
      for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
        String where = "triggers[" + out.size() + "]";
        expect(e, JsonToken.START_OBJECT, where, "a mapping with metric and above");
        int entryLine = line();
        Trigger t = trigger(where);
        Integer first = seen.putIfAbsent(t.name(), entryLine);
        if (first != null) {
          throw new RulesException(
              source,
              entryLine,
              where + ".name",
              "a second trigger named \""
                  + t.name()
                  + "\" (first at line "
                  + first
                  + "): give each its own name");
        }
        out.add(t);
      }
      return out;
    }

    /** One triggers entry; the parser is on its START_OBJECT. */
    private Trigger trigger(String where) throws IOException {
      int entryLine = line();
      Trigger.Metric metric = null;
      String above = null;
      int aboveLine = 0;
      Duration window = null;
      Duration forDuration = Duration.ZERO;
      Long min = null;
      String name = null;
      for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        String at = where + "." + key;
        switch (key) {
          case "metric" -> {
            try {
              metric = Trigger.Metric.parse(scalar(v, at));
            } catch (BadInputException e) {
              throw error(at, e.getMessage());
            }
          }
          case "above" -> {
            above = scalar(v, at);
            aboveLine = line();
          }
          case "window" -> window = duration(scalar(v, at), at);
          case "for" -> forDuration = duration(scalar(v, at), at);
          case "minExchanges" -> {
            if (v != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 1) {
              throw error(at, "expected a whole number of at least 1");
            }
            min = p.getLongValue();
          }
          case "name" -> name = scalar(v, at);
          default ->
              throw error(
                  key,
                  "unknown key in "
                      + where
                      + " (expected metric, above, window, for, minExchanges, name)");
        }
      }
      if (metric == null) {
        throw new RulesException(
            source,
            entryLine,
            where + ".metric",
            "missing: the metric to watch (e.g. metric: errorRate)");
      }
      if (above == null) {
        throw new RulesException(
            source,
            entryLine,
            where + ".above",
            "missing: the threshold the metric must go above (e.g. above: 0.5%)");
      }
      double threshold;
      try {
        threshold = metric.parseThreshold(above);
      } catch (BadInputException e) {
        throw new RulesException(source, aboveLine, where + ".above", e.getMessage());
      }
      try {
        Trigger t = Trigger.of(metric, threshold, forDuration);
        if (window != null) {
          t = t.withWindow(window);
        }
        if (min != null) {
          t = t.withMinExchanges(min);
        }
        return name == null ? t : t.withName(name);
      } catch (BadInputException e) {
        throw new RulesException(source, entryLine, where, e.getMessage());
      }
    }

    private Duration duration(String text, String at) {
      try {
        return Trigger.parseDuration(text);
      } catch (BadInputException e) {
        throw error(at, e.getMessage());
      }
    }

    /** One transforms entry; the parser is on its START_OBJECT. */
    private Transforms.Entry entry(String where) throws IOException {
      int entryLine = line();
      EndpointTemplate match = null;
      Map<String, Transforms.Actions> actions = new LinkedHashMap<>();
      List<Transforms.Capture> capture = new ArrayList<>();
      List<Transforms.Use> use = new ArrayList<>();
      List<Object[]> pending =
          new ArrayList<>(); // scope, actions' path, line: checked once match is known
      for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        String at = where + "." + key;
        switch (key) {
          case "match" -> match = template(scalar(v, at), at);
          case Transforms.Entry.ALL, "candidate", "primary", "secondary" -> {
            expect(
                v,
                JsonToken.START_OBJECT,
                at,
                "a mapping with path, renameQuery, replace, removeHeaders, setHeaders, shiftTime"
                    + " or resignJwt");
            int[] pathLine = new int[1];
            Transforms.Actions a = actions(at, pathLine);
            if (a.isEmpty()) {
              throw error(at, "says nothing to change");
            }
            actions.put(key, a);
            if (a.path() != null) {
              pending.add(new Object[] {key, a.path(), pathLine[0]});
            }
          }
          case "capture" -> {
            expect(
                v,
                JsonToken.START_ARRAY,
                at,
                "a list of {name, from} entries, e.g. [{name: orderId, from: \"json:$.id\"}]");
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
              String cat = at + "[" + capture.size() + "]";
              expect(t, JsonToken.START_OBJECT, cat, "a mapping with name and from");
              capture.add(capture(cat));
            }
          }
          case "use" -> {
            expect(
                v,
                JsonToken.START_ARRAY,
                at,
                "a list of {name, at} entries, e.g. [{name: orderId, at: \"path:id\"}]");
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
              String uat = at + "[" + use.size() + "]";
              expect(t, JsonToken.START_OBJECT, uat, "a mapping with name and at");
              use.add(use(uat));
            }
          }
          default ->
              throw error(
                  key,
                  "unknown key in "
                      + where
                      + " (expected match, all, candidate, primary, secondary, capture, use)");
        }
      }
      if (actions.isEmpty() && capture.isEmpty() && use.isEmpty()) {
        throw new RulesException(
            source,
            entryLine,
            where,
            "says nothing to do: give all:, candidate:, primary: or secondary: (what changes in"
                + " the request), capture: or use: (e.g. candidate: {path: \"/comments?postId={id}\"})");
      }
      for (Object[] pend : pending) {
        try {
          Transforms.checkPath(match, (String) pend[1]);
        } catch (IllegalArgumentException | BadInputException e) {
          throw new RulesException(
              source, (Integer) pend[2], where + "." + pend[0] + ".path", e.getMessage());
        }
      }
      for (Transforms.Use u : use) {
        checkParameter(match, u.at(), u.line(), where + ".use");
      }
      for (Map.Entry<String, Transforms.Actions> a : actions.entrySet()) {
        for (Transforms.Replace r : a.getValue().replace()) {
          checkParameter(match, r.in(), entryLine, where + "." + a.getKey() + ".replace");
        }
        for (Transforms.TimeShift t : a.getValue().shiftTime()) {
          checkParameter(match, t.at(), entryLine, where + "." + a.getKey() + ".shiftTime");
        }
      }
      return new Transforms.Entry(match, actions, capture, use, entryLine);
    }

    /** A {@code path:NAME} place needs the entry's match to have {@code {NAME}}. */
    private void checkParameter(EndpointTemplate match, Transforms.Place at, int line, String key) {
      if (at.kind() == Transforms.Place.Kind.PATH
          && at.name() != null
          && (match == null || match.parameterIndex(at.name()) < 0)) {
        throw new RulesException(
            source,
            line,
            key,
            at
                + ": {"
                + at.name()
                + "} is not a path parameter of "
                + (match == null ? "the entry (it has no match)" : "\"" + match + "\""));
      }
    }

    private Transforms.Actions actions(String at, int[] pathLine) throws IOException {
      String path = null;
      Map<String, String> rename = new LinkedHashMap<>();
      List<Transforms.Replace> replace = new ArrayList<>();
      List<String> remove = new ArrayList<>();
      Map<String, String> set = new LinkedHashMap<>();
      Map<String, Integer> lines = new LinkedHashMap<>();
      List<Transforms.TimeShift> shift = new ArrayList<>();
      Transforms.Resign resign = null;
      for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
        JsonToken cv = p.nextToken();
        String cat = at + "." + k;
        switch (k) {
          case "path" -> {
            path = scalar(cv, cat);
            pathLine[0] = line();
          }
          case "renameQuery" -> {
            expect(
                cv,
                JsonToken.START_OBJECT,
                cat,
                "a mapping of old name to new name, e.g. {_limit: _per_page}");
            for (String from = p.nextFieldName(); from != null; from = p.nextFieldName()) {
              String to = scalar(p.nextToken(), cat + "." + from);
              if (from.isEmpty() || to.isEmpty()) {
                throw error(cat, "query parameter names cannot be empty");
              }
              rename.put(from, to);
            }
          }
          case "replace" -> {
            expect(
                cv,
                JsonToken.START_ARRAY,
                cat,
                "a list of {in, regex, with}, e.g. [{in: path, regex: \"^/v1/\", with: \"/v2/\"}]");
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
              String rat = cat + "[" + replace.size() + "]";
              expect(t, JsonToken.START_OBJECT, rat, "a mapping with in, regex and with");
              replace.add(replace(rat));
            }
          }
          case "removeHeaders" -> remove.addAll(headerNames(cv, cat));
          case "setHeaders" -> {
            expect(
                cv,
                JsonToken.START_OBJECT,
                cat,
                "a mapping of header name to value, e.g. {Authorization: \"Bearer ${env:TOKEN}\"}");
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
              String value = scalar(p.nextToken(), cat + "." + name);
              checkHeaderName(name, cat);
              if (value.chars().anyMatch(c -> c == '\r' || c == '\n')) {
                throw error(cat + "." + name, "a header value cannot hold a line break");
              }
              checkSecrets(value, cat + "." + name);
              set.put(name, value);
              lines.put(name, line());
            }
          }
          case "shiftTime" -> {
            expect(
                cv,
                JsonToken.START_ARRAY,
                cat,
                "a list of {at, epoch}, e.g. [{at: \"query:from\"}, {at: \"json:$.since\", epoch: ms}]");
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
              String sat = cat + "[" + shift.size() + "]";
              expect(t, JsonToken.START_OBJECT, sat, "a mapping with at (and epoch: s or ms)");
              shift.add(timeShift(sat));
            }
          }
          case "resignJwt" -> {
            expect(
                cv,
                JsonToken.START_OBJECT,
                cat,
                "a mapping with algorithm and key (HS256) or keyFile (RS256, ES256)");
            resign = resign(cat);
          }
          default ->
              throw error(
                  k,
                  "unknown key in "
                      + at
                      + " (expected path, renameQuery, replace, removeHeaders, setHeaders,"
                      + " shiftTime, resignJwt)");
        }
      }
      return new Transforms.Actions(path, rename, replace, remove, set, shift, resign, lines);
    }

    private List<String> headerNames(JsonToken v, String at) throws IOException {
      List<String> names = strings(v, at);
      for (String n : names) {
        checkHeaderName(n, at);
      }
      return names;
    }

    private void checkHeaderName(String name, String at) {
      if (name.isEmpty()
          || !name.chars()
              .allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
        throw error(at, "\"" + name + "\" is not a header name");
      }
    }

    private Transforms.Place place(String text, String at, Set<Transforms.Place.Kind> allowed) {
      Transforms.Place place;
      try {
        place = Transforms.Place.parse(text);
      } catch (IllegalArgumentException | BadInputException e) {
        throw error(at, e.getMessage());
      }
      boolean whole =
          (place.kind() == Transforms.Place.Kind.PATH
                  || place.kind() == Transforms.Place.Kind.QUERY)
              && place.name() == null;
      if (!allowed.contains(place.kind()) || whole && !allowed.contains(null)) {
        List<String> kinds = new ArrayList<>();
        for (Transforms.Place.Kind k : allowed) {
          if (k == null) {
            continue;
          }
          kinds.add(
              k == Transforms.Place.Kind.BODY
                  ? "body"
                  : k.name().toLowerCase(Locale.ROOT)
                      + (k == Transforms.Place.Kind.JSON ? ":$.PATH" : ":NAME"));
        }
        if (allowed.contains(null)) {
          kinds.add("path");
          kinds.add("query");
        }
        throw error(
            at, "\"" + text + "\" cannot be used here (expected " + String.join(", ", kinds) + ")");
      }
      return place;
    }

    /** Every {@code ${...}} in a value must be {@code ${env:NAME}} or {@code ${file:PATH}}. */
    private void checkSecrets(String value, String at) {
      String rest = value.replaceAll("\\$\\{(env|file):[^}]+}", "");
      if (rest.contains("${")) {
        throw error(
            at,
            "${...} must be ${env:NAME} or ${file:PATH} (the value is not repeated here: it may"
                + " hold a secret)");
      }
    }

    private Transforms.Replace replace(String at) throws IOException {
      int entry = line();
      Transforms.Place in = null;
      Pattern regex = null;
      String with = null;
      for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        switch (k) {
          case "in" ->
              in =
                  place(
                      scalar(v, at + ".in"),
                      at + ".in",
                      kinds(null, Transforms.Place.Kind.HEADER, Transforms.Place.Kind.BODY));
          case "regex" -> regex = regex(scalar(v, at + ".regex"), at + ".regex");
          case "with" ->
              with =
                  v == JsonToken.VALUE_STRING && p.getText().isEmpty()
                      ? ""
                      : scalar(v, at + ".with");
          default -> throw error(k, "unknown key in " + at + " (expected in, regex, with)");
        }
      }
      if (in == null || regex == null || with == null) {
        throw new RulesException(
            source,
            entry,
            at,
            "needs in, regex and with (e.g. {in: \"header:User-Agent\", regex: \"v1\", with: \"v2\"})");
      }
      String bad = Transforms.badReplacement(regex, with);
      if (bad != null) {
        throw new RulesException(source, entry, at + ".with", bad);
      }
      return new Transforms.Replace(in, regex, with);
    }

    private Set<Transforms.Place.Kind> kinds(Transforms.Place.Kind... kinds) {
      Set<Transforms.Place.Kind> out = new HashSet<>();
      for (Transforms.Place.Kind k : kinds) {
        out.add(k);
      }
      if (kinds.length > 0 && kinds[0] == null) {
        out.add(Transforms.Place.Kind.PATH);
        out.add(Transforms.Place.Kind.QUERY);
      }
      return out;
    }

    private Pattern regex(String text, String at) {
      try {
        return Pattern.compile(text);
      } catch (PatternSyntaxException e) {
        throw error(at, "bad regex: " + e.getDescription() + " in \"" + text + "\"");
      }
    }

    private Transforms.TimeShift timeShift(String at) throws IOException {
      int entry = line();
      Transforms.Place place = null;
      ChronoUnit epoch = null;
      for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        switch (k) {
          case "at" ->
              place =
                  place(
                      scalar(v, at + ".at"),
                      at + ".at",
                      kinds(
                          Transforms.Place.Kind.QUERY,
                          Transforms.Place.Kind.HEADER,
                          Transforms.Place.Kind.JSON,
                          Transforms.Place.Kind.PATH));
          case "epoch" -> {
            String unit = scalar(v, at + ".epoch");
            epoch =
                switch (unit) {
                  case "s" -> ChronoUnit.SECONDS;
                  case "ms" -> ChronoUnit.MILLIS;
                  default -> throw error(at + ".epoch", "expected s or ms, got \"" + unit + "\"");
                };
          }
          default -> throw error(k, "unknown key in " + at + " (expected at, epoch)");
        }
      }
      if (place == null) {
        throw new RulesException(source, entry, at + ".at", "missing (e.g. at: \"query:from\")");
      }
      return new Transforms.TimeShift(place, epoch);
    }

    private Transforms.Resign resign(String at) throws IOException {
      int entry = line();
      String header = "Authorization";
      String algorithm = null;
      String key = null;
      String keyFile = null;
      Duration lifetime = Duration.ofHours(1);
      for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        String kat = at + "." + k;
        switch (k) {
          case "header" -> {
            header = scalar(v, kat);
            checkHeaderName(header, kat);
          }
          case "algorithm" -> {
            algorithm = scalar(v, kat);
            if (!Set.of("HS256", "RS256", "ES256").contains(algorithm)) {
              throw error(kat, "expected HS256, RS256 or ES256, got \"" + algorithm + "\"");
            }
          }
          case "key" -> key = scalar(v, kat);
          case "keyFile" -> keyFile = scalar(v, kat);
          case "lifetime" -> lifetime = duration(scalar(v, kat), kat);
          default ->
              throw error(
                  k,
                  "unknown key in " + at + " (expected header, algorithm, key, keyFile, lifetime)");
        }
      }
      if (algorithm == null) {
        throw new RulesException(
            source, entry, at + ".algorithm", "missing (HS256, RS256 or ES256)");
      }
      if (algorithm.equals("HS256") && (key == null || keyFile != null)) {
        throw new RulesException(
            source,
            entry,
            at + ".key",
            "HS256 signs with a secret: key: \"${env:JWT_SECRET}\" (or ${file:PATH}), not keyFile");
      }
      if (!algorithm.equals("HS256") && (keyFile == null || key != null)) {
        throw new RulesException(
            source,
            entry,
            at + ".keyFile",
            algorithm + " signs with a private key: keyFile: PATH (PKCS#8 PEM), not key");
      }
      if (key != null) {
        checkSecrets(key, at + ".key");
      }
      if (key != null && !key.contains("${")) {
        throw new RulesException(
            source,
            entry,
            at + ".key",
            "write the secret's place, not the secret: \"${env:NAME}\" or \"${file:PATH}\"");
      }
      return new Transforms.Resign(header, algorithm, key, keyFile, lifetime, entry);
    }

    private Transforms.Capture capture(String at) throws IOException {
      int entry = line();
      String name = null;
      Transforms.Place from = null;
      Pattern regex = null;
      for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        switch (k) {
          case "name" -> name = valueName(scalar(v, at + ".name"), at + ".name");
          case "from" ->
              from =
                  place(
                      scalar(v, at + ".from"),
                      at + ".from",
                      kinds(
                          Transforms.Place.Kind.JSON,
                          Transforms.Place.Kind.HEADER,
                          Transforms.Place.Kind.BODY));
          case "regex" -> regex = regex(scalar(v, at + ".regex"), at + ".regex");
          default -> throw error(k, "unknown key in " + at + " (expected name, from, regex)");
        }
      }
      if (name == null || from == null) {
        throw new RulesException(
            source, entry, at, "needs name and from (e.g. {name: orderId, from: \"json:$.id\"})");
      }
      if (from.kind() == Transforms.Place.Kind.BODY && regex == null) {
        throw new RulesException(
            source,
            entry,
            at + ".regex",
            "missing: a value from the body needs a regex (its first group is the value), e.g."
                + " regex: \"order=(\\\\d+)\"");
      }
      return new Transforms.Capture(name, from, regex, entry);
    }

    private Transforms.Use use(String at) throws IOException {
      int entry = line();
      String name = null;
      Transforms.Place place = null;
      for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        switch (k) {
          case "name" -> name = valueName(scalar(v, at + ".name"), at + ".name");
          case "at" ->
              place =
                  place(
                      scalar(v, at + ".at"),
                      at + ".at",
                      kinds(
                          Transforms.Place.Kind.PATH,
                          Transforms.Place.Kind.QUERY,
                          Transforms.Place.Kind.HEADER,
                          Transforms.Place.Kind.COOKIE,
                          Transforms.Place.Kind.JSON));
          default -> throw error(k, "unknown key in " + at + " (expected name, at)");
        }
      }
      if (name == null || place == null) {
        throw new RulesException(
            source, entry, at, "needs name and at (e.g. {name: orderId, at: \"path:id\"})");
      }
      return new Transforms.Use(name, place, entry);
    }

    private String valueName(String name, String at) {
      if (!name.matches("[A-Za-z_][A-Za-z0-9_.-]{0,62}")) {
        throw error(at, "\"" + name + "\" is not a name (letters, digits, _ . -; at most 63)");
      }
      return name;
    }

    private Transforms.Place sessions() throws IOException {
      Transforms.Place key = null;
      for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        if (!k.equals("key")) {
          throw error(k, "unknown key in sessions (expected key)");
        }
        key =
            place(
                scalar(v, "sessions.key"),
                "sessions.key",
                kinds(
                    Transforms.Place.Kind.HEADER,
                    Transforms.Place.Kind.COOKIE,
                    Transforms.Place.Kind.QUERY));
      }
      if (key == null) {
        throw error(
            "sessions.key", "missing (e.g. key: \"header:Authorization\" or \"cookie:SESSION\")");
      }
      return key;
    }

    private EndpointTemplate template(String text, String at) {
      try {
        return EndpointTemplate.parse(text);
      } catch (IllegalArgumentException | BadInputException e) {
        throw error(at, e.getMessage());
      }
    }

    enum Section {
      DEFAULTS,
      ENDPOINT,
      BY_STATUS
    }

    /** Reads one mapping of rule keys; the parser is on its START_OBJECT. */
    private Partial partial(String where, Section section) throws IOException {
      Partial out = new Partial(line());
      for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        String at = where + "." + key;
        if (section == Section.ENDPOINT && key.equals("match")) {
          out.match = template(scalar(v, at), at);
          continue;
        }
        if (section == Section.ENDPOINT && key.equals("skip")) {
          out.skip = bool(v, at);
          continue;
        }
        boolean known =
            COMPARISON_KEYS.contains(key)
                || section != Section.BY_STATUS && SECTION_KEYS.contains(key);
        if (!known) {
          Set<String> expected = new TreeSet<>(COMPARISON_KEYS);
          if (section != Section.BY_STATUS) {
            expected.addAll(SECTION_KEYS);
          }
          throw error(
              key,
              "unknown key in "
                  + where
                  + " (expected "
                  + (section == Section.ENDPOINT ? "match, skip, " : "")
                  + String.join(", ", expected)
                  + ")");
        }
        switch (key) {
          case "ignoreHeaders" -> {
            for (String name : strings(v, at)) {
              String n = name.strip();
              if (n.contains("*") || !HeaderNames.isToken(n)) {
                throw error(
                    at,
                    "ignoreHeaders takes header names, each as it is (no pattern, no spaces), got \""
                        + name
                        + "\"");
              }
              out.ignoreHeaders.add(n);
            }
          }
          case "ignore" -> out.ignore.addAll(paths(v, at));
          case "unorderedArrays" -> {
            for (JsonPath path : paths(v, at)) {
              if (out.keyed.containsKey(path)) {
                throw error(at, path + " is in both unorderedArrays and keyedArrays: choose one");
              }
              out.unordered.add(path);
            }
          }
          case "keyedArrays" -> {
            expect(
                v,
                JsonToken.START_OBJECT,
                at,
                "a mapping of array path to key member, e.g. {\"$.lines\": \"sku\"}");
            for (String path = p.nextFieldName(); path != null; path = p.nextFieldName()) {
              JsonPath parsed = path(path, at);
              if (out.unordered.contains(parsed)) {
                throw error(at, path + " is in both unorderedArrays and keyedArrays: choose one");
              }
              out.keyed.put(parsed, scalar(p.nextToken(), at + "." + path));
            }
          }
          case "numericTolerance" -> {
            try {
              out.tolerance = Tolerance.parse(scalar(v, at));
            } catch (IllegalArgumentException | BadInputException e) {
              throw error(at, e.getMessage());
            }
          }
          case "comparators" -> comparators(v, at, out);
          case "treatNullAsAbsent" -> out.nullAsAbsent = bool(v, at);
          case "extraFieldsAllowed" -> out.extraAllowed = bool(v, at);
          case "lenientTypes" -> out.lenientTypes = bool(v, at);
          case "normalizeOrigins" -> out.normalizeOrigins = bool(v, at);
          case "splitByQueryNames" -> out.splitByQueryNames = bool(v, at);
          case "maxDiscrepancyRate" -> out.maxRate = rate(scalar(v, at), at);
          case "baselineRoot" -> out.baselineRoot = root(scalar(v, at), at);
          case "candidateRoot" -> out.candidateRoot = root(scalar(v, at), at);
          case "normalizeHeaders" -> normalizeHeaders(v, at, out);
          case "accepted" -> accepted(v, at, out);
          case "byStatus" -> {
            expect(
                v,
                JsonToken.START_OBJECT,
                at,
                "a mapping of status (404, 4xx, \"401, 403\") to rule keys");
            for (String status = p.nextFieldName(); status != null; status = p.nextFieldName()) {
              String sat = at + "." + status;
              try {
                EndpointRule.StatusOverlay.check(status);
              } catch (IllegalArgumentException | BadInputException e) {
                throw error(sat, e.getMessage());
              }
              expect(p.nextToken(), JsonToken.START_OBJECT, sat, "a mapping of rule keys");
              if (out.byStatus.put(status, partial(sat, Section.BY_STATUS)) != null) {
                throw error(sat, "given twice");
              }
            }
          }
          default -> throw new IllegalStateException(key);
        }
      }
      if (section == Section.ENDPOINT && out.match == null) {
        throw new RulesException(
            source, out.line, where + ".match", "missing (e.g. match: \"GET /api/users/{id}\")");
      }
      return out;
    }

    private JsonPath root(String text, String at) {
      JsonPath path = path(text, at);
      if (path.location() == null) {
        throw error(
            at,
            "must name one place, like $.data or $.result[0] (no wildcards or '..'), got \""
                + text
                + "\"");
      }
      return path;
    }

    /** {@code name: {option: value}} per body comparator; names and options are checked. */
    private void comparators(JsonToken v, String at, Partial out) throws IOException {
      expect(
          v,
          JsonToken.START_OBJECT,
          at,
          "a mapping of comparator name to its options, e.g. {text: {ignoreTrailingWhitespace: true}}");
      for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
        String cat = at + "." + name;
        BodyComparator c;
        try {
          c = BodyComparators.named(name);
        } catch (BadInputException e) {
          throw error(cat, e.getMessage());
        }
        expect(p.nextToken(), JsonToken.START_OBJECT, cat, "a mapping of option to value");
        Map<String, String> options =
            out.comparators.computeIfAbsent(c.name(), k -> new LinkedHashMap<>());
        for (String option = p.nextFieldName(); option != null; option = p.nextFieldName()) {
          if (!c.optionNames().contains(option)) {
            throw error(
                cat + "." + option,
                "unknown option of the "
                    + c.name()
                    + " comparator (expected "
                    + (c.optionNames().isEmpty()
                        ? "none"
                        : String.join(", ", new TreeSet<>(c.optionNames())))
                    + ")");
          }
          options.put(option, scalar(p.nextToken(), cat + "." + option));
        }
      }
    }

    /** {@code Header: regex}, {@code Header: {pattern, replace}} or a list of either per header. */
    private void normalizeHeaders(JsonToken v, String at, Partial out) throws IOException {
      expect(
          v,
          JsonToken.START_OBJECT,
          at,
          "a mapping of header name to a regex, {pattern, replace} or a list of them");
      for (String header = p.nextFieldName(); header != null; header = p.nextFieldName()) {
        String hat = at + "." + header;
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_ARRAY) {
          for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            out.headerPatterns.add(headerPattern(header, e, hat));
          }
        } else {
          out.headerPatterns.add(headerPattern(header, t, hat));
        }
      }
    }

    private EndpointRule.HeaderPattern headerPattern(String header, JsonToken t, String at)
        throws IOException {
      String regex = null;
      String replace = "";
      if (t == JsonToken.START_OBJECT) {
        for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
          JsonToken v = p.nextToken();
          switch (k) {
            case "pattern" -> regex = scalar(v, at + ".pattern");
            case "replace" -> replace = v == JsonToken.VALUE_NULL ? "" : scalar(v, at + ".replace");
            default -> throw error(at + "." + k, "unknown key (expected pattern, replace)");
          }
        }
        if (regex == null) {
          throw error(at + ".pattern", "missing (the regex whose matches are replaced)");
        }
      } else {
        regex = scalar(t, at);
      }
      try {
        return new EndpointRule.HeaderPattern(header, regex, replace);
      } catch (PatternSyntaxException e) {
        throw error(
            at,
            "bad regex: "
                + e.getDescription()
                + " near index "
                + e.getIndex()
                + " in \""
                + regex
                + "\"");
      }
    }

    /** A list of {path, type, reason}. */
    private void accepted(JsonToken v, String at, Partial out) throws IOException {
      expect(v, JsonToken.START_ARRAY, at, "a list of {path, type, reason}");
      int i = 0;
      for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
        String eat = at + "[" + i++ + "]";
        expect(e, JsonToken.START_OBJECT, eat, "a mapping with path, type (optional) and reason");
        int entryLine = line();
        String path = null;
        DifferenceType type = null;
        String reason = null;
        for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
          JsonToken kv = p.nextToken();
          switch (k) {
            case "path" -> path = scalar(kv, eat + ".path");
            case "type" -> {
              String s = scalar(kv, eat + ".type").strip().toUpperCase(Locale.ROOT);
              try {
                type = DifferenceType.valueOf(s);
              } catch (IllegalArgumentException ex) {
                throw error(
                    eat + ".type",
                    "unknown difference type \""
                        + p.getText()
                        + "\" (expected one of STATUS, MISSING, EXTRA, VALUE, TYPE, ARRAY_SIZE, ORDER, BODY)");
              }
              if (type == DifferenceType.HEADER) {
                throw error(
                    eat + ".type",
                    "HEADER is not a difference type any more: a header is MISSING, EXTRA or VALUE");
              }
            }
            case "reason" -> reason = scalar(kv, eat + ".reason").strip();
            default -> throw error(eat + "." + k, "unknown key (expected path, type, reason)");
          }
        }
        if (path == null || path.isBlank()) {
          throw new RulesException(
              source,
              entryLine,
              eat + ".path",
              "missing (e.g. path: \"header:Link\" or \"$.meta\")");
        }
        if (reason == null || reason.isEmpty()) {
          throw new RulesException(
              source,
              entryLine,
              eat + ".reason",
              "missing: say why the difference is accepted (every report shows it)");
        }
        if (path.startsWith("$")) {
          path(path, eat + ".path");
        }
        try {
          out.accepted.add(new EndpointRule.Accepted(path, type, reason));
        } catch (IllegalArgumentException bad) {
          throw new RulesException(source, entryLine, eat + ".path", bad.getMessage());
        }
      }
    }

    private double rate(String text, String at) {
      String t = text.strip();
      try {
        // read in decimal, as Gate.parseRate: 0.7% is the double nearest 0.007
        double v =
            t.endsWith("%")
                ? new BigDecimal(t.substring(0, t.length() - 1).strip())
                    .movePointLeft(2)
                    .doubleValue()
                : Double.parseDouble(t);
        if (v < 0 || v > 1 || Double.isNaN(v)) {
          throw error(at, "rate must be between 0 and 1 (or 0% and 100%), got " + text);
        }
        return v;
      } catch (NumberFormatException e) {
        throw error(at, "expected a rate like 0.5% or 0.005, got \"" + text + "\"");
      }
    }

    private List<JsonPath> paths(JsonToken v, String at) throws IOException {
      List<JsonPath> out = new ArrayList<>();
      for (String s : strings(v, at)) {
        out.add(path(s, at));
      }
      return out;
    }

    private JsonPath path(String s, String at) {
      try {
        return JsonPath.parse(s);
      } catch (IllegalArgumentException | BadInputException e) {
        throw error(at, e.getMessage());
      }
    }

    private List<String> strings(JsonToken v, String at) throws IOException {
      if (v == JsonToken.VALUE_STRING) {
        return List.of(p.getText());
      }
      expect(v, JsonToken.START_ARRAY, at, "a list of strings");
      List<String> out = new ArrayList<>();
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        out.add(scalar(t, at + "[" + out.size() + "]"));
      }
      return out;
    }

    private String scalar(JsonToken v, String at) throws IOException {
      if (v == null || v.isStructStart() || v == JsonToken.VALUE_NULL) {
        throw error(
            at,
            "expected a value, got "
                + (v == null
                    ? "nothing"
                    : v.isStructStart()
                        ? "a " + (v == JsonToken.START_OBJECT ? "mapping" : "list")
                        : "null"));
      }
      return p.getText();
    }

    private boolean bool(JsonToken v, String at) throws IOException {
      if (v == JsonToken.VALUE_TRUE) {
        return true;
      }
      if (v == JsonToken.VALUE_FALSE) {
        return false;
      }
      throw error(
          at,
          "expected true or false, got "
              + (v != null && v.isScalarValue() ? "\"" + p.getText() + "\"" : String.valueOf(v)));
    }

    private void expect(JsonToken actual, JsonToken expected, String at, String what) {
      if (actual != expected) {
        throw error(at, "expected " + what);
      }
    }
  }

  /** One section of the file before it is merged with what it overrides. */
  private static final class Partial {
    final int line;
    EndpointTemplate match;
    final Set<String> ignoreHeaders = new LinkedHashSet<>();
    final List<JsonPath> ignore = new ArrayList<>();
    final List<JsonPath> unordered = new ArrayList<>();
    final Map<JsonPath, String> keyed = new LinkedHashMap<>();
    final List<EndpointRule.HeaderPattern> headerPatterns = new ArrayList<>();
    final List<EndpointRule.Accepted> accepted = new ArrayList<>();
    final Map<String, Partial> byStatus = new LinkedHashMap<>();
    final Map<String, Map<String, String>> comparators = new LinkedHashMap<>();
    Tolerance tolerance;
    Boolean nullAsAbsent;
    Boolean extraAllowed;
    Boolean lenientTypes;
    Boolean normalizeOrigins;
    Boolean splitByQueryNames;
    JsonPath baselineRoot;
    JsonPath candidateRoot;
    boolean skip;
    Double maxRate;

    Partial(int line) {
      this.line = line;
    }

    /** The rule of a defaults section or an endpoint entry: {@code base} with this section on top. */
    EndpointRule apply(EndpointRule base, EndpointTemplate template) {
      EndpointRule compared = overlay(base);
      List<EndpointRule.StatusOverlay> overlays = new ArrayList<>(base.byStatus());
      byStatus.forEach(
          (status, section) ->
              overlays.add(new EndpointRule.StatusOverlay(status, section::overlay)));
      return compared.with(
          b -> {
            b.match = template;
            b.skip = skip;
            b.maxDiscrepancyRate = maxRate != null ? maxRate : base.maxDiscrepancyRate();
            b.splitByQueryNames =
                splitByQueryNames != null ? splitByQueryNames : base.splitByQueryNames();
            b.line = template == null ? 0 : line;
            b.byStatus = overlays;
          });
    }

    /** {@code base} with this section's comparison keys on top: lists add up, scalars override. */
    EndpointRule overlay(EndpointRule base) {
      JsonOptions merged =
          base.json()
              .with(
                  j -> {
                    j.ignore = concat(j.ignore, ignore);
                    j.unorderedArrays = concat(j.unorderedArrays, unordered);
                    Map<JsonPath, String> allKeyed = new LinkedHashMap<>(j.keyedArrays);
                    allKeyed.putAll(keyed);
                    j.keyedArrays = allKeyed;
                    if (tolerance != null) {
                      j.tolerance = tolerance;
                    }
                    if (nullAsAbsent != null) {
                      j.treatNullAsAbsent = nullAsAbsent;
                    }
                    if (extraAllowed != null) {
                      j.extraFieldsAllowed = extraAllowed;
                    }
                    if (lenientTypes != null) {
                      j.lenientTypes = lenientTypes;
                    }
                  });
      Set<String> headers = new LinkedHashSet<>(base.ignoreHeaders());
      headers.addAll(ignoreHeaders);
      return base.with(
          b -> {
            b.ignoreHeaders = headers;
            b.json = merged;
            b.headerPatterns = concat(base.headerPatterns(), headerPatterns);
            b.accepted = concat(base.accepted(), accepted);
            if (baselineRoot != null) {
              b.baselineRoot = baselineRoot;
            }
            if (candidateRoot != null) {
              b.candidateRoot = candidateRoot;
            }
            if (normalizeOrigins != null) {
              b.normalizeOrigins = normalizeOrigins;
            }
            if (!comparators.isEmpty()) {
              Map<String, Map<String, String>> all = new LinkedHashMap<>();
              base.comparators().forEach((k, v) -> all.put(k, new LinkedHashMap<>(v)));
              comparators.forEach(
                  (k, v) -> all.computeIfAbsent(k, x -> new LinkedHashMap<>()).putAll(v));
              b.comparators = all;
            }
          });
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
      if (b.isEmpty()) {
        return a;
      }
      List<T> out = new ArrayList<>(a);
      out.addAll(b);
      return out;
    }
  }
}
