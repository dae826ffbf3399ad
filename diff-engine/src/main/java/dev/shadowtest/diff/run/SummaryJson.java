package dev.shadowtest.diff.run;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.Statistics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@code summary.json} (the contract in docs/summary-format.md). Rates are unrounded
 * doubles. Version 2: header differences are typed MISSING/EXTRA/VALUE, status fields are keyed
 * by status class, accepted differences and rewritten requests are counted, latency ratios say
 * how many exchanges back them.
 */
public final class SummaryJson {

  /** The format version this Shadow writes. */
  public static final int VERSION = 2;

  /**
   * Endpoints listed one by one (the worst, in name order); the others are summed into one entry
   * named {@value #OTHER_ENDPOINTS}, so that the endpoints always add up to the totals.
   */
  public static final int MAX_ENDPOINTS = 400;

  /** Field rows listed per endpoint (most frequent first) and in the whole summary. */
  public static final int MAX_FIELDS_PER_ENDPOINT = 30;

  public static final int MAX_FIELDS = 1_000;

  /** Characters kept of a recorded string (endpoint, path, id, reason, URL); longer ones end in "…". */
  public static final int MAX_STRING = 300;

  public static final String OTHER_ENDPOINTS = "(other endpoints)";

  /** Warnings written (the first ones; a last line counts the others). */
  public static final int MAX_WARNINGS = 20;

  /**
   * What the run was.
   *
   * @param unreadable recording lines that could not be read and were skipped
   * @param liveDay the UTC day (yyyy-MM-dd) of a live run's window, or null: a live day's summary
   *     stored again (the day went on after a restart) replaces the one stored before
   * @param passes how often the recordings were replayed ({@code --loop}, {@code --duration}), or
   *     null for one pass (and for summaries written before the field)
   * @param warnings what the run warned of, for whoever reads its record later (e.g. {@code
   *     --insecure}: certificates were not verified); at most {@link #MAX_WARNINGS} are written
   */
  public record Meta(
      Instant startedAt,
      Instant finishedAt,
      List<String> recordings,
      String candidate,
      String primary,
      String secondary,
      String shard,
      boolean incomplete,
      String abortReason,
      long late,
      long unreadable,
      String liveDay,
      PassSettings passes,
      List<String> warnings) {

    public Meta {
      warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** A run of one pass, without warnings. */
    public Meta(
        Instant startedAt,
        Instant finishedAt,
        List<String> recordings,
        String candidate,
        String primary,
        String secondary,
        String shard,
        boolean incomplete,
        String abortReason,
        long late,
        long unreadable,
        String liveDay) {
      this(
          startedAt,
          finishedAt,
          recordings,
          candidate,
          primary,
          secondary,
          shard,
          incomplete,
          abortReason,
          late,
          unreadable,
          liveDay,
          null,
          List.of());
    }

    /** {@link #passes}, one pass when the summary records none. */
    public PassSettings passesOrOnce() {
      return passes == null ? PassSettings.ONCE : passes;
    }
  }

  /**
   * How often a run replayed its recordings: {@code loop} whole passes ({@code --loop}), or pass
   * after pass until {@code duration} had passed ({@code --duration}, {@code loop} 0).
   */
  public record PassSettings(int loop, Duration duration) {

    /** One pass: no {@code --loop} or {@code --duration}. */
    public static final PassSettings ONCE = new PassSettings(1, null);

    public PassSettings {
      if (duration == null ? loop < 1 : loop != 0) {
        throw new IllegalArgumentException(
            "passes: a loop of at least 1, or a duration alone, got " + loop + ", " + duration);
      }
    }

    /** As the command line gives them: {@code --loop 3}, {@code --duration 10m}, one pass. */
    public String describe() {
      if (duration != null) {
        return "--duration " + Trigger.formatDuration(duration);
      }
      return loop == 1 ? "one pass" : "--loop " + loop;
    }
  }

  private SummaryJson() {}

  public static void write(
      Path file, Meta meta, RunAggregate.Collapsed c, Gate gate, List<String> gateFailures)
      throws IOException {
    Statistics.RunResult r = c.result();
    // written beside and moved into place: an interrupted write never destroys a valid summary
    Path temp = SecureFiles.temporarySibling(file);
    try (OutputStream out = SecureFiles.newOutputStream(temp);
        JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeNumberField("version", VERSION);
      g.writeStringField("startedAt", meta.startedAt().toString());
      g.writeStringField("finishedAt", meta.finishedAt().toString());
      g.writeStringField("recording", clip(String.join(", ", meta.recordings()), 4 * MAX_STRING));
      g.writeStringField("candidate", clip(meta.candidate()));
      if (meta.primary() != null) {
        g.writeStringField("primary", clip(meta.primary()));
      }
      if (meta.secondary() != null) {
        g.writeStringField("secondary", clip(meta.secondary()));
      }
      if (meta.shard() != null) {
        g.writeStringField("shard", meta.shard());
      }
      if (meta.passes() != null && !meta.passes().equals(PassSettings.ONCE)) {
        g.writeObjectFieldStart("passes");
        if (meta.passes().duration() != null) {
          g.writeStringField("duration", meta.passes().duration().toString());
        } else {
          g.writeNumberField("loop", meta.passes().loop());
        }
        g.writeEndObject();
      }
      g.writeBooleanField("incomplete", meta.incomplete());
      if (meta.abortReason() != null) {
        g.writeStringField("aborted", clip(meta.abortReason()));
      }
      if (!meta.warnings().isEmpty()) {
        g.writeArrayFieldStart("warnings");
        for (String w :
            meta.warnings().subList(0, Math.min(meta.warnings().size(), MAX_WARNINGS))) {
          g.writeString(clip(w, 2 * MAX_STRING));
        }
        if (meta.warnings().size() > MAX_WARNINGS) {
          g.writeString("... and " + (meta.warnings().size() - MAX_WARNINGS) + " more warnings");
        }
        g.writeEndArray();
      }
      g.writeNumberField("exchanges", r.exchanges());
      g.writeNumberField("compared", r.compared());
      g.writeNumberField("skipped", r.skipped());
      g.writeNumberField("matched", r.matched());
      g.writeNumberField("accepted", r.accepted());
      g.writeNumberField("discrepant", r.discrepant());
      g.writeNumberField("noise", r.noise());
      g.writeNumberField("errors", r.errors());
      g.writeNumberField("serverErrors", r.serverErrors());
      g.writeNumberField("noBaseline", r.noBaseline());
      g.writeNumberField("discrepancyRate", r.discrepancyRate());
      g.writeNumberField("errorRate", r.errorRate());
      g.writeNumberField("rewritten", r.rewritten());
      g.writeNumberField("late", meta.late());
      g.writeNumberField("unreadable", meta.unreadable());
      if (meta.liveDay() != null) {
        g.writeStringField("liveDay", meta.liveDay());
      }
      g.writeNumberField("skippedFromCache", c.gaps().skippedFromCache());
      g.writeNumberField("bodyNotCaptured", c.gaps().bodyNotCaptured());
      g.writeNumberField("bodyCut", c.gaps().bodyCut());
      if (!c.transforms().isEmpty()) {
        g.writeObjectFieldStart("transforms");
        for (Map.Entry<String, Long> t : c.transforms().entrySet()) {
          g.writeNumberField(t.getKey(), t.getValue());
        }
        g.writeEndObject();
      }
      g.writeArrayFieldStart("endpoints");
      int[] fieldBudget = {MAX_FIELDS};
      List<Statistics.EndpointResult> listed = listed(r.endpoints());
      for (Statistics.EndpointResult e : listed) {
        endpoint(g, e, c.latencies().get(e.endpoint()), fieldBudget);
      }
      if (listed.size() < r.endpoints().size()) {
        Set<String> names = new HashSet<>();
        listed.forEach(e -> names.add(e.endpoint()));
        long[] sum = new long[9];
        int folded = 0;
        for (Statistics.EndpointResult e : r.endpoints()) {
          if (!names.contains(e.endpoint())) {
            folded++;
            long[] v = {
              e.exchanges(),
              e.compared(),
              e.skipped(),
              e.matched(),
              e.accepted(),
              e.discrepant(),
              e.noise(),
              e.errors(),
              e.serverErrors()
            };
            for (int i = 0; i < sum.length; i++) {
              sum[i] += v[i];
            }
          }
        }
        long noBaseline = 0;
        long rewritten = 0;
        for (Statistics.EndpointResult e : r.endpoints()) {
          if (!names.contains(e.endpoint())) {
            noBaseline += e.noBaseline();
            rewritten += e.rewritten();
          }
        }
        Statistics.EndpointResult other =
            new Statistics.EndpointResult(
                OTHER_ENDPOINTS,
                sum[0],
                sum[1],
                sum[2],
                sum[3],
                sum[5],
                sum[6],
                sum[7],
                sum[8],
                noBaseline,
                List.of(),
                sum[4],
                rewritten,
                List.of(),
                null);
        g.writeStartObject();
        counts(g, other);
        g.writeNumberField("folded", folded);
        g.writeArrayFieldStart("fields");
        g.writeEndArray();
        g.writeObjectFieldStart("latency");
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeObjectFieldStart("gate");
      g.writeNumberField("maxDiscrepancyRate", gate.maxDiscrepancyRate());
      if (gate.maxErrorRate() != null) {
        g.writeNumberField("maxErrorRate", gate.maxErrorRate());
      }
      if (gate.maxLatencyRatio() != null) {
        g.writeNumberField("maxLatencyRatio", gate.maxLatencyRatio());
        g.writeNumberField("minLatencySamples", gate.minLatencySamples());
      }
      g.writeBooleanField("passed", gateFailures.isEmpty() && !meta.incomplete());
      g.writeArrayFieldStart("failures");
      for (String f :
          gateFailures.subList(0, Math.min(gateFailures.size(), MAX_FIELDS_PER_ENDPOINT * 3))) {
        g.writeString(clip(f, 2 * MAX_STRING));
      }
      if (gateFailures.size() > MAX_FIELDS_PER_ENDPOINT * 3) {
        g.writeString(
            "... and " + (gateFailures.size() - MAX_FIELDS_PER_ENDPOINT * 3) + " more failures");
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    SecureFiles.commit(temp, file);
  }

  /** The gate's failures, with the run's incompleteness first: an incomplete run never passes. */
  public static List<String> failuresOf(Meta meta, List<String> gateFailures) {
    if (!meta.incomplete()) {
      return gateFailures;
    }
    List<String> out = new ArrayList<>();
    out.add(
        "the run is incomplete"
            + (meta.abortReason() == null
                ? " (stopped before the end of its recordings)"
                : ": " + meta.abortReason()));
    out.addAll(gateFailures);
    return out;
  }

  /** The endpoints listed one by one: all of them, or the worst {@link #MAX_ENDPOINTS}, in name order. */
  static List<Statistics.EndpointResult> listed(List<Statistics.EndpointResult> all) {
    if (all.size() <= MAX_ENDPOINTS) {
      return all;
    }
    List<Statistics.EndpointResult> worst = new ArrayList<>(all);
    worst.sort(
        Comparator.comparingDouble(Statistics.EndpointResult::discrepancyRate)
            .reversed()
            .thenComparing(
                Comparator.comparingLong(
                        (Statistics.EndpointResult e) -> e.errors() + e.serverErrors())
                    .reversed())
            .thenComparing(
                Comparator.comparingLong(Statistics.EndpointResult::exchanges).reversed())
            .thenComparing(Statistics.EndpointResult::endpoint));
    List<Statistics.EndpointResult> kept = new ArrayList<>(worst.subList(0, MAX_ENDPOINTS));
    kept.sort(Comparator.comparing(Statistics.EndpointResult::endpoint));
    return kept;
  }

  private static void counts(JsonGenerator g, Statistics.EndpointResult e) throws IOException {
    g.writeStringField("endpoint", clip(e.endpoint()));
    g.writeNumberField("exchanges", e.exchanges());
    g.writeNumberField("compared", e.compared());
    g.writeNumberField("skipped", e.skipped());
    g.writeNumberField("matched", e.matched());
    g.writeNumberField("accepted", e.accepted());
    g.writeNumberField("discrepant", e.discrepant());
    g.writeNumberField("noise", e.noise());
    g.writeNumberField("discrepancyRate", e.discrepancyRate());
    g.writeNumberField("errors", e.errors());
    g.writeNumberField("serverErrors", e.serverErrors());
    g.writeNumberField("noBaseline", e.noBaseline());
    g.writeNumberField("rewritten", e.rewritten());
  }

  private static void endpoint(
      JsonGenerator g, Statistics.EndpointResult e, RunAggregate.Latencies l, int[] fieldBudget)
      throws IOException {
    g.writeStartObject();
    counts(g, e);
    g.writeArrayFieldStart("fields");
    int shown = 0;
    for (Statistics.FieldResult f : e.fields()) {
      if (shown >= MAX_FIELDS_PER_ENDPOINT || fieldBudget[0] <= 0) {
        break;
      }
      shown++;
      fieldBudget[0]--;
      field(
          g,
          f.field(),
          f.type(),
          f.count(),
          f.examples(),
          () -> {
            g.writeNumberField("noise", f.noise());
            g.writeBooleanField("real", f.real());
          });
    }
    g.writeEndArray();
    if (shown < e.fields().size()) {
      g.writeNumberField("moreFields", e.fields().size() - shown);
    }
    g.writeArrayFieldStart("acceptedFields");
    int accepted = 0;
    for (Statistics.AcceptedResult f : e.acceptedFields()) {
      if (accepted >= MAX_FIELDS_PER_ENDPOINT || fieldBudget[0] <= 0) {
        break;
      }
      accepted++;
      fieldBudget[0]--;
      field(
          g,
          f.field(),
          f.type(),
          f.count(),
          f.examples(),
          () -> g.writeStringField("reason", clip(f.reason())));
    }
    g.writeEndArray();
    if (accepted < e.acceptedFields().size()) {
      g.writeNumberField("moreAcceptedFields", e.acceptedFields().size() - accepted);
    }
    g.writeObjectFieldStart("latency");
    if (l != null) {
      percentiles(g, "recorded", l.recorded);
      percentiles(g, "primary", l.primary);
      percentiles(g, "candidate", l.candidate);
      Double ratio = l.p99Ratio();
      if (ratio != null) {
        g.writeNumberField("p99Ratio", ratio);
        g.writeNumberField("samples", l.ratioSamples());
      }
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  static String clip(String s) {
    return clip(s, MAX_STRING);
  }

  static String clip(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end) + "…";
  }

  /** The members of a field row after its count (noise and judgement, or the accepted reason). */
  private interface Fields {
    void write() throws IOException;
  }

  private static void field(
      JsonGenerator g,
      String path,
      DifferenceType type,
      long count,
      List<String> examples,
      Fields more)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("path", clip(path));
    g.writeStringField("type", type.name());
    g.writeNumberField("count", count);
    more.write();
    g.writeArrayFieldStart("examples");
    for (String id : examples) {
      g.writeString(clip(id, MAX_STRING / 2));
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void percentiles(JsonGenerator g, String name, LatencyHistogram h)
      throws IOException {
    for (Map.Entry<String, Double> q :
        Map.of("P50", 0.5, "P95", 0.95, "P99", 0.99).entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .toList()) {
      Double v = h.percentileMillis(q.getValue());
      if (v != null) {
        g.writeNumberField(name + q.getKey() + "Ms", v);
      }
    }
  }
}
