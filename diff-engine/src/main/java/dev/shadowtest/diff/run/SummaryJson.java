package dev.shadowtest.diff.run;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.shadowtest.core.internal.SecureFiles;
import dev.shadowtest.diff.Statistics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code summary.json} (DESIGN.md contract, docs/summary-format.md). Rates are unrounded
 * doubles. Version 2: header differences are typed MISSING/EXTRA/VALUE, status fields are keyed
 * by status class, accepted differences and rewritten requests are counted, latency ratios say
 * how many exchanges back them.
 */
public final class SummaryJson {

  /** The format version this Shadow writes. */
  public static final int VERSION = 2;

  /** What the run was. */
  public record Meta(Instant startedAt, Instant finishedAt, List<String> recordings, String candidate, String primary,
      String secondary, String shard, boolean incomplete, String abortReason, long late) {}

  private SummaryJson() {}

  public static void write(Path file, Meta meta, RunAggregate.Collapsed c, Gate gate, List<String> gateFailures)
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
      g.writeStringField("recording", String.join(", ", meta.recordings()));
      g.writeStringField("candidate", meta.candidate());
      if (meta.primary() != null) {
        g.writeStringField("primary", meta.primary());
      }
      if (meta.secondary() != null) {
        g.writeStringField("secondary", meta.secondary());
      }
      if (meta.shard() != null) {
        g.writeStringField("shard", meta.shard());
      }
      g.writeBooleanField("incomplete", meta.incomplete());
      if (meta.abortReason() != null) {
        g.writeStringField("aborted", meta.abortReason());
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
      g.writeArrayFieldStart("endpoints");
      for (Statistics.EndpointResult e : r.endpoints()) {
        g.writeStartObject();
        g.writeStringField("endpoint", e.endpoint());
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
        g.writeArrayFieldStart("fields");
        for (Statistics.FieldResult f : e.fields()) {
          field(g, f.field(), f.type(), f.count(), f.examples(), () -> {
            g.writeNumberField("noise", f.noise());
            g.writeBooleanField("real", f.real());
          });
        }
        g.writeEndArray();
        g.writeArrayFieldStart("acceptedFields");
        for (Statistics.AcceptedResult f : e.acceptedFields()) {
          field(g, f.field(), f.type(), f.count(), f.examples(), () -> g.writeStringField("reason", f.reason()));
        }
        g.writeEndArray();
        RunAggregate.Latencies l = c.latencies().get(e.endpoint());
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
      for (String f : gateFailures) {
        g.writeString(f);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException | RuntimeException e) {
      java.nio.file.Files.deleteIfExists(temp);
      throw e;
    }
    SecureFiles.commit(temp, file);
  }

  /** The gate's failures, with the run's incompleteness first: an incomplete run never passes. */
  public static List<String> failuresOf(Meta meta, List<String> gateFailures) {
    if (!meta.incomplete()) {
      return gateFailures;
    }
    List<String> out = new java.util.ArrayList<>();
    out.add("the run is incomplete" + (meta.abortReason() == null ? " (stopped before the end of its recordings)"
        : ": " + meta.abortReason()));
    out.addAll(gateFailures);
    return out;
  }

  /** The members of a field row after its count (noise and judgement, or the accepted reason). */
  private interface Fields {
    void write() throws IOException;
  }

  private static void field(JsonGenerator g, String path, dev.shadowtest.diff.DifferenceType type, long count,
      List<String> examples, Fields more) throws IOException {
    g.writeStartObject();
    g.writeStringField("path", path);
    g.writeStringField("type", type.name());
    g.writeNumberField("count", count);
    more.write();
    g.writeArrayFieldStart("examples");
    for (String id : examples) {
      g.writeString(id);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void percentiles(JsonGenerator g, String name, LatencyHistogram h) throws IOException {
    for (Map.Entry<String, Double> q : Map.of("P50", 0.5, "P95", 0.95, "P99", 0.99).entrySet().stream()
        .sorted(Map.Entry.comparingByKey()).toList()) {
      Double v = h.percentileMillis(q.getValue());
      if (v != null) {
        g.writeNumberField(name + q.getKey() + "Ms", v);
      }
    }
  }
}
