package dev.shadowtest.reports.internal;

import java.util.List;

/**
 * Everything {@code report.jte} shows, already computed and formatted: the template only lays it
 * out, and jte escapes every value for its HTML context. Public only because the compiled
 * template lives in jte's package.
 */
public record ReportModel(
    String title,
    boolean passed,
    String rate,
    String gate,
    List<String> failures,
    String incomplete,
    List<Item> counts,
    List<Item> info,
    List<TriggerRow> triggers,
    String triggersNote,
    List<EndpointRow> endpoints,
    List<EndpointDetail> details,
    Chart latencyChart,
    Chart trendChart,
    String trendNote,
    String css,
    String js,
    String csp,
    String generatedAt) {

  /** A label and its value. */
  public record Item(String label, String value) {}

  /**
   * One event of the run's rollback triggers (triggers.jsonl): when, which trigger, {@code fired}
   * or {@code cleared}, the value against the threshold, the window and the trigger's {@code for}.
   */
  public record TriggerRow(
      String time,
      String trigger,
      String kind,
      String comparison,
      String window,
      String forDuration) {}

  /** One row of the endpoint table; {@code *Sort} values order the columns numerically. */
  public record EndpointRow(
      String anchor,
      String name,
      long exchanges,
      long compared,
      long discrepant,
      String rate,
      double rateSort,
      long errors,
      long serverErrors,
      String recordedP50,
      String recordedP99,
      String candidateP50,
      String candidateP99,
      String ratio,
      double ratioSort,
      String threshold,
      boolean failing) {}

  /** The per-endpoint section: differing fields, accepted differences, rewrites and sample exchanges. */
  public record EndpointDetail(
      String anchor,
      String name,
      String rate,
      String counts,
      List<FieldRow> fields,
      int moreFields,
      List<AcceptedRow> accepted,
      String rewrites,
      List<SampleView> samples,
      String samplesNote,
      List<ErrorRow> errors) {}

  /** A field and kind of difference the rules accept, with their reason: listed, never counted. */
  public record AcceptedRow(List<String> path, String type, long count, String reason) {}

  /** An exchange the candidate did not answer. */
  public record ErrorRow(String id, String target, String error) {}

  /** One differing field of an endpoint; {@code path} in pieces that may wrap between them. */
  public record FieldRow(List<String> path, String type, long count, long noise, boolean real) {}

  /** One exchange shown side by side. */
  public record SampleView(
      boolean open,
      String id,
      String requestLine,
      List<HeaderLine> requestHeaders,
      List<BodyLine> requestBody,
      String baselineSource,
      Side expected,
      Side actual,
      List<DiffRow> differences) {}

  /** One response of a sample. */
  public record Side(
      String statusLine,
      boolean statusHighlighted,
      List<HeaderLine> headers,
      List<BodyLine> body,
      String note) {}

  public record HeaderLine(String name, String value, boolean highlighted) {}

  public record BodyLine(String text, boolean highlighted) {}

  /** One difference of a sample: how it counts is {@code counts}, {@code noise} or {@code accepted}. */
  public record DiffRow(
      List<String> path,
      String type,
      String expected,
      String actual,
      String standing,
      String reason) {}

  /** An inline SVG chart as primitives (numbers and texts; the template writes the elements). */
  public record Chart(
      int width,
      int height,
      List<Rect> rects,
      List<Line> lines,
      List<Label> labels,
      String polyline,
      List<Dot> dots) {}

  public record Rect(double x, double y, double w, double h, String cls, String title) {}

  public record Line(double x1, double y1, double x2, double y2, String cls) {}

  public record Label(double x, double y, String text, String anchor, String cls) {}

  public record Dot(double x, double y, String cls, String title) {}
}
