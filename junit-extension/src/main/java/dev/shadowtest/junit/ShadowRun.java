package dev.shadowtest.junit;

import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.replay.ReplayResult;
import dev.shadowtest.reports.Reports;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * The replay of a {@link ShadowReplay} test class, injected into its test methods: one dynamic
 * test per endpoint, the overall gate, and the numbers for assertions of your own.
 *
 * <pre>{@code
 * @TestFactory Stream<DynamicTest> endpoints(ShadowRun run) { return run.endpointTests(); }
 * @Test void overall(ShadowRun run) { run.assertGate(); }
 * @Test void checkout(ShadowRun run) {
 *   assertThat(run.endpoint("POST /api/checkout").orElseThrow().discrepant()).isZero();
 * }
 * }</pre>
 */
@SuppressWarnings("deprecation") // CloseableResource: JUnit before 5.13 closes only those
public final class ShadowRun implements AutoCloseable, ExtensionContext.Store.CloseableResource {

  private final String testClass;
  private final Path recording;
  private final String candidate;
  private final Rules rules;
  private final Gate gate;

  /** Warm-up requests actually sent before the measured replay. */
  private final int warmup;

  /** The candidate was called in-process (MockMvc, WebTestClient, a Transport): no network in its latency. */
  private final boolean inProcess;

  private final ReplayResult replay;
  private final Reports.Written written;
  private final List<Path> temporary;

  ShadowRun(
      String testClass,
      Path recording,
      String candidate,
      Rules rules,
      Gate gate,
      int warmup,
      boolean inProcess,
      ReplayResult replay,
      Reports.Written written,
      List<Path> temporary) {
    this.testClass = testClass;
    this.recording = recording;
    this.candidate = candidate;
    this.rules = rules;
    this.gate = gate;
    this.warmup = warmup;
    this.inProcess = inProcess;
    this.replay = replay;
    this.written = written;
    this.temporary = List.copyOf(temporary);
  }

  /**
   * One test per endpoint, named by the endpoint alone ({@code GET /api/users/{id}}, so that CI
   * history follows it from run to run; its rate is in the failure message and the report), failing when its
   * discrepancy rate is above its threshold (the rules' {@code maxDiscrepancyRate} for the
   * endpoint, else the annotation's), when nothing of it could be compared because the candidate
   * failed, or above the error-rate and latency-ratio thresholds when they are set.
   *
   * @throws AssertionFailedError at once when the replay was aborted (e.g. candidate unreachable)
   */
  public Stream<DynamicTest> endpointTests() {
    failIfAborted();
    if (result().compared() == 0) {
      throw new AssertionFailedError(nothingCompared());
    }
    return result().endpoints().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.endpoint(),
                    () -> {
                      String failure = endpointFailure(e);
                      if (failure != null) {
                        Attachments.endpoint(e.endpoint(), failure);
                        throw new AssertionFailedError(failure);
                      }
                      if (e.compared() == 0) {
                        // nothing of it was judged: not a pass (reports show it skipped, why)
                        throw new TestAbortedException(
                            String.format(
                                Locale.ROOT,
                                "%s: nothing compared (%d exchanges: %d skipped, %d without a"
                                    + " baseline)",
                                e.endpoint(),
                                e.exchanges(),
                                e.skipped(),
                                e.noBaseline()));
                      }
                    }));
  }

  /** Fails unless the whole run is within the gate: overall rate, and error rate and latency ratio when set. */
  public void assertGate() {
    Attachments.run(written.html(), written.summary());
    failIfAborted();
    if (gate.maxLatencyRatio() != null
        && replay.latencies().values().stream().allMatch(l -> l.p99Ratio() == null)) {
      throw new AssertionFailedError(
          "maxLatencyRatio is set but no endpoint has both a baseline and a candidate p99"
              + " (does the recording carry durations, or is there a primary?): the latency gate cannot be checked"
              + "\n  report: "
              + report().toAbsolutePath());
    }
    if (gate.maxLatencyRatio() != null
        && replay.latencies().values().stream()
            .noneMatch(l -> l.p99Ratio() != null && gate.enoughLatencyData(l.ratioSamples()))) {
      long most =
          replay.latencies().values().stream().mapToLong(l -> l.ratioSamples()).max().orElse(0);
      throw new AssertionFailedError(
          "maxLatencyRatio is set but no endpoint has the "
              + gate.minLatencySamples()
              + " latency samples it needs (the most: "
              + most
              + "): too few to judge a p99, so the latency gate cannot be"
              + " checked; replay a longer recording, or lower minLatencySamples knowingly\n  report: "
              + report().toAbsolutePath());
    }
    if (!written.gateFailures().isEmpty()) {
      StringBuilder m =
          new StringBuilder(
              "Shadow gate failed for "
                  + testClass
                  + " ("
                  + recording.getFileName()
                  + " replayed against "
                  + candidate
                  + "):");
      written.gateFailures().forEach(f -> m.append("\n  - ").append(f));
      List<Statistics.EndpointResult> worst =
          result().endpoints().stream()
              .filter(e -> e.discrepant() > 0 || e.errors() + e.serverErrors() > 0)
              .sorted(
                  (x, y) ->
                      x.discrepancyRate() != y.discrepancyRate()
                          ? Double.compare(y.discrepancyRate(), x.discrepancyRate())
                          : Double.compare(y.errorRate(), x.errorRate()))
              .limit(3)
              .toList();
      if (!worst.isEmpty()) {
        m.append("\n  worst endpoints:");
        worst.forEach(
            e ->
                m.append("\n    ")
                    .append(e.endpoint())
                    .append(": ")
                    .append(Gate.percent(e.discrepancyRate()))
                    .append(" (")
                    .append(e.discrepant())
                    .append('/')
                    .append(e.compared())
                    .append(')')
                    .append(
                        e.errors() + e.serverErrors() > 0
                            ? ", error rate "
                                + Gate.percent(e.errorRate())
                                + " ("
                                + e.errors()
                                + " errors, "
                                + e.serverErrors()
                                + " 5xx)"
                            : ""));
        m.append('\n').append(details(worst.get(0)));
      }
      m.append(warnings());
      m.append("\n  report: ").append(report().toAbsolutePath());
      throw new AssertionFailedError(m.toString());
    }
  }

  /** Counts and rates per endpoint and overall. */
  public Statistics.RunResult result() {
    return written.result();
  }

  public double discrepancyRate() {
    return result().discrepancyRate();
  }

  public double errorRate() {
    return result().errorRate();
  }

  public List<Statistics.EndpointResult> endpoints() {
    return result().endpoints();
  }

  /** The endpoint named exactly so ({@code GET /api/users/{id}}), if the recording had it. */
  public Optional<Statistics.EndpointResult> endpoint(String name) {
    return endpoints().stream().filter(e -> e.endpoint().equals(name)).findFirst();
  }

  /** Why the gate fails; empty when it passes. */
  public List<String> gateFailures() {
    return written.gateFailures();
  }

  public boolean passed() {
    return gateFailures().isEmpty() && !replay.incomplete();
  }

  /** The run directory: {@code <outputDirectory>/<test class>/}. */
  public Path directory() {
    return replay.out();
  }

  public Path report() {
    return written.html();
  }

  public Path summary() {
    return written.summary();
  }

  public Path csv() {
    return written.csv();
  }

  /** Deletes the temporary copy of a recording read from a jar; the run directory stays. */
  @Override
  public void close() {
    ShadowExtension.deleteAll(temporary);
  }

  @Override
  public String toString() {
    return "ShadowRun["
        + testClass
        + ": "
        + Gate.percent(discrepancyRate())
        + " ("
        + result().discrepant()
        + "/"
        + result().compared()
        + "), report "
        + report()
        + "]";
  }

  private String nothingCompared() {
    Statistics.RunResult r = result();
    return "nothing was compared in the replay of "
        + recording
        + " against "
        + candidate
        + " ("
        + r.exchanges()
        + " exchanges: "
        + r.skipped()
        + " skipped, "
        + r.errors()
        + " candidate errors, "
        + r.noBaseline()
        + " without baseline); nothing compared is never a pass"
        + warnings()
        + "\n  report: "
        + report().toAbsolutePath();
  }

  /** The run's first warnings (redacted credentials, 401 everywhere, cut recordings...), one per line. */
  private String warnings() {
    List<String> w = replay.warnings();
    StringBuilder m = new StringBuilder();
    w.stream().limit(3).forEach(x -> m.append("\n  warning: ").append(x));
    if (w.size() > 3) {
      m.append("\n  (")
          .append(w.size() - 3)
          .append(" more warnings in ")
          .append(summary().toAbsolutePath())
          .append(')');
    }
    return m.toString();
  }

  /** One line for the build log: the rate, the verdict and where the report is. */
  String summaryLine() {
    Statistics.RunResult r = result();
    String verdict =
        replay.abortReason() != null
            ? "replay aborted (" + replay.abortReason() + ")"
            : replay.incomplete()
                ? "replay incomplete"
                : gateFailures().isEmpty() ? "gate passed" : "gate FAILED";
    // the threshold is printed: maxDiscrepancyRate is a fraction, and 0.5 (meant as 0.5%) allows
    // half of the exchanges to differ; green runs print their warnings too (a cut recording, 401
    // everywhere), which otherwise only a failure would show
    return String.format(
            Locale.ROOT,
            "Shadow %s: %s discrepant (%d/%d compared, %d exchanges) against %s, %s (at most %s"
                + " allowed%s); report: %s",
            testClass,
            Gate.percent(r.discrepancyRate()),
            r.discrepant(),
            r.compared(),
            r.exchanges(),
            candidate,
            verdict,
            Gate.percent(gate.maxDiscrepancyRate()),
            gate.maxDiscrepancyRate() >= LOOSE_GATE
                ? ": maxDiscrepancyRate is a fraction, 0.005 is 0.5%"
                : "",
            report().toAbsolutePath())
        + warnings();
  }

  /** A maxDiscrepancyRate from which the summary line reminds that it is a fraction. */
  static final double LOOSE_GATE = 0.05;

  private void failIfAborted() {
    if (replay.abortReason() != null) {
      throw new AssertionFailedError(
          "the replay of "
              + recording
              + " against "
              + candidate
              + " was aborted: "
              + replay.abortReason()
              + warnings()
              + "\n  report: "
              + report().toAbsolutePath());
    }
    if (replay.incomplete()) {
      throw new AssertionFailedError(
          "the replay of "
              + recording
              + " against "
              + candidate
              + " did not complete"
              + warnings()
              + "\n  report: "
              + report().toAbsolutePath());
    }
  }

  /** Why this endpoint fails, with what a developer needs to act; null when it passes. */
  String endpointFailure(Statistics.EndpointResult e) {
    Double ruleMax = Reports.threshold(rules, e.endpoint());
    double max = ruleMax != null ? ruleMax : gate.maxDiscrepancyRate();
    List<String> reasons = new ArrayList<>();
    if (e.compared() > 0 && e.discrepancyRate() > max) {
      reasons.add(
          String.format(
              Locale.ROOT,
              "%s: discrepancy rate %s is above %s%s (%d of %d compared, %d errors)",
              e.endpoint(),
              Gate.percent(e.discrepancyRate()),
              Gate.percent(max),
              ruleMax != null ? " (its rule)" : "",
              e.discrepant(),
              e.compared(),
              e.errors()));
    }
    if (e.compared() == 0 && e.errors() > 0) {
      reasons.add(
          String.format(
              Locale.ROOT,
              "%s: nothing compared, the candidate failed all %d attempted exchanges",
              e.endpoint(),
              e.errors()));
    }
    String unanswered =
        e.compared() == 0
            ? null // told above
            : gate.unanswered(e.endpoint(), e.exchanges(), e.skipped(), e.errors(), max);
    if (unanswered != null) {
      reasons.add(unanswered);
    }
    if (gate.maxErrorRate() != null && e.errorRate() > gate.maxErrorRate()) {
      reasons.add(
          String.format(
              Locale.ROOT,
              "%s: error rate %s is above %s (%d errors, %d 5xx)",
              e.endpoint(),
              Gate.percent(e.errorRate()),
              Gate.percent(gate.maxErrorRate()),
              e.errors(),
              e.serverErrors()));
    }
    var l = replay.latencies().get(e.endpoint());
    Double ratio = l == null ? null : l.p99Ratio();
    if (gate.maxLatencyRatio() != null
        && ratio != null
        && ratio > gate.maxLatencyRatio()
        && gate.enoughLatencyData(l.ratioSamples())) {
      var base = l.primary.count() > 0 ? l.primary : l.recorded;
      reasons.add(
          String.format(
              Locale.ROOT,
              "%s: candidate p99 %.2f ms is %.2fx the baseline's %.2f ms, above %.2fx"
                  + " (%d samples, measured after %s)%s",
              e.endpoint(),
              l.candidate.percentileMillis(0.99),
              ratio,
              base.percentileMillis(0.99),
              gate.maxLatencyRatio(),
              l.ratioSamples(),
              warmup == 0 ? "no warm-up" : warmup + " warm-up requests",
              (warmup == 0
                      ? "; the candidate was cold: its first requests pay for class loading and JIT compilation,"
                          + " set @ShadowReplay(warmup = "
                          + ShadowReplay.DEFAULT_WARMUP
                          + ")"
                      : "")
                  + (inProcess
                      ? "; note that the candidate ran in-process ("
                          + candidate
                          + "), without the network and"
                          + " server its baseline's latencies include: compare with a primary instead"
                      : "")));
    }
    StringBuilder why = new StringBuilder(String.join("\n", reasons));
    if (why.length() == 0) {
      return null;
    }
    String details = details(e);
    if (!details.isEmpty()) {
      why.append('\n').append(details);
    }
    why.append(warnings());
    why.append("\n  report: ").append(report().toAbsolutePath());
    return why.toString();
  }

  /** The top differing fields with counts, and one example exchange with its differences. */
  private String details(Statistics.EndpointResult e) {
    StringBuilder m = new StringBuilder();
    List<Statistics.FieldResult> top =
        e.fields().stream().filter(Statistics.FieldResult::real).limit(5).toList();
    if (!top.isEmpty()) {
      m.append("  top differing fields:");
      for (Statistics.FieldResult f : top) {
        m.append(
            String.format(
                Locale.ROOT,
                "%n    %-40s %-10s %d of %d compared (noise %d)",
                f.field(),
                f.type(),
                f.count(),
                e.compared(),
                f.noise()));
      }
    }
    Reports.Example x = written.examples().get(e.endpoint());
    if (x != null) {
      m.append(m.length() == 0 ? "" : "\n")
          .append("  example: exchange ")
          .append(x.id())
          .append(", ")
          .append(x.request());
      for (Difference d : x.differences().stream().limit(5).toList()) {
        m.append("\n    ").append(d);
      }
    }
    return m.toString();
  }
}
