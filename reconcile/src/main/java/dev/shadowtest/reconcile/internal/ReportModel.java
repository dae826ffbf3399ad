package dev.shadowtest.reconcile.internal;

import java.util.List;

/**
 * What the reconciliation report's template ({@code src/main/jte/reconcile.jte}) shows, built by
 * {@code ReconcileReport}. Every text from the databases or the spec arrives here clipped and
 * without control characters; the template escapes it (jte's HTML content type).
 *
 * @param verdict OK, INVESTIGATE or PAUSE
 * @param verdictClass its CSS class: ok, investigate or pause
 * @param drift the overall drift as a percentage ("0.0123%")
 * @param counts "12 differing of 97561 rows"
 * @param trend the drift over the history, or null with fewer than two runs
 * @param css the one stylesheet, inline
 * @param csp the Content-Security-Policy allowing that stylesheet and nothing else
 */
public record ReportModel(
    String title,
    String verdict,
    String verdictClass,
    String drift,
    String counts,
    String thresholds,
    List<Item> info,
    List<DatasetRow> datasets,
    String differencesNote,
    List<DatasetSample> samples,
    List<AggregateView> aggregates,
    Trend trend,
    String trendNote,
    String css,
    String csp,
    String generatedAt) {

  /** A label and its value. */
  public record Item(String label, String value) {}

  /** A row of the datasets table; {@code anchor} is never derived from the name. */
  public record DatasetRow(
      String anchor,
      String name,
      long matched,
      long onlyLegacy,
      long onlyCandidate,
      long changed,
      long union,
      String drift,
      String verdict,
      String verdictClass,
      String checksum,
      List<Item> changedByColumn,
      boolean sampled) {}

  /** A dataset's differing rows, side by side. */
  public record DatasetSample(
      String anchor,
      String name,
      String drift,
      String verdictClass,
      String counts,
      String note,
      List<SampleRow> rows) {}

  /**
   * A differing row: its key values and, for a changed row, each differing column.
   *
   * @param kindClass only-legacy, only-candidate or changed
   */
  public record SampleRow(
      List<String> key, String kind, String kindClass, List<ColumnView> columns) {
    /** The rows it spans in the table: one per differing column, at least one. */
    public int span() {
      return Math.max(1, columns.size());
    }

    /** The columns after the first, each on a row of its own. */
    public List<ColumnView> rest() {
      return columns.isEmpty() ? List.of() : columns.subList(1, columns.size());
    }
  }

  /** A differing column with its legacy and candidate value. */
  public record ColumnView(String column, Value legacy, Value candidate) {}

  /**
   * A value as shown: {@code cls} is "null" for SQL NULL, "empty" for an empty string, "value"
   * otherwise, so that the three never look alike.
   */
  public record Value(String text, String cls) {}

  /** An aggregate; {@code note} says how many groups are not shown, or is null. */
  public record AggregateView(String name, boolean agrees, List<GroupRow> groups, String note) {}

  /** An aggregate's values for one group. */
  public record GroupRow(
      String group, String legacy, String candidate, String difference, boolean agrees) {}

  /** The drift trend: an inline SVG chart and the same runs as a table. */
  public record Trend(
      int width,
      int height,
      List<Line> lines,
      List<Label> labels,
      String polyline,
      List<Dot> dots,
      List<TrendRow> rows) {}

  /** A line of the chart: an axis or a threshold. */
  public record Line(String x1, String y1, String x2, String y2, String cls) {}

  /** A text of the chart. */
  public record Label(String x, String y, String text, String anchor, String cls) {}

  /** A run in the chart, with its details as a tooltip. */
  public record Dot(String x, String y, String cls, String title) {}

  /** A run in the trend table. */
  public record TrendRow(
      String finished,
      String drift,
      String counts,
      String verdict,
      String verdictClass,
      boolean current) {}
}
