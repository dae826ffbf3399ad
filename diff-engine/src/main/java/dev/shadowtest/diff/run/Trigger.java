package dev.shadowtest.diff.run;

import dev.shadowtest.core.BadInputException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rollback trigger: a metric of the live run, computed over a sliding {@link #window}, that
 * fires when it has stayed above {@link #threshold} for {@link #forDuration} ({@link Triggers}
 * runs the state machine, {@link TriggerActions} what follows). Built one way: {@link #of}, then
 * {@code with…}; or parsed from the flag form or the rules file's {@code triggers:} section
 * (docs/rules.md).
 *
 * <pre>{@code
 * Trigger errors = Trigger.parse("errorRate>0.5%,for=5m,name=candidate-errors");
 * Trigger same = Trigger.of(Trigger.Metric.ERROR_RATE, 0.005, Duration.ofMinutes(5))
 *     .withName("candidate-errors");
 * }</pre>
 *
 * @param name         names the trigger in events, logs and the report; default the metric's name
 * @param metric       what is measured
 * @param threshold    fires above this: a fraction for rates (1% is 0.01), a plain number for the
 *                     latency ratio
 * @param window       the sliding window the metric is computed over (at most 24 hours)
 * @param forDuration  how long the metric must stay above (and then at or under, to clear); 0
 *                     fires at the first evaluation above (at most 24 hours)
 * @param minExchanges a window with fewer exchanges behind the metric (compared ones for the
 *                     discrepancy rate, attempted ones for the error rate, exchanges with a latency
 *                     on both sides for the latency ratio) is "not enough data", never a fire
 */
public record Trigger(
    String name,
    Metric metric,
    double threshold,
    Duration window,
    Duration forDuration,
    long minExchanges) {

  /** The window of a trigger with {@code for} 0, when none is given. */
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

  /** The longest window or {@code for}: the live run keeps no more than a day of counts. */
  public static final Duration MAX_DURATION = Duration.ofHours(24);

  /** What a trigger measures. */
  public enum Metric {
    /** discrepant / compared. */
    DISCREPANCY("discrepancy", true, 100),
    /** (errors + 5xx) / attempted. */
    ERROR_RATE("errorRate", true, 100),
    /** The candidate's p99 latency / the legacy p99. */
    LATENCY_RATIO_P99("latencyRatio(p99)", false, 30);

    private final String label;
    private final boolean rate;
    private final long defaultMinExchanges;

    Metric(String label, boolean rate, long defaultMinExchanges) {
      this.label = label;
      this.rate = rate;
      this.defaultMinExchanges = defaultMinExchanges;
    }

    /** The name in flags, rules files and events: {@code discrepancy}, {@code errorRate}... */
    public String label() {
      return label;
    }

    /** True for a rate (a fraction, shown as a percentage), false for the latency ratio. */
    boolean isRate() {
      return rate;
    }

    /** 100 exchanges for the rates, 30 for the latency ratio. */
    public long defaultMinExchanges() {
      return defaultMinExchanges;
    }

    /** The metric named {@code label}. */
    public static Metric parse(String label) {
      for (Metric m : values()) {
        if (m.label.equals(label.strip())) {
          return m;
        }
      }
      throw new BadInputException("unknown metric \"" + label + "\" (expected " + labels() + ")");
    }

    /** A threshold as written: a rate ({@code 1%}, {@code 0.005}) or a ratio ({@code 2}, {@code 2x}). */
    public double parseThreshold(String text) {
      return rate ? Gate.parseRate(text) : Gate.parseRatio(text);
    }

    /** {@code value} as people read it: {@code 5.20%}, or {@code 2.35x}. */
    String format(double value) {
      return rate ? Gate.percent(value) : String.format(Locale.ROOT, "%.2fx", value);
    }

    /**
     * The metric over a window, or null when the window has fewer than {@code min} exchanges
     * behind it (or, for the latency ratio, no p99 on either side or a legacy p99 of 0).
     */
    Double valueOf(WindowFacts f, long min) {
      return switch (this) {
        case DISCREPANCY ->
            f.compared() < min || f.compared() == 0 ? null : (double) f.discrepant() / f.compared();
        case ERROR_RATE ->
            f.attempted() < min || f.attempted() == 0
                ? null
                : (double) (f.errors() + f.serverErrors()) / f.attempted();
        case LATENCY_RATIO_P99 ->
            f.latencySamples() < min
                    || f.legacyP99Millis() == null
                    || f.candidateP99Millis() == null
                    || !(f.legacyP99Millis() > 0)
                ? null
                : f.candidateP99Millis() / f.legacyP99Millis();
      };
    }

    static String labels() {
      List<String> out = new ArrayList<>();
      for (Metric m : values()) {
        out.add(m.label);
      }
      return String.join(", ", out);
    }
  }

  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9._()/:-][A-Za-z0-9 ._()/:-]{0,62}");
  private static final Pattern SHORT = Pattern.compile("(\\d{1,6})([smh])");

  public Trigger {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(forDuration, "forDuration");
    if (name == null || !NAME.matcher(name).matches() || name.endsWith(" ")) {
      throw new BadInputException(
          "name: expected 1 to 63 letters, digits, spaces or ._()/:- (no space first or last), got \""
              + name
              + "\"");
    }
    boolean validThreshold =
        metric.isRate()
            ? threshold >= 0 && threshold <= 1
            : threshold > 0 && Double.isFinite(threshold);
    if (!validThreshold) {
      throw new BadInputException(
          "threshold of "
              + metric.label()
              + ": expected "
              + (metric.isRate() ? "a rate between 0 and 1 (0% and 100%)" : "a positive ratio")
              + ", got "
              + threshold);
    }
    if (forDuration.isNegative() || forDuration.compareTo(MAX_DURATION) > 0) {
      throw new BadInputException(
          "for: expected between 0 and 24h, got " + formatDuration(forDuration));
    }
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(MAX_DURATION) > 0) {
      throw new BadInputException(
          "window: expected between 1s and 24h, got " + formatDuration(window));
    }
    if (minExchanges < 1) {
      throw new BadInputException(
          "minExchanges: expected a whole number of at least 1, got " + minExchanges);
    }
  }

  /**
   * A trigger of {@code metric} above {@code threshold} for {@code forDuration}: named after the
   * metric, over a window of {@code forDuration} (5 minutes when it is 0), with the metric's
   * {@link Metric#defaultMinExchanges()}.
   */
  public static Trigger of(Metric metric, double threshold, Duration forDuration) {
    return new Trigger(
        metric.label(),
        metric,
        threshold,
        forDuration.isZero() ? DEFAULT_WINDOW : forDuration,
        forDuration,
        metric.defaultMinExchanges());
  }

  /**
   * The parallel-run playbook's rollback triggers: discrepancy above 1% (at once, over 5
   * minutes), error rate above 0.5% for 5 minutes, candidate p99 above twice the legacy p99 for
   * 10 minutes.
   */
  public static List<Trigger> defaults() {
    return List.of(
        of(Metric.DISCREPANCY, 0.01, Duration.ZERO),
        of(Metric.ERROR_RATE, 0.005, Duration.ofMinutes(5)),
        of(Metric.LATENCY_RATIO_P99, 2, Duration.ofMinutes(10)));
  }

  public Trigger withName(String name) {
    return new Trigger(name, metric, threshold, window, forDuration, minExchanges);
  }

  public Trigger withWindow(Duration window) {
    return new Trigger(name, metric, threshold, window, forDuration, minExchanges);
  }

  public Trigger withMinExchanges(long minExchanges) {
    return new Trigger(name, metric, threshold, window, forDuration, minExchanges);
  }

  /**
   * Parses the flag form: {@code METRIC>THRESHOLD} then optional {@code ,key=value} pairs, keys
   * {@code for}, {@code window}, {@code min} and {@code name}:
   *
   * <pre>
   * discrepancy>1%
   * errorRate>0.5%,for=5m,window=5m,min=100,name=candidate-errors
   * latencyRatio(p99)>2,for=10m
   * </pre>
   *
   * Durations are {@code 10s}, {@code 5m}, {@code 1h}, {@code 0} or ISO-8601 ({@code PT5M}).
   *
   * @throws BadInputException naming the text, the key and the value that is wrong
   */
  public static Trigger parse(String text) {
    String where = "trigger \"" + text + "\": ";
    String[] parts = text.split(",", -1);
    String head = parts[0].strip();
    int gt = head.indexOf('>');
    if (gt <= 0 || gt == head.length() - 1) {
      throw new BadInputException(
          where
              + "expected METRIC>THRESHOLD[,key=value...] (e.g. errorRate>0.5%,for=5m), metrics "
              + Metric.labels());
    }
    Metric metric;
    double threshold;
    try {
      metric = Metric.parse(head.substring(0, gt));
    } catch (BadInputException e) {
      throw new BadInputException(where + e.getMessage(), e);
    }
    try {
      threshold = metric.parseThreshold(head.substring(gt + 1));
    } catch (BadInputException e) {
      throw new BadInputException(where + "threshold: " + e.getMessage(), e);
    }
    Map<String, String> keys = new LinkedHashMap<>();
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i].strip();
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new BadInputException(
            where + "expected key=value (for, window, min, name), got \"" + part + "\"");
      }
      String key = part.substring(0, eq).strip();
      if (!List.of("for", "window", "min", "name").contains(key)) {
        throw new BadInputException(
            where + "unknown key \"" + key + "\" (expected for, window, min, name)");
      }
      if (keys.put(key, part.substring(eq + 1).strip()) != null) {
        throw new BadInputException(where + key + ": given twice");
      }
    }
    try {
      Trigger t =
          of(
              metric,
              threshold,
              keys.containsKey("for") ? duration(keys.get("for"), "for") : Duration.ZERO);
      if (keys.containsKey("window")) {
        t = t.withWindow(duration(keys.get("window"), "window"));
      }
      if (keys.containsKey("min")) {
        t = t.withMinExchanges(whole(keys.get("min")));
      }
      if (keys.containsKey("name")) {
        t = t.withName(keys.get("name"));
      }
      return t;
    } catch (BadInputException e) {
      throw new BadInputException(where + e.getMessage(), e);
    }
  }

  private static Duration duration(String text, String key) {
    try {
      return parseDuration(text);
    } catch (BadInputException e) {
      throw new BadInputException(key + ": " + e.getMessage(), e);
    }
  }

  private static long whole(String text) {
    try {
      long v = Long.parseLong(text);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new BadInputException("min: expected a whole number of at least 1, got \"" + text + "\"");
  }

  /**
   * A duration as triggers write it: {@code 0}, {@code 30s}, {@code 5m}, {@code 1h}, or ISO-8601
   * ({@code PT5M}, {@code PT1H30M}); never negative.
   */
  public static Duration parseDuration(String text) {
    String t = text.strip();
    Duration d = null;
    Matcher m = SHORT.matcher(t);
    if (t.equals("0")) {
      d = Duration.ZERO;
    } else if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
          };
    } else if (t.startsWith("PT") || t.startsWith("pt")) {
      try {
        d = Duration.parse(t);
      } catch (DateTimeParseException e) {
        // below
      }
    }
    if (d == null || d.isNegative()) {
      throw new BadInputException(
          "expected a duration like 30s, 5m, 1h or PT5M, got \"" + text + "\"");
    }
    return d;
  }

  /** {@code d} as {@link #parseDuration} reads it: {@code 0}, {@code 30s}, {@code 5m}, {@code 1h}, else ISO. */
  public static String formatDuration(Duration d) {
    if (d.isZero()) {
      return "0";
    }
    if (d.getNano() != 0 || d.isNegative()) {
      return d.toString();
    }
    long s = d.getSeconds();
    return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  /** The flag form, e.g. {@code errorRate>0.50%,for=5m,window=5m,min=100} (for people to read). */
  @Override
  public String toString() {
    return metric.label()
        + ">"
        + metric.format(threshold)
        + ",for="
        + formatDuration(forDuration)
        + ",window="
        + formatDuration(window)
        + ",min="
        + minExchanges
        + (name.equals(metric.label()) ? "" : ",name=" + name);
  }
}
