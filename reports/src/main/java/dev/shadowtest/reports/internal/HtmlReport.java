package dev.shadowtest.reports.internal;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.Judgement;
import dev.shadowtest.diff.Location;
import dev.shadowtest.diff.Statistics;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.LatencyHistogram;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.diff.run.SamplesFile;
import dev.shadowtest.diff.run.SummaryFile;
import dev.shadowtest.diff.run.SummaryJson;
import dev.shadowtest.diff.run.Trigger;
import dev.shadowtest.diff.run.TriggerEvent;
import dev.shadowtest.reports.internal.ReportModel.BodyLine;
import dev.shadowtest.reports.internal.ReportModel.DiffRow;
import dev.shadowtest.reports.internal.ReportModel.EndpointDetail;
import dev.shadowtest.reports.internal.ReportModel.EndpointRow;
import dev.shadowtest.reports.internal.ReportModel.FieldRow;
import dev.shadowtest.reports.internal.ReportModel.HeaderLine;
import dev.shadowtest.reports.internal.ReportModel.Item;
import dev.shadowtest.reports.internal.ReportModel.SampleView;
import dev.shadowtest.reports.internal.ReportModel.Side;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.WriterOutput;
import java.io.BufferedWriter;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds {@code report.html}: one self-contained file (inline CSS, one inline script allowed by
 * its hash in a Content-Security-Policy that forbids everything else, no network). Everything
 * recorded is attacker-controlled and reaches the page only through jte's escaping.
 */
public final class HtmlReport {

  /** Endpoints that get a detail section (worst first); the table lists them all. */
  static final int MAX_DETAILS = 200;

  static final int MAX_FIELDS = 30;
  static final int MAX_SAMPLES = 300;

  /** Endpoint table rows (worst first); the CSV and summary.json have them all. */
  static final int MAX_ROWS = 2_000;

  /** Rows of the rollback triggers' timeline, first events first; triggers.jsonl has them all. */
  static final int MAX_TRIGGER_ROWS = 500;

  static final int MAX_HEADERS = 60;
  static final int MAX_DIFF_ROWS = 40;

  /**
   * What the sample views may cost in all, in characters as escaped in the page (recorded bodies
   * are attacker-controlled: a body of {@code <} would grow fivefold): the report stays well under
   * 20 MB whatever the run holds.
   */
  static final long SAMPLE_BUDGET = 8_000_000;

  private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final SummaryJson.Meta meta;
  private final RunAggregate.Collapsed collapsed;
  private final Gate gate;
  private final List<String> failures;
  private final Function<String, Double> thresholds;
  private final Map<String, SamplesFile.Sample> samples;
  private final List<TriggerEvent> triggers;
  private final int perEndpoint;

  /** Per endpoint, one rewritten request as an example: "/posts/1/comments → /comments?postId=1". */
  private final Map<String, String> rewrites = new HashMap<>();

  private final Map<String, List<ResultLine>> chosen = new LinkedHashMap<>();
  private final Map<String, Judgement.Judged> judgements = new HashMap<>();
  private final Map<String, List<ReportModel.ErrorRow>> errors = new LinkedHashMap<>();
  private int chosenCount;

  public HtmlReport(
      SummaryJson.Meta meta,
      RunAggregate.Collapsed collapsed,
      Gate gate,
      List<String> failures,
      Function<String, Double> thresholds,
      Map<String, SamplesFile.Sample> samples,
      List<TriggerEvent> triggers,
      int perEndpoint) {
    this.meta = meta;
    this.collapsed = collapsed;
    this.gate = gate;
    this.failures = List.copyOf(failures);
    this.thresholds = thresholds;
    this.samples = samples;
    this.triggers = List.copyOf(triggers);
    this.perEndpoint = perEndpoint;
  }

  /** How often each kind of transform was applied: "resignJwt 6, setHeader 12", or "none". */
  private String transformCounts() {
    if (collapsed.transforms().isEmpty()) {
      return "none";
    }
    List<String> kinds = new ArrayList<>();
    collapsed.transforms().forEach((k, n) -> kinds.add(k + " " + n));
    return String.join(", ", kinds);
  }

  /** Sees every result line once; keeps the first discrepant ones that have a sample. */
  public void offer(ResultLine line, String endpoint, Judgement.Judged judged) {
    if (line.candidateTarget() != null || !line.transforms().isEmpty()) {
      rewrites.putIfAbsent(
          endpoint,
          BodyView.clip(
              line.method()
                  + " "
                  + line.target()
                  + (line.candidateTarget() == null ? "" : " → " + line.candidateTarget())
                  + (line.transforms().isEmpty()
                      ? ""
                      : " (" + String.join(", ", line.transforms()) + ")")));
    }
    if (line.verdict() == Verdict.CANDIDATE_ERROR) {
      List<ReportModel.ErrorRow> l = errors.computeIfAbsent(endpoint, k -> new ArrayList<>());
      if (l.size() < perEndpoint) {
        l.add(
            new ReportModel.ErrorRow(
                BodyView.clip(line.id()),
                BodyView.clip(line.method() + " " + line.target()),
                BodyView.clip(String.valueOf(line.error()))));
      }
      return;
    }
    if (!judged.discrepant() || chosenCount >= MAX_SAMPLES || !samples.containsKey(line.id())) {
      return;
    }
    List<ResultLine> l = chosen.computeIfAbsent(endpoint, k -> new ArrayList<>());
    if (l.size() < perEndpoint) {
      l.add(line);
      judgements.put(line.id(), judged);
      chosenCount++;
    }
  }

  /** Renders the report to {@code file} (0600); {@code trend} are the history's runs, oldest first. */
  public void write(Path file, List<SummaryFile> trend) {
    ReportModel model = model(trend);
    Path temp = SecureFiles.temporarySibling(file);
    try {
      try (Writer w =
          new ControlCharacters(
              new BufferedWriter(
                  new OutputStreamWriter(SecureFiles.newOutputStream(temp), StandardCharsets.UTF_8),
                  1 << 16))) {
        ENGINE.render("report.jte", model, new WriterOutput(w));
      }
      SecureFiles.commit(temp, file);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // the error below says what went wrong
      }
      throw new RecordingException(file, 0, "cannot write: " + e.getMessage(), e);
    }
  }

  ReportModel model(List<SummaryFile> trend) {
    Statistics.RunResult r = collapsed.result();
    boolean passed = failures.isEmpty() && !meta.incomplete();
    List<Item> counts =
        List.of(
            new Item("exchanges", Long.toString(r.exchanges())),
            new Item("compared", Long.toString(r.compared())),
            new Item("discrepant", Long.toString(r.discrepant())),
            new Item("noise only", Long.toString(r.noise())),
            new Item("accepted", Long.toString(r.accepted())),
            new Item("rewritten", Long.toString(r.rewritten())),
            new Item("transforms applied", transformCounts()),
            new Item("skipped", Long.toString(r.skipped())),
            new Item(
                "skipped: from browser cache", Long.toString(collapsed.gaps().skippedFromCache())),
            new Item(
                "compared without body (not captured)",
                Long.toString(collapsed.gaps().bodyNotCaptured())),
            new Item(
                "compared in part (body cut at capture or over --max-body)",
                Long.toString(collapsed.gaps().bodyCut())),
            new Item("candidate errors", Long.toString(r.errors())),
            new Item("5xx", Long.toString(r.serverErrors())),
            new Item("no baseline", Long.toString(r.noBaseline())),
            new Item("error rate", Gate.percent(r.errorRate())),
            new Item("run time", duration(Duration.between(meta.startedAt(), meta.finishedAt()))));
    List<Item> info = new ArrayList<>();
    info.add(new Item("candidate", meta.candidate()));
    if (meta.primary() != null) {
      info.add(new Item("primary", meta.primary()));
    }
    if (meta.secondary() != null) {
      info.add(new Item("secondary", meta.secondary()));
    }
    info.add(new Item("recording", String.join(", ", meta.recordings())));
    info.add(new Item("started", TIME.format(meta.startedAt())));
    info.add(new Item("finished", TIME.format(meta.finishedAt())));
    if (meta.shard() != null) {
      info.add(new Item("shard", meta.shard()));
    }
    if (meta.passes() != null) {
      info.add(new Item("passes", meta.passes().describe()));
    }
    for (String w : meta.warnings().subList(0, Math.min(meta.warnings().size(), 5))) {
      info.add(new Item("warning", BodyView.clip(w))); // the rest are in summary.json
    }

    List<Statistics.EndpointResult> worstFirst = new ArrayList<>(r.endpoints());
    worstFirst.sort(
        Comparator.comparingDouble(Statistics.EndpointResult::discrepancyRate)
            .reversed()
            .thenComparing(Comparator.comparingLong(Statistics.EndpointResult::errors).reversed())
            .thenComparing(Statistics.EndpointResult::endpoint));
    Map<String, String> anchors = new LinkedHashMap<>();
    List<EndpointRow> rows = new ArrayList<>();
    for (Statistics.EndpointResult e : worstFirst) {
      if (rows.size() >= MAX_ROWS) {
        break;
      }
      String anchor = "ep-" + anchors.size(); // never derived from the (recorded) endpoint name
      anchors.put(e.endpoint(), anchor);
      RunAggregate.Latencies l = collapsed.latencies().get(e.endpoint());
      Double ratio = l == null ? null : l.p99Ratio();
      boolean enough = l != null && gate.enoughLatencyData(l.ratioSamples());
      Double threshold = thresholds.apply(e.endpoint());
      double max = threshold != null ? threshold : gate.maxDiscrepancyRate();
      boolean failing =
          e.compared() > 0 && e.discrepancyRate() > max
              || gate.maxLatencyRatio() != null
                  && ratio != null
                  && enough
                  && ratio > gate.maxLatencyRatio();
      rows.add(
          new EndpointRow(
              anchor,
              e.endpoint(),
              e.exchanges(),
              e.compared(),
              e.discrepant(),
              Gate.percent(e.discrepancyRate()),
              e.discrepancyRate(),
              e.errors(),
              e.serverErrors(),
              ms(l == null ? null : baseline(l).percentileMillis(0.5)),
              ms(l == null ? null : baseline(l).percentileMillis(0.99)),
              ms(l == null ? null : l.candidate.percentileMillis(0.5)),
              ms(l == null ? null : l.candidate.percentileMillis(0.99)),
              ratio == null
                  ? "–"
                  : String.format(Locale.ROOT, "%.2f×", ratio)
                      + (enough ? "" : " (" + l.ratioSamples() + " exchanges: not enough data)"),
              ratio == null ? -1 : ratio,
              Gate.percent(max),
              failing));
    }

    List<EndpointDetail> details = new ArrayList<>();
    long[] budget = {SAMPLE_BUDGET};
    for (Statistics.EndpointResult e : worstFirst) {
      if (details.size() >= MAX_DETAILS) {
        break;
      }
      if (e.fields().isEmpty()
          && e.errors() == 0
          && e.acceptedFields().isEmpty()
          && e.rewritten() == 0) {
        continue;
      }
      List<FieldRow> fields =
          e.fields().stream()
              .limit(MAX_FIELDS)
              .map(
                  f ->
                      new FieldRow(
                          pieces(f.field()), f.type().name(), f.count(), f.noise(), f.real()))
              .toList();
      List<ReportModel.AcceptedRow> accepted =
          e.acceptedFields().stream()
              .limit(MAX_FIELDS)
              .map(
                  f ->
                      new ReportModel.AcceptedRow(
                          pieces(f.field()), f.type().name(), f.count(), BodyView.clip(f.reason())))
              .toList();
      List<SampleView> views = new ArrayList<>();
      boolean spent = false;
      for (ResultLine line : chosen.getOrDefault(e.endpoint(), List.of())) {
        if (budget[0] <= 0) {
          spent = true;
          break;
        }
        SampleView v = sample(views.isEmpty() && details.size() < 20, line, samples.get(line.id()));
        budget[0] -= cost(v);
        views.add(v);
      }
      String note =
          e.discrepant() == 0
              ? null
              : spent && views.isEmpty()
                  ? "Samples not shown: the report's size budget is spent (see discrepancies.csv)."
                  : views.isEmpty()
                      ? "No sample exchange was kept for this endpoint (samples are bounded per run)."
                      : "Showing "
                          + views.size()
                          + " of "
                          + e.discrepant()
                          + " discrepant exchanges.";
      details.add(
          new EndpointDetail(
              anchors.get(e.endpoint()),
              e.endpoint(),
              Gate.percent(e.discrepancyRate()),
              e.discrepant()
                  + " discrepant of "
                  + e.compared()
                  + " compared, "
                  + e.errors()
                  + " errors, "
                  + e.noise()
                  + " noise only, "
                  + e.accepted()
                  + " matched only because of accepted differences",
              fields,
              Math.max(0, e.fields().size() - MAX_FIELDS),
              accepted,
              e.rewritten() == 0
                  ? null
                  : e.rewritten()
                      + " of "
                      + e.exchanges()
                      + " requests were changed for the candidate"
                      + (rewrites.containsKey(e.endpoint())
                          ? " (transforms in the rules), e.g. " + rewrites.get(e.endpoint())
                          : ""),
              views,
              note,
              errors.getOrDefault(e.endpoint(), List.of())));
    }

    String js = resource("report.js");
    String css = stylesheet();
    String csp =
        "default-src 'none'; style-src 'sha256-"
            + sha256(css)
            + "'; script-src 'sha256-"
            + sha256(js)
            + "'; base-uri 'none'; form-action 'none'";
    String trendNote =
        trend.isEmpty()
            ? "No history: run with --history DIR to keep one; this run alone is shown."
            : null;
    List<ReportModel.TriggerRow> triggerRows =
        triggers.stream().limit(MAX_TRIGGER_ROWS).map(HtmlReport::triggerRow).toList();
    String triggersNote =
        triggers.size() > MAX_TRIGGER_ROWS
            ? "Showing the first "
                + MAX_TRIGGER_ROWS
                + " of "
                + triggers.size()
                + " trigger events (see triggers.jsonl)."
            : null;
    return new ReportModel(
        "Shadow report: " + meta.candidate(),
        passed,
        Gate.percent(r.discrepancyRate()),
        Gate.percent(gate.maxDiscrepancyRate()),
        failures,
        meta.incomplete()
            ? "Incomplete run"
                + (meta.abortReason() == null
                    ? " (stopped before the end of the recording)"
                    : ": " + meta.abortReason())
            : null,
        counts,
        info,
        triggerRows,
        triggersNote,
        rows,
        details,
        Charts.latency(worstFirst, collapsed.latencies()),
        Charts.trend(trend, r.discrepancyRate(), meta.finishedAt(), gate.maxDiscrepancyRate()),
        trendNote,
        css,
        js,
        csp,
        TIME.format(Instant.now()));
  }

  static ReportModel.TriggerRow triggerRow(TriggerEvent e) {
    return new ReportModel.TriggerRow(
        TIME.format(e.at()),
        BodyView.clip(e.trigger()),
        e.kind().label(),
        e.metric().label() + " " + e.comparison(),
        Trigger.formatDuration(e.window())
            + " ("
            + CLOCK.format(e.windowStart())
            + "–"
            + CLOCK.format(e.windowEnd())
            + ")",
        Trigger.formatDuration(e.forDuration()));
  }

  /** What a sample costs in the page, escaping included. */
  static long cost(SampleView v) {
    long c = BodyView.cost(v.requestLine()) + 500;
    for (HeaderLine h : v.requestHeaders()) {
      c += BodyView.cost(h.name()) + BodyView.cost(h.value()) + 40;
    }
    for (BodyLine l : v.requestBody()) {
      c += BodyView.cost(l.text()) + 40;
    }
    for (Side s : List.of(v.expected(), v.actual())) {
      for (HeaderLine h : s.headers()) {
        c += BodyView.cost(h.name()) + BodyView.cost(h.value()) + 40;
      }
      for (BodyLine l : s.body()) {
        c += BodyView.cost(l.text()) + 40;
      }
    }
    for (DiffRow d : v.differences()) {
      c +=
          BodyView.cost(String.join("", d.path()))
              + 6L * d.path().size()
              + BodyView.cost(d.expected())
              + BodyView.cost(d.actual())
              + BodyView.cost(d.reason())
              + 100;
    }
    return c;
  }

  static LatencyHistogram baseline(RunAggregate.Latencies l) {
    return l.primary.count() > 0 ? l.primary : l.recorded;
  }

  private SampleView sample(boolean open, ResultLine line, SamplesFile.Sample s) {
    Set<String> paths = new HashSet<>();
    Set<String> headerNames = new HashSet<>();
    boolean status = false;
    List<DiffRow> diffs = new ArrayList<>();
    Judgement.Judged judged = judgements.get(line.id());
    for (Difference d : line.differences()) {
      paths.add(d.path());
      Location where = d.location();
      if (where instanceof Location.Header h) {
        headerNames.add(h.lowerName());
      }
      status |= where instanceof Location.Status;
      if (diffs.size() < MAX_DIFF_ROWS) {
        Judgement.Standing standing =
            judged == null ? Judgement.Standing.COUNTS : judged.standing(d);
        diffs.add(
            new DiffRow(
                pieces(BodyView.clip(d.path())),
                d.type().name(),
                d.expected() == null ? "(absent)" : BodyView.clip(d.expected()),
                d.actual() == null ? "(absent)" : BodyView.clip(d.actual()),
                standing.name().toLowerCase(Locale.ROOT),
                d.accepted() == null ? "" : BodyView.clip(d.accepted())));
      }
    }
    Exchange b = s.baseline();
    List<BodyLine> requestBody =
        b.request().body().size() == 0
            ? List.of()
            : BodyView.of(b.request().body(), b.request().headers(), Set.of()).lines();
    return new SampleView(
        open,
        line.id(),
        BodyView.clip(
            b.request().method() + " " + b.request().target() + " " + b.request().httpVersion()),
        headers(b.request().headers(), Set.of()),
        requestBody,
        s.baselineSource(),
        side(b.response(), paths, headerNames, status),
        side(s.candidate(), paths, headerNames, status),
        diffs);
  }

  private static Side side(
      HttpResponse r, Set<String> paths, Set<String> headerNames, boolean status) {
    if (r == null) {
      return new Side("(no response)", status, List.of(), List.of(), null);
    }
    BodyView.View v = BodyView.of(r.body(), r.headers(), paths);
    return new Side(
        r.status()
            + (r.reason() == null || r.reason().isEmpty() ? "" : " " + BodyView.clip(r.reason())),
        status,
        headers(r.headers(), headerNames),
        v.lines(),
        v.note());
  }

  private static List<HeaderLine> headers(Headers h, Set<String> highlighted) {
    List<HeaderLine> out = new ArrayList<>();
    for (Headers.Field f : h) {
      if (out.size() >= MAX_HEADERS) {
        out.add(new HeaderLine("…", (h.size() - MAX_HEADERS) + " more headers not shown", false));
        break;
      }
      out.add(
          new HeaderLine(
              BodyView.clip(f.name()),
              BodyView.clip(f.value()),
              highlighted.contains(f.name().toLowerCase(Locale.ROOT))));
    }
    return out;
  }

  /**
   * A path in pieces, each ending before a separator ({@code .}, {@code /}, {@code [}, {@code :}):
   * the page may wrap a long path between pieces, never inside a name.
   */
  static List<String> pieces(String path) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 1; i < path.length(); i++) {
      char c = path.charAt(i);
      if ((c == '.' || c == '/' || c == '[' || c == ':') && i > start) {
        out.add(path.substring(start, i));
        start = i;
      }
    }
    out.add(path.substring(start));
    return out;
  }

  /**
   * Replaces the control characters HTML does not allow in a document (NUL and the other C0
   * controls but tab, line feed, form feed and carriage return) by U+FFFD: recorded bodies may
   * hold them, and the report must stay a valid document whatever they hold. So are the
   * bidirectional controls (U+202A-U+202E, U+2066-U+2069, the marks U+200E, U+200F, U+061C): a
   * recorded target such as {@code /r/<U+202E>gnp.exe} would show as {@code /r/exe.png}. The
   * report's own text holds none.
   */
  static final class ControlCharacters extends FilterWriter {
    ControlCharacters(Writer out) {
      super(out);
    }

    private static char clean(char c) {
      return c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r' || c == 0x7f || bidi(c)
          ? '\uFFFD'
          : c;
    }

    static boolean bidi(char c) {
      return c >= '\u202A' && c <= '\u202E'
          || c >= '\u2066' && c <= '\u2069'
          || c == '\u200E'
          || c == '\u200F'
          || c == '\u061C';
    }

    @Override
    public void write(int c) throws IOException {
      out.write(clean((char) c));
    }

    @Override
    public void write(char[] buf, int off, int len) throws IOException {
      char[] copy = null;
      for (int i = off; i < off + len; i++) {
        char c = clean(buf[i]);
        if (c != buf[i]) {
          if (copy == null) {
            copy = Arrays.copyOfRange(buf, off, off + len);
          }
          copy[i - off] = c;
        }
      }
      out.write(copy == null ? buf : copy, copy == null ? off : 0, len);
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
      write(str.toCharArray(), off, len);
    }
  }

  static String ms(Double v) {
    return v == null ? "–" : String.format(Locale.ROOT, "%.2f", v);
  }

  static String duration(Duration d) {
    long s = d.getSeconds();
    return s < 60
        ? String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0)
        : String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s / 60 % 60, s % 60);
  }

  /** The report's stylesheet ({@code report.css}). */
  public static String stylesheet() {
    return resource("report.css");
  }

  private static String resource(String name) {
    try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The base64 SHA-256 of {@code s} (UTF-8), as a Content-Security-Policy hash. */
  public static String sha256(String s) {
    try {
      return Base64.getEncoder()
          .encodeToString(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
