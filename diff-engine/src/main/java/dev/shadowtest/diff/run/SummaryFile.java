package dev.shadowtest.diff.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.RecordingException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A {@code summary.json} read back: the one reader (the writer is {@link SummaryJson}), used by
 * the report (what the run was, its gate), merge, the history and {@code shadow gate}. Strict: a
 * missing or mistyped field is an error naming the file and the field; fields a version does not
 * have take their defaults (docs/summary-format.md).
 *
 * @param meta      what the run was
 * @param gate      the thresholds it was judged by, or null when the summary records none
 * @param endpoints per endpoint, the counts the gate and the history need
 */
public record SummaryFile(
    Path file,
    int version,
    SummaryJson.Meta meta,
    Gate gate,
    long exchanges,
    long compared,
    long skipped,
    long discrepant,
    long errors,
    long serverErrors,
    List<Endpoint> endpoints) {

  public SummaryFile {
    endpoints = List.copyOf(endpoints);
  }

  /**
   * One endpoint's counts and its candidate p99 / baseline p99 (null when unknown), with the
   * exchanges behind that ratio (version 1 did not say: its compared count stands in).
   */
  public record Endpoint(
      String endpoint,
      long exchanges,
      long compared,
      long skipped,
      long discrepant,
      long errors,
      long serverErrors,
      Double p99Ratio,
      long latencySamples) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Reads and checks {@code file}: every count must be there. */
  public static SummaryFile read(Path file) {
    return read(file, true);
  }

  /**
   * Reads what a run was and its gate from {@code file}, for rebuilding its outputs from its
   * results (which give the counts): the counts may be missing (they read as 0), the rest is
   * checked as by {@link #read(Path)}.
   */
  public static SummaryFile readMeta(Path file) {
    return read(file, false);
  }

  private static SummaryFile read(Path file, boolean counts) {
    JsonNode n;
    try {
      n = MAPPER.readTree(file.toFile());
    } catch (NoSuchFileException | FileNotFoundException e) {
      throw new RecordingException(file, 0, "no such file");
    } catch (JsonProcessingException e) {
      throw new RecordingException(
          file,
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "not valid JSON: " + e.getOriginalMessage().replaceFirst(": enable `.*", ""));
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot read: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new RecordingException(file, 0, "not a summary: expected a JSON object");
    }
    int version = (int) number(file, n, "version", "");
    if (version < 1 || version > SummaryJson.VERSION) {
      throw new RecordingException(
          file,
          0,
          "summary version "
              + version
              + " is not supported (this Shadow reads versions 1 to "
              + SummaryJson.VERSION
              + ")");
    }
    JsonNode eps = n.get("endpoints");
    if (counts && (eps == null || !eps.isArray())) {
      throw new RecordingException(file, 0, "field \"endpoints\": expected an array");
    }
    List<Endpoint> endpoints = new ArrayList<>();
    int i = 0;
    for (JsonNode e : counts ? eps : n.path("none")) {
      String where = "endpoints[" + i++ + "].";
      JsonNode ratio = e.path("latency").get("p99Ratio");
      JsonNode samples = e.path("latency").get("samples");
      long compared = number(file, e, "compared", where);
      endpoints.add(
          new Endpoint(
              text(file, e, "endpoint", where),
              number(file, e, "exchanges", where),
              compared,
              number(file, e, "skipped", where),
              number(file, e, "discrepant", where),
              number(file, e, "errors", where),
              number(file, e, "serverErrors", where),
              ratio != null && ratio.isNumber() ? ratio.asDouble() : null,
              samples != null && samples.canConvertToLong() ? samples.asLong() : compared));
    }
    SummaryJson.Meta meta =
        new SummaryJson.Meta(
            instant(file, n, "startedAt"),
            instant(file, n, "finishedAt"),
            n.hasNonNull("recording")
                ? Arrays.asList(n.get("recording").asText().split(", "))
                : List.of(),
            counts ? text(file, n, "candidate", "") : n.path("candidate").asText("(unknown)"),
            optional(n, "primary"),
            optional(n, "secondary"),
            optional(n, "shard"),
            // an aborted run is incomplete whatever the flag says: it never passes a gate
            n.path("incomplete").asBoolean(false) || n.hasNonNull("aborted"),
            optional(n, "aborted"),
            n.path("late").asLong(0),
            n.path("unreadable").asLong(0),
            optional(n, "liveDay"),
            passes(file, n.get("passes")),
            warnings(file, n.get("warnings")));
    if (counts) {
      consistent(file, n, endpoints);
    }
    return new SummaryFile(
        file,
        version,
        meta,
        gate(file, n.get("gate")),
        count(file, n, "exchanges", counts),
        count(file, n, "compared", counts),
        count(file, n, "skipped", counts),
        count(file, n, "discrepant", counts),
        count(file, n, "errors", counts),
        count(file, n, "serverErrors", counts),
        endpoints);
  }

  /**
   * A summary whose counts contradict each other is refused, not judged: the gate reads the
   * totals and the per-endpoint counts, and a hand-edited file could otherwise pass on one of
   * them. Checks {@code discrepant ≤ compared}, {@code serverErrors ≤ compared}, {@code compared +
   * skipped + errors (+ noBaseline when given) ≤ exchanges} (equal when {@code noBaseline} is
   * given), and that every top-level count is the sum of the endpoints'.
   */
  private static void consistent(Path file, JsonNode n, List<Endpoint> endpoints) {
    long[] sums = new long[6];
    int i = 0;
    for (Endpoint e : endpoints) {
      balanced(
          file,
          "endpoints[" + i + "].",
          n.get("endpoints").get(i),
          e.exchanges(),
          e.compared(),
          e.skipped(),
          e.discrepant(),
          e.errors(),
          e.serverErrors());
      long[] v = {
        e.exchanges(), e.compared(), e.skipped(), e.discrepant(), e.errors(), e.serverErrors()
      };
      for (int k = 0; k < v.length; k++) {
        sums[k] += v[k];
      }
      i++;
    }
    String[] names = {"exchanges", "compared", "skipped", "discrepant", "errors", "serverErrors"};
    long[] totals = new long[names.length];
    for (int k = 0; k < names.length; k++) {
      totals[k] = number(file, n, names[k], "");
      if (totals[k] != sums[k]) {
        throw new RecordingException(
            file,
            0,
            "field \""
                + names[k]
                + "\" is "
                + totals[k]
                + " but its endpoints add up to "
                + sums[k]
                + ": the summary contradicts itself (edited by hand?); rebuild it with shadow"
                + " report --results DIR");
      }
    }
    balanced(file, "", n, totals[0], totals[1], totals[2], totals[3], totals[4], totals[5]);
  }

  private static void balanced(
      Path file,
      String where,
      JsonNode n,
      long exchanges,
      long compared,
      long skipped,
      long discrepant,
      long errors,
      long serverErrors) {
    String wrong = null;
    long noBaseline = n.path("noBaseline").canConvertToLong() ? n.get("noBaseline").asLong() : -1;
    if (discrepant > compared) {
      wrong = "discrepant (" + discrepant + ") is more than compared (" + compared + ")";
    } else if (serverErrors > compared) {
      wrong = "serverErrors (" + serverErrors + ") is more than compared (" + compared + ")";
    } else if (noBaseline >= 0
        ? compared + skipped + errors + noBaseline != exchanges
        : compared + skipped + errors > exchanges) {
      wrong =
          "compared + skipped + errors"
              + (noBaseline >= 0 ? " + noBaseline (" : " (")
              + (compared + skipped + errors + Math.max(0, noBaseline))
              + (noBaseline >= 0 ? ") is not" : ") is more than")
              + " exchanges ("
              + exchanges
              + ")";
    }
    if (wrong != null) {
      throw new RecordingException(
          file,
          0,
          (where.isEmpty() ? "" : "in \"" + where.substring(0, where.length() - 1) + "\": ")
              + wrong
              + ": the summary contradicts itself (edited by hand?); rebuild it with shadow"
              + " report --results DIR");
    }
  }

  private static long count(Path file, JsonNode n, String field, boolean required) {
    return required || n.has(field) ? number(file, n, field, "") : 0;
  }

  public Instant startedAt() {
    return meta.startedAt();
  }

  /** When the run ended: the history files it under this instant's UTC day. */
  public Instant finishedAt() {
    return meta.finishedAt();
  }

  public String candidate() {
    return meta.candidate();
  }

  /** {@code I/N} for the summary of one shard, else null. */
  public String shard() {
    return meta.shard();
  }

  /** The run was stopped or aborted before the end of its recordings. */
  public boolean incomplete() {
    return meta.incomplete();
  }

  /** Why it was aborted, or null. */
  public String aborted() {
    return meta.abortReason();
  }

  public double discrepancyRate() {
    return compared == 0 ? 0.0 : (double) discrepant / compared;
  }

  public double errorRate() {
    long attempted = exchanges - skipped;
    return attempted == 0 ? 0.0 : (double) (errors + serverErrors) / attempted;
  }

  /** True when both summaries describe the same run (e.g. stored again after a new report). */
  public boolean sameRun(SummaryFile o) {
    if (meta.liveDay() != null || o.meta.liveDay() != null) {
      // a live day continued after a restart: the same day of the same live run
      return Objects.equals(meta.liveDay(), o.meta.liveDay())
          && startedAt().equals(o.startedAt())
          && candidate().equals(o.candidate());
    }
    return startedAt().equals(o.startedAt())
        && finishedAt().equals(o.finishedAt())
        && candidate().equals(o.candidate())
        && Objects.equals(recording(), o.recording())
        && Objects.equals(shard(), o.shard());
  }

  /** The recording(s) as the summary names them, comma-separated; null when it names none. */
  public String recording() {
    return meta.recordings().isEmpty() ? null : String.join(", ", meta.recordings());
  }

  private static Gate gate(Path file, JsonNode g) {
    if (g == null || !g.isObject()) {
      return null;
    }
    try {
      return new Gate(
          g.has("maxDiscrepancyRate")
              ? rate(g, "maxDiscrepancyRate")
              : Gate.defaults().maxDiscrepancyRate(),
          g.hasNonNull("maxErrorRate") ? rate(g, "maxErrorRate") : null,
          g.hasNonNull("maxLatencyRatio") ? rate(g, "maxLatencyRatio") : null,
          g.hasNonNull("minLatencySamples")
              ? (int) rate(g, "minLatencySamples")
              : Gate.DEFAULT_MIN_LATENCY_SAMPLES);
    } catch (IllegalArgumentException | BadInputException e) {
      throw new RecordingException(file, 0, "field \"gate\": " + e.getMessage(), e);
    }
  }

  /** The strings of {@code w}; absent: none. */
  private static List<String> warnings(Path file, JsonNode w) {
    List<String> out = new ArrayList<>();
    if (w == null || w.isNull()) {
      return out;
    }
    if (!w.isArray()) {
      throw new RecordingException(file, 0, "field \"warnings\": expected an array, got " + w);
    }
    for (JsonNode s : w) {
      if (!s.isTextual()) {
        throw new RecordingException(file, 0, "field \"warnings\": expected strings, got " + s);
      }
      out.add(s.asText());
    }
    return out;
  }

  /** {@code {"loop": N}} or {@code {"duration": "PT10M"}}; absent: one pass (null). */
  private static SummaryJson.PassSettings passes(Path file, JsonNode p) {
    if (p == null || p.isNull()) {
      return null;
    }
    JsonNode loop = p.get("loop");
    JsonNode duration = p.get("duration");
    try {
      if (p.isObject() && p.size() == 1 && loop != null && loop.isIntegralNumber()) {
        return new SummaryJson.PassSettings(loop.asInt(), null);
      }
      if (p.isObject() && p.size() == 1 && duration != null && duration.isTextual()) {
        return new SummaryJson.PassSettings(0, Duration.parse(duration.asText()));
      }
    } catch (IllegalArgumentException | DateTimeParseException e) {
      // told below
    }
    throw new RecordingException(
        file,
        0,
        "field \"passes\": expected {\"loop\": N} (N at least 1) or {\"duration\": \"PT…\"}, got "
            + p);
  }

  private static double rate(JsonNode g, String field) {
    JsonNode v = g.get(field);
    if (v == null || !v.isNumber()) {
      throw new BadInputException("\"" + field + "\" must be a number, got " + v);
    }
    return v.asDouble();
  }

  private static String optional(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }

  private static long number(Path file, JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw new RecordingException(
          file,
          0,
          "field \""
              + where
              + field
              + "\": expected a non-negative whole number"
              + (v == null ? ", it is missing" : ", got " + v));
    }
    return v.asLong();
  }

  private static String text(Path file, JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new RecordingException(
          file,
          0,
          "field \""
              + where
              + field
              + "\": expected a string"
              + (v == null ? ", it is missing" : ", got " + v));
    }
    return v.asText();
  }

  private static Instant instant(Path file, JsonNode n, String field) {
    String t = text(file, n, field, "");
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw new RecordingException(
          file, 0, "field \"" + field + "\": expected an ISO-8601 instant, got \"" + t + "\"");
    }
  }
}
