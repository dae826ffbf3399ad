package dev.shadowtest.reports.internal;

import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.LatencyHistogram;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.diff.run.SummaryFile;
import dev.shadowtest.reports.internal.ReportModel.Chart;
import dev.shadowtest.reports.internal.ReportModel.Dot;
import dev.shadowtest.reports.internal.ReportModel.Label;
import dev.shadowtest.reports.internal.ReportModel.Line;
import dev.shadowtest.reports.internal.ReportModel.Rect;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's two inline SVG charts, as primitives: latency percentiles per endpoint and the rate trend. */
final class Charts {

  static final int MAX_ENDPOINTS = 25;
  static final int TREND_RUNS = 30;
  private static final int LABEL_WIDTH = 260;
  private static final int PLOT_WIDTH = 560;
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("MM-dd").withZone(ZoneOffset.UTC);

  private Charts() {}

  /**
   * Per endpoint (the busiest {@value #MAX_ENDPOINTS}), two bars: baseline and candidate p99, with
   * ticks at p50 and p95.
   */
  static Chart latency(
      List<Statistics.EndpointResult> endpoints, Map<String, RunAggregate.Latencies> latencies) {
    List<Statistics.EndpointResult> shown =
        endpoints.stream()
            .filter(
                e ->
                    latencies.containsKey(e.endpoint())
                        && latencies.get(e.endpoint()).candidate.count() > 0)
            .sorted(
                Comparator.comparingLong(Statistics.EndpointResult::exchanges)
                    .reversed()
                    .thenComparing(Statistics.EndpointResult::endpoint))
            .limit(MAX_ENDPOINTS)
            .toList();
    double max = 0;
    for (Statistics.EndpointResult e : shown) {
      RunAggregate.Latencies l = latencies.get(e.endpoint());
      max = Math.max(max, value(HtmlReport.baseline(l), 0.99));
      max = Math.max(max, value(l.candidate, 0.99));
    }
    max = max <= 0 ? 1 : max * 1.05;
    int rowHeight = 34;
    int top = 24;
    int height = top + Math.max(1, shown.size()) * rowHeight + 24;
    List<Rect> rects = new ArrayList<>();
    List<Line> lines = new ArrayList<>();
    List<Label> labels = new ArrayList<>();
    labels.add(
        new Label(
            LABEL_WIDTH,
            14,
            "baseline p99 (grey), candidate p99 (blue); ticks at p50 and p95",
            "start",
            "legend"));
    for (int i = 0; i < shown.size(); i++) {
      Statistics.EndpointResult e = shown.get(i);
      RunAggregate.Latencies l = latencies.get(e.endpoint());
      double y = top + i * rowHeight;
      labels.add(new Label(LABEL_WIDTH - 8, y + 20, shorten(e.endpoint(), 40), "end", "name"));
      bar(rects, lines, HtmlReport.baseline(l), y + 4, max, "base", e.endpoint() + " baseline");
      bar(rects, lines, l.candidate, y + 17, max, "cand", e.endpoint() + " candidate");
    }
    double axisY = top + shown.size() * rowHeight + 4;
    lines.add(new Line(LABEL_WIDTH, axisY, LABEL_WIDTH + PLOT_WIDTH, axisY, "axis"));
    for (int t = 0; t <= 4; t++) {
      double x = LABEL_WIDTH + PLOT_WIDTH * t / 4.0;
      labels.add(
          new Label(
              x, axisY + 16, String.format(Locale.ROOT, "%.1f ms", max * t / 4), "middle", "tick"));
    }
    if (shown.isEmpty()) {
      labels.add(new Label(LABEL_WIDTH, top + 20, "no latencies measured", "start", "name"));
    }
    return new Chart(LABEL_WIDTH + PLOT_WIDTH + 40, height, rects, lines, labels, "", List.of());
  }

  private static void bar(
      List<Rect> rects,
      List<Line> lines,
      LatencyHistogram h,
      double y,
      double max,
      String cls,
      String title) {
    if (h.count() == 0) {
      return;
    }
    double p50 = value(h, 0.5);
    double p95 = value(h, 0.95);
    double p99 = value(h, 0.99);
    double w = PLOT_WIDTH * p99 / max;
    rects.add(
        new Rect(
            LABEL_WIDTH,
            y,
            Math.max(w, 1),
            11,
            cls,
            String.format(
                Locale.ROOT,
                "%s: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms (%d requests)",
                title,
                p50,
                p95,
                p99,
                h.count())));
    for (double p : new double[] {p50, p95}) {
      double x = LABEL_WIDTH + PLOT_WIDTH * p / max;
      lines.add(new Line(x, y - 1, x, y + 12, "tick-" + cls));
    }
  }

  private static double value(LatencyHistogram h, double q) {
    Double v = h.percentileMillis(q);
    return v == null ? 0 : v;
  }

  /** The discrepancy rate of the last {@value #TREND_RUNS} runs of the history (or this run alone), with the gate line. */
  static Chart trend(
      List<SummaryFile> history, double currentRate, Instant currentFinished, double gate) {
    List<double[]> points = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    List<SummaryFile> last =
        history.subList(Math.max(0, history.size() - TREND_RUNS), history.size());
    for (SummaryFile s : last) {
      points.add(new double[] {s.discrepancyRate()});
      times.add(s.finishedAt());
      titles.add(
          String.format(
              Locale.ROOT,
              "%s: %s (%d of %d)%s",
              s.finishedAt(),
              Gate.percent(s.discrepancyRate()),
              s.discrepant(),
              s.compared(),
              s.incomplete() ? ", incomplete" : ""));
    }
    if (points.isEmpty()) {
      points.add(new double[] {currentRate});
      times.add(currentFinished);
      titles.add(currentFinished + ": " + Gate.percent(currentRate) + " (this run)");
    }
    double max = Math.max(gate * 2, points.stream().mapToDouble(p -> p[0]).max().orElse(0)) * 1.1;
    max = max <= 0 ? 0.01 : max;
    int left = 60;
    int width = 760;
    int plotW = width - left - 20;
    int top = 16;
    int plotH = 180;
    List<Line> lines = new ArrayList<>();
    List<Label> labels = new ArrayList<>();
    List<Dot> dots = new ArrayList<>();
    StringBuilder poly = new StringBuilder();
    lines.add(new Line(left, top + plotH, left + plotW, top + plotH, "axis"));
    lines.add(new Line(left, top, left, top + plotH, "axis"));
    for (int t = 0; t <= 4; t++) {
      double y = top + plotH - plotH * t / 4.0;
      labels.add(new Label(left - 6, y + 4, Gate.percent(max * t / 4), "end", "tick"));
    }
    double gy = top + plotH - plotH * gate / max;
    lines.add(new Line(left, gy, left + plotW, gy, "gate"));
    labels.add(new Label(left + plotW, gy - 4, "gate " + Gate.percent(gate), "end", "gate-label"));
    int n = points.size();
    for (int i = 0; i < n; i++) {
      double x = n == 1 ? left + plotW / 2.0 : left + plotW * i / (double) (n - 1);
      double y = top + plotH - plotH * points.get(i)[0] / max;
      poly.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      dots.add(new Dot(x, y, points.get(i)[0] > gate ? "dot-fail" : "dot-pass", titles.get(i)));
      if (n <= 10 || i % Math.max(1, n / 10) == 0 || i == n - 1) {
        labels.add(new Label(x, top + plotH + 16, DAY.format(times.get(i)), "middle", "tick"));
      }
    }
    return new Chart(
        width, top + plotH + 28, List.of(), lines, labels, poly.toString().strip(), dots);
  }

  static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
