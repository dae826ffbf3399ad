package dev.shadowtest.recorder.internal;

import dev.shadowtest.diff.Verdict;
import dev.shadowtest.recorder.DropReason;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The recorder's Prometheus metrics, served as {@code GET /metrics} on the admin port; their names,
 * types and labels are in docs/metrics.md. The recorder's counters are read from {@link Counters}
 * when scraped, so they equal the stats JSON; the live mirror reports each judged exchange; the
 * window and trigger values are set by whoever holds the live run's summary.
 *
 * <pre>{@code
 * LiveMetrics metrics = new LiveMetrics(counters, 100);
 * metrics.judged("GET /api/items/{id}", "DIFFERENT", 1200L, 950L, 200);
 * String text = metrics.scrape(); // served as LiveMetrics.CONTENT_TYPE
 * }</pre>
 *
 * <p>Its own registry, never the client's global default: two recorders in one JVM (tests) do not
 * share metrics, and nothing else in the process adds to Shadow's.
 */
public final class LiveMetrics {

  /** The Prometheus text exposition format 0.0.4. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  /** The endpoint label of every endpoint past the first {@code maxEndpoints}. */
  public static final String OTHER_ENDPOINT = "(other)";

  /** Endpoint label values by default: beyond, {@link #OTHER_ENDPOINT}. */
  public static final int DEFAULT_MAX_ENDPOINTS = 100;

  /** Latency buckets in seconds, 1 ms to 10 s. */
  static final double[] LATENCY_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  /**
   * The client's built-in defaults: a prometheus.properties file or system properties of the host
   * must not reshape what docs/metrics.md promises (buckets, native histograms, exemplars).
   */
  private static final PrometheusProperties DEFAULTS = PrometheusProperties.builder().build();

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.builder().build();
  private final int maxEndpoints;

  private final Map<Verdict, CounterDataPoint> judged = new EnumMap<>(Verdict.class);
  private final Counter candidateServerErrors;
  private final Histogram legacyLatency;
  private final Histogram candidateLatency;

  /** The endpoints that have their own label; {@link #OTHER_ENDPOINT} is never among them. */
  private final ConcurrentHashMap<String, Latencies> endpoints = new ConcurrentHashMap<>();

  private volatile boolean endpointsFull;
  private volatile Latencies other;

  private final Gauge windowExchanges;
  private final Gauge windowCompared;
  private final Gauge windowDiscrepant;
  private final Gauge windowNoise;
  private final Gauge windowErrors;
  private final Gauge windowServerErrors;
  private final Gauge windowSkipped;
  private final Gauge windowDiscrepancyRatio;
  private final Gauge windowErrorRatio;

  private final Gauge triggerFiring;
  private final Gauge triggerValue;
  private final Counter triggerEvents;

  /** One endpoint's two latency series. */
  private record Latencies(DistributionDataPoint legacy, DistributionDataPoint candidate) {}

  /**
   * @param counters the recorder's counters, read at every scrape
   * @param maxEndpoints how many endpoints get a latency label of their own; later ones share
   *     {@link #OTHER_ENDPOINT}, so a template that fails to collapse a path cannot grow the series
   *     without bound
   */
  public LiveMetrics(Counters counters, int maxEndpoints) {
    Objects.requireNonNull(counters, "counters");
    if (maxEndpoints < 1) {
      throw new IllegalArgumentException("maxEndpoints must be at least 1, not " + maxEndpoints);
    }
    this.maxEndpoints = maxEndpoints;

    fromCounters(
        "shadow_proxied_total",
        "Requests answered to clients (upstream answers and 502s alike).",
        counters.proxied);
    fromCounters("shadow_recorded_total", "Exchanges written to the recording.", counters.recorded);
    CounterWithCallback.builder(DEFAULTS)
        .name("shadow_dropped_total")
        .help("Captured exchanges (or mirror copies) lost, by reason; the traffic itself is not.")
        .labelNames("reason")
        .callback(
            callback -> {
              for (DropReason reason : DropReason.values()) {
                callback.call(counters.dropped(reason), reason.label());
              }
            })
        .register(registry);
    fromCounters(
        "shadow_upstream_errors_total",
        "Requests the upstream did not answer (the client got a 502).",
        counters.upstreamErrors);
    fromCounters(
        "shadow_upstream_retries_total",
        "Requests sent again because a kept-alive upstream connection closed under them.",
        counters.upstreamRetries);
    fromCounters(
        "shadow_mirrored_total",
        "Requests copied to the candidate and answered by it.",
        counters.mirrored);
    fromCounters(
        "shadow_mirror_errors_total",
        "Mirror copies that failed or were dropped.",
        counters.mirrorErrors);
    fromCounters(
        "shadow_listener_errors_total",
        "Failures of the listener: accept failed (out of file descriptors), no thread for a"
            + " connection, a selector failure, an unexpected exception while serving.",
        counters.listenerErrors);
    GaugeWithCallback.builder(DEFAULTS)
        .name("shadow_client_connections")
        .help("Client connections open: served by a thread now, or idle (parked without one).")
        .labelNames("state")
        .callback(
            callback -> {
              int idle = counters.idleConnections.get();
              callback.call(Math.max(0, counters.connections.get() - idle), "served");
              callback.call(idle, "idle");
            })
        .register(registry);

    Counter verdicts =
        Counter.builder(DEFAULTS)
            .name("shadow_judged_total")
            .help("Mirrored exchanges judged, by verdict.")
            .labelNames("verdict")
            .withoutExemplars()
            .register(registry);
    for (Verdict v : Verdict.values()) {
      judged.put(v, verdicts.labelValues(label(v)));
    }
    candidateServerErrors =
        Counter.builder(DEFAULTS)
            .name("shadow_candidate_server_errors_total")
            .help("Mirrored exchanges the candidate answered with a 5xx status.")
            .withoutExemplars()
            .register(registry);
    legacyLatency =
        latency(
            "shadow_legacy_latency_seconds", "Time the legacy system took to answer, by endpoint.");
    candidateLatency =
        latency(
            "shadow_candidate_latency_seconds",
            "Time the candidate took to answer a mirror copy, by endpoint.");

    windowExchanges = gauge("shadow_window_exchanges", "exchanges");
    windowCompared = gauge("shadow_window_compared", "compared");
    windowDiscrepant = gauge("shadow_window_discrepant", "discrepant");
    windowNoise = gauge("shadow_window_noise", "noise");
    windowErrors = gauge("shadow_window_errors", "errors");
    windowServerErrors = gauge("shadow_window_server_errors", "serverErrors");
    windowSkipped = gauge("shadow_window_skipped", "skipped");
    windowDiscrepancyRatio = gauge("shadow_window_discrepancy_ratio", "discrepancyRate");
    windowErrorRatio = gauge("shadow_window_error_ratio", "errorRate");

    triggerFiring =
        Gauge.builder(DEFAULTS)
            .name("shadow_trigger_firing")
            .help("1 while the trigger fires, else 0.")
            .labelNames("trigger")
            .register(registry);
    triggerValue =
        Gauge.builder(DEFAULTS)
            .name("shadow_trigger_value")
            .help("The value the trigger last judged; NaN while it has too little data.")
            .labelNames("trigger")
            .register(registry);
    triggerEvents =
        Counter.builder(DEFAULTS)
            .name("shadow_trigger_events_total")
            .help("Times the trigger started (fired) or stopped (cleared) firing.")
            .labelNames("trigger", "event")
            .withoutExemplars()
            .register(registry);
  }

  /**
   * One judged mirror copy; cheap and safe from any thread.
   *
   * @param endpoint the collapsed endpoint ({@code GET /api/items/{id}}); null counts as {@link
   *     #OTHER_ENDPOINT}
   * @param verdict a {@link Verdict} name, in any case ({@code MATCH}, {@code different}...)
   * @param legacyMicros the legacy system's answer time, or null when unknown
   * @param candidateMicros the candidate's answer time, or null when it gave none
   * @param candidateStatus the candidate's status, or null when it gave none
   */
  public void judged(
      String endpoint,
      String verdict,
      Long legacyMicros,
      Long candidateMicros,
      Integer candidateStatus) {
    judged.get(verdict(verdict)).inc();
    if (candidateStatus != null && candidateStatus >= 500) {
      candidateServerErrors.inc();
    }
    // a negative duration is a clock step, not a latency
    boolean legacy = legacyMicros != null && legacyMicros >= 0;
    boolean candidate = candidateMicros != null && candidateMicros >= 0;
    if (legacy || candidate) {
      Latencies series = latencies(endpoint);
      if (legacy) {
        series.legacy().observe(legacyMicros / 1e6);
      }
      if (candidate) {
        series.candidate().observe(candidateMicros / 1e6);
      }
    }
  }

  /**
   * The current window's totals (today's live run), as its summary.json counts them; the two ratios
   * are derived here as docs/summary-format.md defines {@code discrepancyRate} and {@code
   * errorRate}.
   */
  public void window(
      long exchanges,
      long compared,
      long discrepant,
      long noise,
      long errors,
      long serverErrors,
      long skipped) {
    windowExchanges.set(exchanges);
    windowCompared.set(compared);
    windowDiscrepant.set(discrepant);
    windowNoise.set(noise);
    windowErrors.set(errors);
    windowServerErrors.set(serverErrors);
    windowSkipped.set(skipped);
    windowDiscrepancyRatio.set(compared == 0 ? 0.0 : (double) discrepant / compared);
    long attempted = exchanges - skipped;
    windowErrorRatio.set(attempted <= 0 ? 0.0 : (double) (errors + serverErrors) / attempted);
  }

  /**
   * A trigger's current state.
   *
   * @param value what it last judged, or null while it has too little data (shown as NaN)
   */
  public void trigger(String name, boolean firing, Double value) {
    Objects.requireNonNull(name, "name");
    triggerFiring.labelValues(name).set(firing ? 1 : 0);
    triggerValue.labelValues(name).set(value == null ? Double.NaN : value);
    // both events from the start, so that increase() sees the first one
    triggerEvents.initLabelValues(name, "fired");
    triggerEvents.initLabelValues(name, "cleared");
  }

  /**
   * Counts a trigger's change.
   *
   * @param event {@code fired} or {@code cleared}
   */
  public void triggerEvent(String name, String event) {
    Objects.requireNonNull(name, "name");
    if (!"fired".equals(event) && !"cleared".equals(event)) {
      throw new IllegalArgumentException(
          "a trigger event is fired or cleared, not " + (event == null ? "null" : event));
    }
    triggerEvents.labelValues(name, event).inc();
  }

  /** Every metric in the text exposition format 0.0.4 ({@link #CONTENT_TYPE}). */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The label of a verdict: {@code candidate_error}. */
  static String label(Verdict v) {
    return v.name().toLowerCase(Locale.ROOT);
  }

  private static Verdict verdict(String name) {
    Objects.requireNonNull(name, "verdict");
    try {
      return Verdict.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown verdict " + name + ": one of " + Arrays.toString(Verdict.values()));
    }
  }

  private Latencies latencies(String endpoint) {
    if (endpoint == null || endpoint.equals(OTHER_ENDPOINT)) {
      return other();
    }
    Latencies known = endpoints.get(endpoint);
    if (known != null) {
      return known;
    }
    if (endpointsFull) {
      return other();
    }
    // only a new endpoint takes the lock, at most maxEndpoints times plus once to find it full
    synchronized (endpoints) {
      known = endpoints.get(endpoint);
      if (known != null) {
        return known;
      }
      if (endpoints.size() >= maxEndpoints) {
        endpointsFull = true;
        return other();
      }
      Latencies added = series(endpoint);
      endpoints.put(endpoint, added);
      return added;
    }
  }

  private Latencies other() {
    Latencies o = other;
    if (o == null) {
      synchronized (endpoints) {
        if (other == null) {
          other = series(OTHER_ENDPOINT);
        }
        o = other;
      }
    }
    return o;
  }

  private Latencies series(String endpoint) {
    return new Latencies(
        legacyLatency.labelValues(endpoint), candidateLatency.labelValues(endpoint));
  }

  private void fromCounters(String name, String help, LongAdder counter) {
    CounterWithCallback.builder(DEFAULTS)
        .name(name)
        .help(help)
        .callback(callback -> callback.call(counter.sum()))
        .register(registry);
  }

  private Histogram latency(String name, String help) {
    return Histogram.builder(DEFAULTS)
        .name(name)
        .unit(Unit.SECONDS)
        .help(help)
        .labelNames("endpoint")
        .classicOnly()
        .classicUpperBounds(LATENCY_BUCKETS)
        .withoutExemplars()
        .register(registry);
  }

  private Gauge gauge(String name, String summaryField) {
    return Gauge.builder(DEFAULTS)
        .name(name)
        .help("The current window's " + summaryField + ", as in today's live summary.json.")
        .register(registry);
  }
}
