package dev.shadowtest.reconcile;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.reconcile.ReconcileResult.Checksum;
import dev.shadowtest.reconcile.ReconcileResult.ColumnDifference;
import dev.shadowtest.reconcile.ReconcileResult.DatasetResult;
import dev.shadowtest.reconcile.ReconcileResult.RowDifference;
import dev.shadowtest.reconcile.ReconcileResult.Verdict;
import dev.shadowtest.reconcile.ReconcileSummary.Aggregate;
import dev.shadowtest.reconcile.ReconcileSummary.Dataset;
import dev.shadowtest.reconcile.ReconcileSummary.Group;
import dev.shadowtest.reconcile.internal.ReportModel;
import dev.shadowtest.reconcile.internal.ReportModel.AggregateView;
import dev.shadowtest.reconcile.internal.ReportModel.ColumnView;
import dev.shadowtest.reconcile.internal.ReportModel.DatasetRow;
import dev.shadowtest.reconcile.internal.ReportModel.DatasetSample;
import dev.shadowtest.reconcile.internal.ReportModel.Dot;
import dev.shadowtest.reconcile.internal.ReportModel.GroupRow;
import dev.shadowtest.reconcile.internal.ReportModel.Item;
import dev.shadowtest.reconcile.internal.ReportModel.Label;
import dev.shadowtest.reconcile.internal.ReportModel.Line;
import dev.shadowtest.reconcile.internal.ReportModel.SampleRow;
import dev.shadowtest.reconcile.internal.ReportModel.Trend;
import dev.shadowtest.reconcile.internal.ReportModel.TrendRow;
import dev.shadowtest.reconcile.internal.ReportModel.Value;
import dev.shadowtest.reports.Reports;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.WriterOutput;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a reconciliation's {@code report.html} (docs/reconcile.md, "Report"): one self-contained
 * file in the replay report's look (its stylesheet, inline), whose Content-Security-Policy allows
 * that stylesheet and nothing else: no script, no image, no connection. Keys, values, dataset,
 * column and group names come from the databases and are attacker-controlled: they reach the page
 * only through jte's escaping, clipped to {@value #MAX_TEXT} characters and without control
 * characters.
 *
 * <pre>{@code
 * ReconcileReport.write(dir.resolve("report.html"), summary, result, history);
 * }</pre>
 */
final class ReconcileReport {

  /** Characters of one text shown at most; the rest is counted ("… (N more characters)"). */
  static final int MAX_TEXT = 500;

  /** Groups of one aggregate shown at most (those that disagree first); summary.json has all. */
  static final int MAX_GROUPS = 200;

  /** Runs of the history in the trend, the last ones. */
  static final int TREND_RUNS = 30;

  /** Where jte-maven-plugin compiles src/main/jte to (reconcile/pom.xml). */
  private static final String TEMPLATES = "dev.shadowtest.reconcile.internal.jte";

  private static final TemplateEngine ENGINE =
      TemplateEngine.createPrecompiled(null, ContentType.Html, null, TEMPLATES);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SHORT =
      DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private ReconcileReport() {}

  /**
   * Renders the report to {@code file} (owner-only, replaced atomically).
   *
   * @param summary the run as summary.json holds it
   * @param result the run itself: its sample of differing rows per dataset
   * @param trend the history's runs, oldest first, with or without this one (added when missing)
   */
  static void write(
      Path file, ReconcileSummary summary, ReconcileResult result, List<ReconcileSummary> trend) {
    ReportModel model = model(summary, result, trend, Instant.now());
    Path temp = SecureFiles.temporarySibling(file);
    try {
      try (Writer w =
          new BufferedWriter(
              new OutputStreamWriter(SecureFiles.newOutputStream(temp), StandardCharsets.UTF_8),
              1 << 16)) {
        ENGINE.render("reconcile.jte", model, new WriterOutput(w));
      }
      SecureFiles.commit(temp, file);
    } catch (IOException | UncheckedIOException e) {
      delete(temp);
      throw new BadInputException("cannot write " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      delete(temp);
      throw e; // a bug in the report, not the user's input: exit 3
    }
  }

  private static void delete(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // the error thrown says what went wrong
    }
  }

  static ReportModel model(
      ReconcileSummary s, ReconcileResult r, List<ReconcileSummary> trend, Instant now) {
    List<Dataset> worstFirst = new ArrayList<>(s.datasets());
    worstFirst.sort( // stable: equal ones stay in the spec's order
        Comparator.comparingDouble(Dataset::drift)
            .reversed()
            .thenComparing(Comparator.comparingLong(Dataset::differing).reversed()));
    Map<String, DatasetResult> results = new HashMap<>();
    for (DatasetResult d : r.datasets()) {
      results.putIfAbsent(d.name(), d);
    }

    List<DatasetRow> rows = new ArrayList<>();
    List<DatasetSample> samples = new ArrayList<>();
    for (Dataset d : worstFirst) {
      String anchor = "ds-" + rows.size(); // never derived from the name
      DatasetResult dr = results.get(d.name());
      List<RowDifference> sample =
          dr == null ? List.of() : dr.sample().stream().limit(ReconcileResult.SAMPLE_SIZE).toList();
      boolean sampled = d.differing() > 0;
      rows.add(
          new DatasetRow(
              anchor,
              text(d.name()),
              d.matched(),
              d.onlyLegacy(),
              d.onlyCandidate(),
              d.changed(),
              d.union(),
              percent(d.drift()),
              verdict(d.verdict()),
              verdictClass(d.verdict()),
              checksum(d.checksum()),
              byColumn(d.changedByColumn()),
              sampled));
      if (sampled) {
        samples.add(
            new DatasetSample(
                anchor,
                text(d.name()),
                percent(d.drift()),
                verdictClass(d.verdict()),
                d.onlyLegacy()
                    + " only in legacy, "
                    + d.onlyCandidate()
                    + " only in candidate, "
                    + d.changed()
                    + " changed, of "
                    + d.union()
                    + " rows (the union of keys)",
                sampleNote(sample.size(), d.differing(), s.differencesOmitted()),
                sample.stream().map(ReconcileReport::sampleRow).toList()));
      }
    }

    String css = Reports.stylesheet() + "\n" + resource("report.css");
    String csp = Reports.styleOnlyPolicy(css);
    List<ReconcileSummary> history = trend == null ? List.of() : trend;
    List<ReconcileSummary> runs = trendRuns(s, history);
    return new ReportModel(
        "Shadow reconciliation " + verdict(s.verdict()) + ": " + text(s.spec()),
        verdict(s.verdict()),
        verdictClass(s.verdict()),
        percent(s.drift()),
        s.differing() + " differing of " + s.union() + " rows",
        thresholds(s.thresholds()),
        info(s, r),
        rows,
        s.differencesOmitted() > 0
            ? "differences.csv holds "
                + s.differences()
                + " of the run's differing rows: "
                + s.differencesOmitted()
                + " more were counted, not written (its limit)."
            : null,
        samples,
        s.aggregates().stream().map(ReconcileReport::aggregate).toList(),
        runs.size() < 2 ? null : trend(runs, s),
        trendNote(runs.size(), history.isEmpty()),
        css,
        csp,
        TIME.format(now));
  }

  private static List<Item> info(ReconcileSummary s, ReconcileResult r) {
    List<Item> info = new ArrayList<>();
    info.add(new Item("legacy", text(s.legacy())));
    info.add(new Item("candidate", text(s.candidate())));
    info.add(new Item("spec", text(s.spec())));
    info.add(new Item("started", TIME.format(r.startedAt())));
    info.add(new Item("finished", TIME.format(r.finishedAt())));
    info.add(new Item("duration", duration(Duration.between(r.startedAt(), r.finishedAt()))));
    long disagree = s.aggregates().stream().filter(a -> !a.agrees()).count();
    info.add(new Item("datasets", Integer.toString(s.datasets().size())));
    info.add(
        new Item(
            "aggregates",
            s.aggregates().isEmpty()
                ? "none"
                : disagree + " of " + s.aggregates().size() + " disagree"));
    return info;
  }

  private static String sampleNote(int shown, long differing, long omittedFromCsv) {
    String csv =
        omittedFromCsv == 0
            ? "all are in differences.csv"
            : "differences.csv holds them up to its limit";
    if (shown == 0) {
      return "No differing row was kept for this dataset; " + csv + ".";
    }
    if (shown < differing) {
      return "First " + shown + " of " + differing + " differing rows, in key order; " + csv + ".";
    }
    return differing == 1
        ? "The one differing row."
        : "All " + differing + " differing rows, in key order.";
  }

  private static SampleRow sampleRow(RowDifference d) {
    List<String> key = d.key().stream().map(ReconcileReport::text).toList();
    List<ColumnView> columns = new ArrayList<>();
    for (ColumnDifference c : d.columns()) {
      columns.add(new ColumnView(text(c.column()), value(c.legacy()), value(c.candidate())));
    }
    return switch (d.kind()) {
      case ONLY_LEGACY -> new SampleRow(key, "only in legacy", "only-legacy", List.of());
      case ONLY_CANDIDATE -> new SampleRow(key, "only in candidate", "only-candidate", List.of());
      case CHANGED -> new SampleRow(key, "changed", "changed", columns);
    };
  }

  /** SQL NULL and the empty string as markers of their own, never alike nor like a value. */
  static Value value(String v) {
    if (v == null) {
      return new Value("NULL", "null");
    }
    return v.isEmpty() ? new Value("empty string", "empty") : new Value(text(v), "value");
  }

  private static List<Item> byColumn(Map<String, Long> changed) {
    List<Item> out = new ArrayList<>();
    changed.forEach(
        (column, n) -> {
          if (n != null && n > 0) {
            out.add(new Item(text(column), Long.toString(n)));
          }
        });
    return out;
  }

  private static AggregateView aggregate(Aggregate a) {
    List<Group> shown = a.groups();
    String note = null;
    if (shown.size() > MAX_GROUPS) {
      List<Group> disagreeFirst = new ArrayList<>(shown);
      disagreeFirst.sort(Comparator.comparing(Group::agrees)); // stable: false first
      shown = disagreeFirst.subList(0, MAX_GROUPS);
      long disagree = a.groups().stream().filter(g -> !g.agrees()).count();
      note =
          "Showing "
              + MAX_GROUPS
              + " of "
              + a.groups().size()
              + " groups ("
              + disagree
              + " disagree, shown first); summary.json has them all.";
    }
    List<GroupRow> groups = new ArrayList<>();
    for (Group g : shown) {
      groups.add(
          new GroupRow(
              g.group() == null || g.group().isEmpty() ? "(single value)" : text(g.group()),
              number(g.legacy()),
              number(g.candidate()),
              difference(g.legacy(), g.candidate()),
              g.agrees()));
    }
    return new AggregateView(text(a.name()), a.agrees(), groups, note);
  }

  /** A value of the database as text: plain digits, unless its exponent would make them endless. */
  static String number(BigDecimal v) {
    if (v == null) {
      return "(none)";
    }
    return text(Math.abs((long) v.scale()) > 100 ? v.toString() : v.toPlainString());
  }

  /** Candidate minus legacy; not computed for exponents far apart (it would have endless digits). */
  static String difference(BigDecimal legacy, BigDecimal candidate) {
    if (legacy == null || candidate == null) {
      return "–";
    }
    if (Math.abs((long) legacy.scale() - candidate.scale()) > 1000) {
      return "(not computed)";
    }
    BigDecimal d = candidate.subtract(legacy);
    return (d.signum() > 0 ? "+" : "") + number(d);
  }

  private static List<ReconcileSummary> trendRuns(
      ReconcileSummary current, List<ReconcileSummary> history) {
    List<ReconcileSummary> runs = new ArrayList<>(history);
    if (runs.isEmpty() || !runs.get(runs.size() - 1).sameRun(current)) {
      runs.add(current);
    }
    return runs.subList(Math.max(0, runs.size() - TREND_RUNS), runs.size());
  }

  private static String trendNote(int runs, boolean noHistory) {
    if (noHistory) {
      return "No history: keep one (a history directory) to see the drift over the runs.";
    }
    return runs < 2
        ? "The history holds no earlier run: the trend starts with the next one."
        : "The last "
            + runs
            + " runs, oldest first; the dashed lines are this run's investigate and pause"
            + " thresholds.";
  }

  /** The overall drift per run, and this run's thresholds as dashed lines. */
  private static Trend trend(List<ReconcileSummary> runs, ReconcileSummary current) {
    int left = 80;
    int width = 800;
    int plotW = width - left - 50; // room for the last run's date under its dot
    int top = 16;
    int plotH = 200;
    double investigate = current.thresholds().investigate();
    double pause = current.thresholds().pause();
    double max =
        Math.max(pause * 1.5, runs.stream().mapToDouble(ReconcileSummary::drift).max().orElse(0))
            * 1.1;
    max = max > 0 ? max : 0.001;
    List<Line> lines = new ArrayList<>();
    List<Label> labels = new ArrayList<>();
    List<Dot> dots = new ArrayList<>();
    List<TrendRow> rows = new ArrayList<>();
    lines.add(new Line(num(left), num(top + plotH), num(left + plotW), num(top + plotH), "axis"));
    lines.add(new Line(num(left), num(top), num(left), num(top + plotH), "axis"));
    for (int t = 0; t <= 4; t++) {
      double y = top + plotH - plotH * t / 4.0;
      labels.add(new Label(num(left - 6), num(y + 4), percent(max * t / 4), "end", "tick"));
    }
    for (String kind : List.of("investigate", "pause")) {
      double threshold = kind.equals("pause") ? pause : investigate;
      double y = top + plotH - plotH * threshold / max;
      lines.add(new Line(num(left), num(y), num(left + plotW), num(y), kind));
      labels.add(
          new Label(
              num(left + plotW),
              num(y - 4),
              kind + " " + threshold(threshold),
              "end",
              kind + "-label"));
    }
    StringBuilder polyline = new StringBuilder();
    int n = runs.size();
    for (int i = 0; i < n; i++) {
      ReconcileSummary run = runs.get(i);
      boolean isCurrent = i == n - 1;
      double x = left + plotW * i / (double) (n - 1);
      double y = top + plotH - plotH * run.drift() / max;
      polyline.append(num(x)).append(',').append(num(y)).append(' ');
      String finished = finished(run, TIME);
      String counts = run.differing() + " of " + run.union();
      dots.add(
          new Dot(
              num(x),
              num(y),
              "dot-" + verdictClass(run.verdict()),
              finished
                  + ": "
                  + percent(run.drift())
                  + " ("
                  + counts
                  + "), "
                  + verdict(run.verdict())
                  + (isCurrent ? " (this run)" : "")));
      if (n <= 8 || i % Math.max(1, (n + 7) / 8) == 0 || isCurrent) {
        labels.add(
            new Label(num(x), num(top + plotH + 16), finished(run, SHORT), "middle", "tick"));
      }
      rows.add(
          new TrendRow(
              finished,
              percent(run.drift()),
              counts,
              verdict(run.verdict()),
              verdictClass(run.verdict()),
              isCurrent));
    }
    return new Trend(
        width, top + plotH + 28, lines, labels, polyline.toString().strip(), dots, rows);
  }

  private static String finished(ReconcileSummary run, DateTimeFormatter format) {
    try {
      return format.format(run.finished());
    } catch (DateTimeParseException | NullPointerException e) {
      return text(String.valueOf(run.finishedAt()));
    }
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /**
   * A drift as a percentage with four decimals, enough to tell 0.0123% from the 0.01% threshold;
   * a drift too small for them shows two significant digits, never as zero.
   */
  static String percent(double rate) {
    double p = rate * 100;
    if (p == 0 || p >= 0.0001 || Double.isNaN(p) || Double.isInfinite(p)) {
      return String.format(Locale.ROOT, "%.4f%%", p);
    }
    return new BigDecimal(p).round(new MathContext(2)).toPlainString() + "%";
  }

  /** A threshold as the spec writes it: 0.01%, 0.1%. */
  static String threshold(double rate) {
    return BigDecimal.valueOf(rate).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
  }

  private static String thresholds(ReconcileSummary.Thresholds t) {
    return "investigate above "
        + threshold(t.investigate())
        + ", pause above "
        + threshold(t.pause());
  }

  private static String verdict(Verdict v) {
    return v == null ? "(unknown)" : v.name();
  }

  private static String verdictClass(Verdict v) {
    return v == null ? "" : v.name().toLowerCase(Locale.ROOT);
  }

  private static String checksum(Checksum c) {
    if (c == null) {
      return "not used";
    }
    return switch (c) {
      case NOT_USED -> "not used";
      case AGREED -> "confirmed by checksum";
      case DIFFERED -> "differed: rows compared";
    };
  }

  static String duration(Duration d) {
    long s = d.getSeconds();
    return s < 60
        ? String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0)
        : String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s / 60 % 60, s % 60);
  }

  /**
   * A text from the databases or the spec as the page shows it: at most {@value #MAX_TEXT}
   * characters ("… (N more characters)"), control characters and lone surrogates replaced by
   * U+FFFD (tab, line feed and carriage return stay: values are shown as they are).
   */
  static String text(String s) {
    if (s == null) {
      return "";
    }
    String shown = s;
    String more = "";
    if (s.length() > MAX_TEXT) {
      int points = s.codePointCount(0, s.length());
      if (points > MAX_TEXT) {
        shown = s.substring(0, s.offsetByCodePoints(0, MAX_TEXT));
        more = "… (" + (points - MAX_TEXT) + " more characters)";
      }
    }
    StringBuilder b = new StringBuilder(shown.length() + more.length());
    shown.codePoints().forEach(c -> b.appendCodePoint(kept(c) ? c : 0xFFFD));
    return b.append(more).toString();
  }

  /** Not a control character (but tab, line feed, carriage return) nor a lone surrogate. */
  private static boolean kept(int c) {
    boolean control = c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c >= 0x7f && c <= 0x9f;
    return !control && (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE);
  }

  private static String resource(String name) {
    try (InputStream in = ReconcileReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
