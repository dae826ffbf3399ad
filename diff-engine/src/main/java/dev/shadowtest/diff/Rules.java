package dev.shadowtest.diff;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Comparison rules, read from a YAML file (DESIGN.md "Rules"). Immutable once loaded. Every
 * problem names the file, the line and the key: unknown keys, bad paths, bad values and
 * duplicate endpoints are errors, never silently ignored.
 *
 * <pre>{@code
 * Rules rules = Rules.load(Path.of("shadow-rules.yaml"));
 * EndpointRule rule = rules.ruleFor("GET", "/api/products/42");
 * }</pre>
 */
public final class Rules {

  private static final YAMLFactory YAML = new YAMLFactory();

  private static final Set<String> COMMON_KEYS = Set.of("ignoreHeaders", "ignore", "numericTolerance",
      "treatNullAsAbsent", "extraFieldsAllowed", "unorderedArrays", "keyedArrays", "maxDiscrepancyRate");

  private final EndpointRule defaults;
  private final List<EndpointRule> endpoints;
  private final NoiseModel noise;
  private final String yaml;

  private Rules(EndpointRule defaults, List<EndpointRule> endpoints, NoiseModel noise, String yaml) {
    this.defaults = defaults;
    this.endpoints = List.copyOf(endpoints);
    this.noise = noise;
    this.yaml = yaml;
  }

  /** The YAML these rules were read from, or null for {@link #defaults()}; runs keep a copy. */
  public String yaml() {
    return yaml;
  }

  /** No rules file: strict comparison, framing headers and Date ignored. */
  public static Rules defaults() {
    return new Rules(EndpointRule.builtIn(), List.of(), NoiseModel.defaults(), null);
  }

  /** The noise thresholds ({@code noise:} section, else {@link NoiseModel#defaults()}). */
  public NoiseModel noiseModel() {
    return noise;
  }

  /** Reads and validates {@code file}. */
  public static Rules load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new RulesException(file.toString(), 0, null, "no such file");
    } catch (IOException e) {
      throw new RulesException(file.toString(), 0, null, Files.isDirectory(file) ? "is a directory, expected a file" : "cannot read: " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Parses rules from YAML text; {@code source} names it in errors. */
  public static Rules parse(String yaml, String source) {
    try (Reader r = new StringReader(yaml); JsonParser p = YAML.createParser(r)) {
      Rules read = new Reading(p, source).rules();
      return new Rules(read.defaults, read.endpoints, read.noise, yaml);
    } catch (StreamReadException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new RulesException(source, line, null, "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new RulesException(source, 0, null, "cannot read: " + e.getMessage());
    }
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
   * that would apply to a request for that path, else the defaults.
   *
   * @throws IllegalArgumentException when {@code endpoint} is not "METHOD /path"
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

  /** The first endpoint entry matching the request, else the defaults. */
  public EndpointRule ruleFor(String method, String target) {
    for (EndpointRule e : endpoints) {
      if (e.match().matches(method, target)) {
        return e;
      }
    }
    return defaults;
  }

  /** Streaming reader that keeps line numbers for every key. */
  private static final class Reading {
    private final JsonParser p;
    private final String source;

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

    Rules rules() throws IOException {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new RulesException(source, 1, null, "is empty; expected at least \"version: 1\"");
      }
      if (t != JsonToken.START_OBJECT) {
        throw error(null, "expected a mapping with version, defaults and endpoints");
      }
      Integer version = null;
      NoiseModel noise = NoiseModel.defaults();
      Partial defaults = new Partial(0);
      List<Partial> entries = new ArrayList<>();
      for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        switch (key) {
          case "version" -> {
            if (v != JsonToken.VALUE_NUMBER_INT || p.getIntValue() != 1) {
              throw error("version", "unsupported rules version " + p.getText() + " (this Shadow reads version 1)");
            }
            version = 1;
          }
          case "defaults" -> {
            expect(v, JsonToken.START_OBJECT, "defaults", "a mapping");
            defaults = partial("defaults", false);
          }
          case "endpoints" -> {
            expect(v, JsonToken.START_ARRAY, "endpoints", "a list of entries");
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              expect(e, JsonToken.START_OBJECT, "endpoints[" + entries.size() + "]", "a mapping with match");
              entries.add(partial("endpoints[" + entries.size() + "]", true));
            }
          }
          case "noise" -> {
            expect(v, JsonToken.START_OBJECT, "noise", "a mapping with minSamples, relativeMargin, absoluteMargin, confidenceZ");
            noise = noise();
          }
          default -> throw error(key, "unknown key (expected version, defaults, endpoints, noise)");
        }
      }
      if (version == null) {
        throw new RulesException(source, 1, "version", "missing (add \"version: 1\")");
      }
      EndpointRule base = defaults.apply(EndpointRule.builtIn(), null);
      List<EndpointRule> rules = new ArrayList<>();
      Map<EndpointTemplate, Integer> seen = new LinkedHashMap<>();
      for (Partial e : entries) {
        Integer first = seen.putIfAbsent(e.match, e.line);
        if (first != null) {
          throw new RulesException(source, e.line, "match", "duplicate endpoint \"" + e.match + "\" (first at line " + first + ")");
        }
        rules.add(e.apply(base, e.match));
      }
      return new Rules(base, rules, noise, null);
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
          default -> throw error(key, "unknown key in noise (expected minSamples, relativeMargin, absoluteMargin, confidenceZ)");
        }
      }
      return new NoiseModel(min, relative, absolute, z);
    }

    /** Reads one mapping of rule keys; the parser is on its START_OBJECT. */
    private Partial partial(String where, boolean endpoint) throws IOException {
      Partial out = new Partial(line());
      for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        String at = where + "." + key;
        if (endpoint && key.equals("match")) {
          String text = scalar(v, at);
          try {
            out.match = EndpointTemplate.parse(text);
          } catch (IllegalArgumentException e) {
            throw error(at, e.getMessage());
          }
          continue;
        }
        if (endpoint && key.equals("skip")) {
          out.skip = bool(v, at);
          continue;
        }
        if (!COMMON_KEYS.contains(key)) {
          throw error(key, "unknown key in " + where + " (expected " + (endpoint ? "match, skip, " : "") + String.join(", ", new java.util.TreeSet<>(COMMON_KEYS)) + ")");
        }
        switch (key) {
          case "ignoreHeaders" -> out.ignoreHeaders.addAll(strings(v, at));
          case "ignore" -> out.ignore.addAll(paths(v, at));
          case "unorderedArrays" -> out.unordered.addAll(paths(v, at));
          case "keyedArrays" -> {
            expect(v, JsonToken.START_OBJECT, at, "a mapping of array path to key member, e.g. {\"$.lines\": \"sku\"}");
            for (String path = p.nextFieldName(); path != null; path = p.nextFieldName()) {
              JsonPath parsed = path(path, at);
              out.keyed.put(parsed, scalar(p.nextToken(), at + "." + path));
            }
          }
          case "numericTolerance" -> {
            try {
              out.tolerance = Tolerance.parse(scalar(v, at));
            } catch (IllegalArgumentException e) {
              throw error(at, e.getMessage());
            }
          }
          case "treatNullAsAbsent" -> out.nullAsAbsent = bool(v, at);
          case "extraFieldsAllowed" -> out.extraAllowed = bool(v, at);
          case "maxDiscrepancyRate" -> out.maxRate = rate(scalar(v, at), at);
          default -> throw new IllegalStateException(key);
        }
      }
      if (endpoint && out.match == null) {
        throw new RulesException(source, out.line, where + ".match", "missing (e.g. match: \"GET /api/users/{id}\")");
      }
      return out;
    }

    private double rate(String text, String at) {
      String t = text.strip();
      try {
        double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).strip()) / 100 : Double.parseDouble(t);
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
      } catch (IllegalArgumentException e) {
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
        throw error(at, "expected a value, got " + (v == null ? "nothing" : v.isStructStart() ? "a " + (v == JsonToken.START_OBJECT ? "mapping" : "list") : "null"));
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
      throw error(at, "expected true or false, got " + (v != null && v.isScalarValue() ? "\"" + p.getText() + "\"" : String.valueOf(v)));
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
    Tolerance tolerance;
    Boolean nullAsAbsent;
    Boolean extraAllowed;
    boolean skip;
    Double maxRate;

    Partial(int line) {
      this.line = line;
    }

    EndpointRule apply(EndpointRule base, EndpointTemplate template) {
      JsonOptions j = base.json();
      List<JsonPath> allIgnore = new ArrayList<>(j.ignore());
      allIgnore.addAll(ignore);
      List<JsonPath> allUnordered = new ArrayList<>(j.unorderedArrays());
      allUnordered.addAll(unordered);
      Map<JsonPath, String> allKeyed = new LinkedHashMap<>(j.keyedArrays());
      allKeyed.putAll(keyed);
      JsonOptions merged = new JsonOptions(allIgnore, tolerance != null ? tolerance : j.tolerance(), allUnordered, allKeyed,
          nullAsAbsent != null ? nullAsAbsent : j.treatNullAsAbsent(),
          extraAllowed != null ? extraAllowed : j.extraFieldsAllowed());
      Set<String> headers = new LinkedHashSet<>(base.ignoreHeaders());
      headers.addAll(ignoreHeaders);
      return new EndpointRule(template, headers, merged, skip, maxRate != null ? maxRate : base.maxDiscrepancyRate(),
          template == null ? 0 : line);
    }
  }
}
