package dev.shadowtest.diff.run;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A trigger fired or cleared. Its one JSON form (a line of {@code triggers.jsonl}, the body of the
 * webhook, {@code SHADOW_EVENT_JSON} of the command; docs/run-format.md):
 *
 * <pre>{@code
 * {"event":"fired","trigger":"errorRate","metric":"errorRate","value":0.052,"threshold":0.005,
 *  "window":"PT5M","for":"PT5M","windowStart":"2026-11-24T02:03:30Z",
 *  "windowEnd":"2026-11-24T02:08:30Z","at":"2026-11-24T02:08:30Z","attempted":1200,
 *  "compared":1100,"discrepant":3,"errors":60,"serverErrors":2,"latencySamples":1100,
 *  "legacyP99Millis":41.0,"candidateP99Millis":44.5,"runDirectory":"/var/shadow/run",
 *  "report":"/var/shadow/run/report.html"}
 * }</pre>
 *
 * {@code legacyP99Millis}, {@code candidateP99Millis}, {@code runDirectory} and {@code report}
 * are left out when unknown.
 *
 * @param kind         fired or cleared
 * @param trigger      the trigger's name
 * @param metric       what it measures
 * @param value        the metric over the window at {@code at}
 * @param threshold    the trigger's threshold
 * @param window       the trigger's window
 * @param forDuration  the trigger's {@code for}
 * @param windowStart  the start of the window ({@code at} minus the window)
 * @param windowEnd    the end of the window ({@code at})
 * @param at           the evaluation that fired or cleared the trigger
 * @param facts        the window's counts
 * @param runDirectory the live run's directory, or null
 * @param report       the report the run writes, or null
 */
public record TriggerEvent(
    Kind kind,
    String trigger,
    Trigger.Metric metric,
    double value,
    double threshold,
    Duration window,
    Duration forDuration,
    Instant windowStart,
    Instant windowEnd,
    Instant at,
    WindowFacts facts,
    String runDirectory,
    String report)
    implements TriggerActions.Event {

  private static final JsonFactory JSON = new JsonFactory();

  /** What happened to the trigger. */
  public enum Kind {
    FIRED("fired"),
    CLEARED("cleared");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    /** {@code fired} or {@code cleared}, as events write it. */
    public String label() {
      return label;
    }
  }

  public TriggerEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(forDuration, "forDuration");
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(windowEnd, "windowEnd");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(facts, "facts");
  }

  @Override
  public String event() {
    return kind.label();
  }

  /**
   * {@code SHADOW_METRIC}, {@code SHADOW_VALUE}, {@code SHADOW_THRESHOLD}, {@code
   * SHADOW_WINDOW_START}, {@code SHADOW_WINDOW_END}, {@code SHADOW_RUN_DIR} and {@code
   * SHADOW_REPORT} (empty when unknown).
   */
  @Override
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SHADOW_METRIC", metric.label());
    env.put("SHADOW_VALUE", Double.toString(value));
    env.put("SHADOW_THRESHOLD", Double.toString(threshold));
    env.put("SHADOW_WINDOW_START", windowStart.toString());
    env.put("SHADOW_WINDOW_END", windowEnd.toString());
    env.put("SHADOW_RUN_DIR", runDirectory == null ? "" : runDirectory);
    env.put("SHADOW_REPORT", report == null ? "" : report);
    return env;
  }

  /** The value against the threshold: {@code 5.20% > 0.50%}, {@code 0.10% <= 0.50%}. */
  public String comparison() {
    return metric.format(value) + (kind == Kind.FIRED ? " > " : " <= ") + metric.format(threshold);
  }

  /**
   * One line for a log: {@code trigger errorRate fired: errorRate 5.20% > 0.50% over the 5m
   * window ending 2026-11-24T02:08:30Z (for 5m; 1200 attempted)}.
   */
  @Override
  public String line() {
    return "trigger "
        + trigger
        + " "
        + kind.label()
        + ": "
        + metric.label()
        + " "
        + comparison()
        + " over the "
        + Trigger.formatDuration(window)
        + " window ending "
        + windowEnd
        + " (for "
        + Trigger.formatDuration(forDuration)
        + "; "
        + facts.attempted()
        + " attempted, "
        + facts.compared()
        + " compared)";
  }

  /** The event's JSON form (above), on one line. */
  @Override
  public String toJson() {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("event", kind.label());
      g.writeStringField("trigger", trigger);
      g.writeStringField("metric", metric.label());
      g.writeNumberField("value", value);
      g.writeNumberField("threshold", threshold);
      g.writeStringField("window", window.toString());
      g.writeStringField("for", forDuration.toString());
      g.writeStringField("windowStart", windowStart.toString());
      g.writeStringField("windowEnd", windowEnd.toString());
      g.writeStringField("at", at.toString());
      g.writeNumberField("attempted", facts.attempted());
      g.writeNumberField("compared", facts.compared());
      g.writeNumberField("discrepant", facts.discrepant());
      g.writeNumberField("errors", facts.errors());
      g.writeNumberField("serverErrors", facts.serverErrors());
      g.writeNumberField("latencySamples", facts.latencySamples());
      if (facts.legacyP99Millis() != null) {
        g.writeNumberField("legacyP99Millis", facts.legacyP99Millis());
      }
      if (facts.candidateP99Millis() != null) {
        g.writeNumberField("candidateP99Millis", facts.candidateP99Millis());
      }
      if (runDirectory != null) {
        g.writeStringField("runDirectory", runDirectory);
      }
      if (report != null) {
        g.writeStringField("report", report);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return w.toString();
  }
}
