package dev.shadowtest.recorder.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.recorder.DropReason;
import dev.shadowtest.recorder.RecorderStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveMetricsTests {

  static final Path METRICS_DOC = Path.of("../docs/metrics.md");

  final Counters counters = new Counters(ShadowListener.NONE);

  @Test
  void recorderCountersAreReadAtEveryScrapeAndEqualTheStats() {
    LiveMetrics metrics = new LiveMetrics(counters, 100);
    counters.proxied.add(7);
    counters.recorded("a");
    counters.recorded("b");
    counters.upstreamErrors.add(2);
    counters.mirrored.add(5);
    counters.mirrorErrors.increment();
    counters.drop(DropReason.QUEUE_FULL);
    counters.drop(DropReason.QUEUE_FULL);
    counters.drop(DropReason.MIRROR_BUSY);

    ScrapedSamples s = ScrapedSamples.parse(metrics.scrape());
    RecorderStats stats = counters.snapshot(0);
    assertThat(s.value("shadow_proxied_total")).isEqualTo(stats.proxied()).isEqualTo(7);
    assertThat(s.value("shadow_recorded_total")).isEqualTo(stats.recorded()).isEqualTo(2);
    assertThat(s.value("shadow_upstream_errors_total")).isEqualTo(stats.upstreamErrors());
    assertThat(s.value("shadow_mirrored_total")).isEqualTo(stats.mirrored()).isEqualTo(5);
    assertThat(s.value("shadow_mirror_errors_total")).isEqualTo(stats.mirrorErrors());
    assertThat(s.type("shadow_proxied_total")).isEqualTo("counter");
    for (DropReason r : DropReason.values()) {
      assertThat(s.value("shadow_dropped_total", "reason", r.label()))
          .as(r.label())
          .isEqualTo((double) stats.dropped().getOrDefault(r.label(), 0L));
    }
    assertThat(s.value("shadow_dropped_total", "reason", "queue-full")).isEqualTo(2);

    counters.proxied.increment();
    assertThat(ScrapedSamples.parse(metrics.scrape()).value("shadow_proxied_total")).isEqualTo(8);
  }

  @Test
  void clientConnectionsAreShownServedAndIdle() {
    LiveMetrics metrics = new LiveMetrics(counters, 100);
    counters.connections.set(5);
    counters.idleConnections.set(3);
    ScrapedSamples s = ScrapedSamples.parse(metrics.scrape());
    assertThat(s.type("shadow_client_connections")).isEqualTo("gauge");
    assertThat(s.value("shadow_client_connections", "state", "served")).isEqualTo(2);
    assertThat(s.value("shadow_client_connections", "state", "idle")).isEqualTo(3);
  }

  @Test
  void judgedExchangesAreCountedByLowerCaseVerdict() {
    LiveMetrics metrics = new LiveMetrics(counters, 100);
    metrics.judged("GET /a", "MATCH", 1000L, 900L, 200);
    metrics.judged("GET /a", "match", 1000L, 900L, 200);
    metrics.judged("GET /a", "DIFFERENT", 1000L, 900L, 500);
    metrics.judged("GET /a", "CANDIDATE_ERROR", 1000L, null, null);
    metrics.judged("GET /a", "NO_BASELINE", null, 900L, 503);
    metrics.judged("POST /a", "SKIPPED", null, null, null);

    ScrapedSamples s = ScrapedSamples.parse(metrics.scrape());
    assertThat(s.value("shadow_judged_total", "verdict", "match")).isEqualTo(2);
    assertThat(s.value("shadow_judged_total", "verdict", "different")).isEqualTo(1);
    assertThat(s.value("shadow_judged_total", "verdict", "candidate_error")).isEqualTo(1);
    assertThat(s.value("shadow_judged_total", "verdict", "no_baseline")).isEqualTo(1);
    assertThat(s.value("shadow_judged_total", "verdict", "skipped")).isEqualTo(1);
    assertThat(s.value("shadow_judged_total", "verdict", "noise_only")).isZero();
    assertThat(s.labelValues("shadow_judged_total", "verdict")).hasSize(Verdict.values().length);
    assertThat(s.value("shadow_candidate_server_errors_total")).isEqualTo(2);
    // an exchange without any latency takes no endpoint label
    assertThat(s.labelValues("shadow_legacy_latency_seconds_count", "endpoint"))
        .containsExactly("GET /a");
  }

  @Test
  void anUnknownVerdictIsRefused() {
    LiveMetrics metrics = new LiveMetrics(counters, 100);
    assertThatThrownBy(() -> metrics.judged("GET /a", "SIMILAR", 1L, 1L, 200))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown verdict SIMILAR: one of [MATCH, DIFFERENT");
  }

  @Test
  void latenciesFillTheBucketsOfTheirEndpoint() {
    LiveMetrics metrics = new LiveMetrics(counters, 100);
    metrics.judged("GET /a", "MATCH", 500L, 3_000L, 200); // 0.5 ms, 3 ms
    metrics.judged("GET /a", "MATCH", 20_000L, 3_000_000L, 200); // 20 ms, 3 s
    metrics.judged("GET /a", "MATCH", 60_000_000L, null, null); // 60 s: past the last bucket
    metrics.judged("GET /b", "MATCH", 2_000L, -5L, 200); // a negative duration is no latency

    ScrapedSamples s = ScrapedSamples.parse(metrics.scrape());
    String legacy = "shadow_legacy_latency_seconds";
    String candidate = "shadow_candidate_latency_seconds";
    assertThat(s.type(legacy)).isEqualTo("histogram");
    assertThat(s.value(legacy + "_count", "endpoint", "GET /a")).isEqualTo(3);
    assertThat(s.value(legacy + "_sum", "endpoint", "GET /a")).isCloseTo(60.0205, within(1e-9));
    assertThat(s.value(legacy + "_bucket", "endpoint", "GET /a", "le", "0.001")).isEqualTo(1);
    assertThat(s.value(legacy + "_bucket", "endpoint", "GET /a", "le", "0.025")).isEqualTo(2);
    assertThat(s.value(legacy + "_bucket", "endpoint", "GET /a", "le", "10.0")).isEqualTo(2);
    assertThat(s.value(legacy + "_bucket", "endpoint", "GET /a", "le", "+Inf")).isEqualTo(3);
    assertThat(s.value(candidate + "_count", "endpoint", "GET /a")).isEqualTo(2);
    assertThat(s.value(candidate + "_bucket", "endpoint", "GET /a", "le", "0.0025")).isZero();
    assertThat(s.value(candidate + "_bucket", "endpoint", "GET /a", "le", "0.005")).isEqualTo(1);
    assertThat(s.value(candidate + "_bucket", "endpoint", "GET /a", "le", "2.5")).isEqualTo(1);
    assertThat(s.value(candidate + "_bucket", "endpoint", "GET /a", "le", "5.0")).isEqualTo(2);
    assertThat(s.value(legacy + "_count", "endpoint", "GET /b")).isEqualTo(1);
    assertThat(s.value(candidate + "_count", "endpoint", "GET /b")).isZero();
    assertThat(s.labelValues(legacy + "_bucket", "le"))
        .hasSize(LiveMetrics.LATENCY_BUCKETS.length + 1);
  }

  @Test
  void endpointsPastTheLimitShareTheOtherLabel() {
    LiveMetrics metrics = new LiveMetrics(counters, 3);
    for (int i = 0; i < 5; i++) {
      metrics.judged("GET /e" + i, "MATCH", 1000L, 1000L, 200);
    }
    metrics.judged("GET /e1", "MATCH", 1000L, 1000L, 200); // admitted before the limit
    metrics.judged(null, "MATCH", 1000L, null, 200);

    ScrapedSamples s = ScrapedSamples.parse(metrics.scrape());
    String count = "shadow_legacy_latency_seconds_count";
    assertThat(s.labelValues(count, "endpoint"))
        .containsExactlyInAnyOrder("GET /e0", "GET /e1", "GET /e2", LiveMetrics.OTHER_ENDPOINT);
    assertThat(s.value(count, "endpoint", "GET /e1")).isEqualTo(2);
    assertThat(s.value(count, "endpoint", LiveMetrics.OTHER_ENDPOINT)).isEqualTo(3);
    assertThat(s.value("shadow_candidate_latency_seconds_count", "endpoint", "(other)"))
        .isEqualTo(2);
  }

  @Test
  void concurrentCallersNeitherLoseCountsNorPassTheEndpointLimit() throws Exception {
    LiveMetrics metrics = new LiveMetrics(counters, 100);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 1000; i++) {
                    metrics.judged("GET /e" + ((i + offset * 37) % 250), "MATCH", 1000L, null, 200);
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    ScrapedSamples s = ScrapedSamples.parse(metrics.scrape());
    assertThat(s.value("shadow_judged_total", "verdict", "match")).isEqualTo(4000);
    assertThat(s.labelValues("shadow_legacy_latency_seconds_count", "endpoint"))
        .hasSize(101)
        .contains(LiveMetrics.OTHER_ENDPOINT);
    double total = 0;
    for (String e : s.labelValues("shadow_legacy_latency_seconds_count", "endpoint")) {
      total += s.value("shadow_legacy_latency_seconds_count", "endpoint", e);
    }
    assertThat(total).isEqualTo(4000);
  }

  @Test
  void theWindowShowsTheSummarysCountsAndRates() {
    LiveMetrics metrics = new LiveMetrics(counters, 100);
    ScrapedSamples before = ScrapedSamples.parse(metrics.scrape());
    assertThat(before.value("shadow_window_discrepancy_ratio")).isZero();

    metrics.window(1000, 800, 12, 30, 5, 3, 150);
    ScrapedSamples s = ScrapedSamples.parse(metrics.scrape());
    assertThat(s.type("shadow_window_exchanges")).isEqualTo("gauge");
    assertThat(s.value("shadow_window_exchanges")).isEqualTo(1000);
    assertThat(s.value("shadow_window_compared")).isEqualTo(800);
    assertThat(s.value("shadow_window_discrepant")).isEqualTo(12);
    assertThat(s.value("shadow_window_noise")).isEqualTo(30);
    assertThat(s.value("shadow_window_errors")).isEqualTo(5);
    assertThat(s.value("shadow_window_server_errors")).isEqualTo(3);
    assertThat(s.value("shadow_window_skipped")).isEqualTo(150);
    // discrepant / compared; (errors + serverErrors) / (exchanges - skipped)
    assertThat(s.value("shadow_window_discrepancy_ratio")).isEqualTo(12.0 / 800);
    assertThat(s.value("shadow_window_error_ratio")).isEqualTo(8.0 / 850);

    metrics.window(0, 0, 0, 0, 0, 0, 0); // a new day
    ScrapedSamples next = ScrapedSamples.parse(metrics.scrape());
    assertThat(next.value("shadow_window_exchanges")).isZero();
    assertThat(next.value("shadow_window_discrepancy_ratio")).isZero();
    assertThat(next.value("shadow_window_error_ratio")).isZero();
  }

  @Test
  void triggersShowTheirStateAndCountTheirEvents() {
    LiveMetrics metrics = new LiveMetrics(counters, 100);
    metrics.trigger("discrepancy", true, 0.031);
    metrics.trigger("errors", false, null);
    metrics.triggerEvent("discrepancy", "fired");
    metrics.triggerEvent("discrepancy", "cleared");
    metrics.triggerEvent("discrepancy", "fired");

    ScrapedSamples s = ScrapedSamples.parse(metrics.scrape());
    assertThat(s.value("shadow_trigger_firing", "trigger", "discrepancy")).isEqualTo(1);
    assertThat(s.value("shadow_trigger_firing", "trigger", "errors")).isZero();
    assertThat(s.value("shadow_trigger_value", "trigger", "discrepancy")).isEqualTo(0.031);
    assertThat(s.value("shadow_trigger_value", "trigger", "errors")).isNaN();
    String events = "shadow_trigger_events_total";
    assertThat(s.value(events, "trigger", "discrepancy", "event", "fired")).isEqualTo(2);
    assertThat(s.value(events, "trigger", "discrepancy", "event", "cleared")).isEqualTo(1);
    // known from its first state on, before any event
    assertThat(s.value(events, "trigger", "errors", "event", "fired")).isZero();

    metrics.trigger("discrepancy", false, 0.004);
    ScrapedSamples later = ScrapedSamples.parse(metrics.scrape());
    assertThat(later.value("shadow_trigger_firing", "trigger", "discrepancy")).isZero();
    assertThat(later.value("shadow_trigger_value", "trigger", "discrepancy")).isEqualTo(0.004);
  }

  @Test
  void aTriggerEventIsFiredOrCleared() {
    LiveMetrics metrics = new LiveMetrics(counters, 100);
    assertThatThrownBy(() -> metrics.triggerEvent("errors", "started"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a trigger event is fired or cleared, not started");
  }

  @Test
  void theEndpointLimitIsAtLeastOne() {
    assertThatThrownBy(() -> new LiveMetrics(counters, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEndpoints must be at least 1, not 0");
  }

  @Test
  void everyMetricIsInDocsWithItsTypeAndLabels() throws IOException {
    LiveMetrics metrics = new LiveMetrics(counters, 100);
    metrics.judged("GET /a", "MATCH", 1000L, 1000L, 200);
    metrics.trigger("discrepancy", false, null);
    ScrapedSamples s = ScrapedSamples.parse(metrics.scrape());
    Map<String, String> served = new TreeMap<>();
    s.types().forEach((family, type) -> served.put(family, type + " " + s.labelNames(family)));

    Map<String, String> documented = new TreeMap<>();
    Matcher row =
        Pattern.compile(
                "^\\| `(shadow_[a-z_]+)` \\| (counter|gauge|histogram) \\| ([^|]*) \\|",
                Pattern.MULTILINE)
            .matcher(Files.readString(METRICS_DOC));
    while (row.find()) {
      Set<String> labels = new TreeSet<>();
      Matcher label = Pattern.compile("`([a-z_]+)`").matcher(row.group(3));
      while (label.find()) {
        labels.add(label.group(1));
      }
      documented.put(row.group(1), row.group(2) + " " + labels);
    }
    assertThat(documented).isEqualTo(served);
  }

  @Test
  void theSampleAlertingRulesPassPromtool(@TempDir Path dir) throws Exception {
    String doc = Files.readString(METRICS_DOC);
    int section = doc.indexOf("## Sample alerting rules");
    int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
    Path rules = dir.resolve("shadow-rules.yml");
    Files.writeString(rules, doc.substring(start, doc.indexOf("```", start)));

    Promtool.Outcome check = Promtool.run("", "check", "rules", rules.toString());
    assertThat(check.exitCode()).as(check.said()).isZero();
    assertThat(check.said()).contains("SUCCESS: 3 rules found");
  }

  @Test
  void eachInstanceHasItsOwnRegistry() {
    LiveMetrics one = new LiveMetrics(counters, 100);
    LiveMetrics two = new LiveMetrics(counters, 100);
    one.judged("GET /a", "MATCH", 1L, 1L, 200);
    assertThat(ScrapedSamples.parse(two.scrape()).value("shadow_judged_total", "verdict", "match"))
        .isZero();
  }
}
