package dev.shadowtest.reconcile;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.shadowtest.diff.run.TriggerActions;
import dev.shadowtest.reconcile.ReconcileResult.Verdict;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reconciliation's drift trigger fired: the run's verdict was INVESTIGATE or PAUSE, or the run
 * failed ({@code reconcile-error}, with {@code "metric": "error"} and {@code "error"}, and {@code
 * SHADOW_ERROR} for the command). The same
 * actions as the live mirror's triggers act on it (a webhook, a command; docs/reconcile.md):
 *
 * <pre>{@code
 * {"event":"fired","trigger":"reconcile-pause","metric":"drift","value":0.0021,"threshold":0.001,
 *  "verdict":"PAUSE","at":"2026-11-27T02:10:00Z","union":1000000,"differing":2100,
 *  "datasets":[{"name":"orders","drift":0.0021,"differing":2100,"union":1000000}],
 *  "aggregatesDisagreeing":["open amount"],"runDirectory":"/var/shadow/reconcile",
 *  "report":"/var/shadow/reconcile/report.html"}
 * }</pre>
 *
 * @param value the run's worst drift (overall or of a dataset)
 * @param threshold the threshold it crossed (investigate's when only an aggregate disagrees)
 */
public record DriftEvent(
    String trigger,
    double value,
    double threshold,
    ReconcileSummary summary,
    String runDirectory,
    String report)
    implements TriggerActions.Event {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * The event of a run whose verdict is not OK ({@code reconcile-investigate}, {@code
   * reconcile-pause}) or that failed ({@code reconcile-error}), or null when it is OK.
   */
  public static DriftEvent of(ReconcileSummary s, String runDirectory, String report) {
    if (s.isFailed()) {
      return new DriftEvent("reconcile-error", 0, 0, s, runDirectory, null);
    }
    if (s.verdict() == Verdict.OK) {
      return null;
    }
    boolean pause = s.verdict() == Verdict.PAUSE;
    return new DriftEvent(
        pause ? "reconcile-pause" : "reconcile-investigate",
        s.worstDrift(),
        pause ? s.thresholds().pause() : s.thresholds().investigate(),
        s,
        runDirectory,
        report);
  }

  /** Always {@code fired}: a reconciliation is one run, there is no window to clear. */
  @Override
  public String event() {
    return "fired";
  }

  private List<String> disagreeing() {
    return summary.aggregates().stream()
        .filter(a -> !a.agrees())
        .map(ReconcileSummary.Aggregate::name)
        .toList();
  }

  /**
   * {@code trigger reconcile-pause fired: drift 0.21% > 0.1% (2100 of 1000000 rows; aggregates
   * disagreeing: open amount)}.
   */
  @Override
  public String line() {
    if (summary.isFailed()) {
      return "trigger " + trigger + " fired: the run failed: " + summary.error();
    }
    List<String> aggregates = disagreeing();
    return "trigger "
        + trigger
        + " fired: drift "
        + ReconcileGate.percent(value)
        + (value > threshold ? " > " : " <= ")
        + ReconcileGate.percent(threshold)
        + " ("
        + summary.differing()
        + " of "
        + summary.union()
        + " rows"
        + (aggregates.isEmpty() ? "" : "; aggregates disagreeing: " + String.join(", ", aggregates))
        + ")";
  }

  /** The event's JSON (above), on one line. */
  @Override
  public String toJson() {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("event", event());
      g.writeStringField("trigger", trigger);
      if (summary.isFailed()) {
        g.writeStringField("metric", "error");
        g.writeStringField("error", summary.error());
        g.writeStringField("at", summary.finishedAt());
        g.writeStringField("spec", summary.spec());
        if (runDirectory != null) {
          g.writeStringField("runDirectory", runDirectory);
        }
        g.writeEndObject();
        g.flush();
        return w.toString();
      }
      g.writeStringField("metric", "drift");
      g.writeNumberField("value", value);
      g.writeNumberField("threshold", threshold);
      g.writeStringField("verdict", summary.verdict().name());
      g.writeStringField("at", summary.finishedAt());
      g.writeNumberField("union", summary.union());
      g.writeNumberField("differing", summary.differing());
      g.writeArrayFieldStart("datasets");
      for (ReconcileSummary.Dataset d : summary.datasets()) {
        g.writeStartObject();
        g.writeStringField("name", d.name());
        g.writeNumberField("drift", d.drift());
        g.writeNumberField("differing", d.differing());
        g.writeNumberField("union", d.union());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("aggregatesDisagreeing");
      for (String a : disagreeing()) {
        g.writeString(a);
      }
      g.writeEndArray();
      if (runDirectory != null) {
        g.writeStringField("runDirectory", runDirectory);
      }
      if (report != null) {
        g.writeStringField("report", report);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /**
   * The command's {@code SHADOW_METRIC} ({@code drift}), {@code SHADOW_VALUE}, {@code
   * SHADOW_THRESHOLD}, {@code SHADOW_VERDICT}, {@code SHADOW_RUN_DIR} and {@code SHADOW_REPORT}.
   */
  @Override
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    if (summary.isFailed()) {
      env.put("SHADOW_METRIC", "error");
      env.put("SHADOW_ERROR", summary.error());
      env.put("SHADOW_RUN_DIR", runDirectory == null ? "" : runDirectory);
      env.put("SHADOW_REPORT", "");
      return env;
    }
    env.put("SHADOW_METRIC", "drift");
    env.put("SHADOW_VALUE", Double.toString(value));
    env.put("SHADOW_THRESHOLD", Double.toString(threshold));
    env.put("SHADOW_VERDICT", summary.verdict().name());
    env.put("SHADOW_RUN_DIR", runDirectory == null ? "" : runDirectory);
    env.put("SHADOW_REPORT", report == null ? "" : report);
    return env;
  }
}
