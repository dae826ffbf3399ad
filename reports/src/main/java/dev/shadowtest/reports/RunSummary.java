package dev.shadowtest.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.diff.run.SummaryJson;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@code summary.json} as read back (the counts the gate and the history need). Reading is
 * strict: a missing or mistyped field is an error naming the file and the field.
 *
 * @param file       where it was read from, or null
 * @param finishedAt when the run ended: the history files it under this instant's UTC day
 * @param recording  the recording(s) replayed
 * @param shard      {@code I/N} for the summary of one shard, else null
 * @param incomplete the run was stopped or aborted before the end of its recordings
 * @param aborted    why it was aborted, or null
 */
public record RunSummary(
    Path file,
    Instant startedAt,
    Instant finishedAt,
    String candidate,
    String recording,
    String shard,
    boolean incomplete,
    String aborted,
    long exchanges,
    long compared,
    long skipped,
    long discrepant,
    long errors,
    long serverErrors,
    List<Endpoint> endpoints) {

  public RunSummary {
    endpoints = List.copyOf(endpoints);
  }

  /** True when both summaries describe the same run (e.g. stored again after a new report). */
  public boolean sameRun(RunSummary o) {
    return startedAt.equals(o.startedAt)
        && finishedAt.equals(o.finishedAt)
        && candidate.equals(o.candidate)
        && Objects.equals(recording, o.recording)
        && Objects.equals(shard, o.shard);
  }

  /**
   * One endpoint's counts and its candidate p99 / baseline p99 (null when unknown), with the
   * exchanges behind that ratio (version 1 summaries did not say: their compared count stands in).
   */
  public record Endpoint(
      String endpoint,
      long exchanges,
      long compared,
      long skipped,
      long discrepant,
      long errors,
      long serverErrors,
      Double p99Ratio,
      long latencySamples) {

    public Endpoint(
        String endpoint,
        long exchanges,
        long compared,
        long skipped,
        long discrepant,
        long errors,
        long serverErrors,
        Double p99Ratio) {
      this(
          endpoint,
          exchanges,
          compared,
          skipped,
          discrepant,
          errors,
          serverErrors,
          p99Ratio,
          compared);
    }
  }

  public double discrepancyRate() {
    return compared == 0 ? 0.0 : (double) discrepant / compared;
  }

  public double errorRate() {
    long attempted = exchanges - skipped;
    return attempted == 0 ? 0.0 : (double) (errors + serverErrors) / attempted;
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Reads and checks {@code file}. */
  public static RunSummary read(Path file) {
    JsonNode n;
    try {
      n = MAPPER.readTree(file.toFile());
    } catch (NoSuchFileException | FileNotFoundException e) {
      throw new RecordingException(file, 0, "no such file");
    } catch (JsonProcessingException e) {
      throw new RecordingException(
          file,
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot read: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new RecordingException(file, 0, "not a summary: expected a JSON object");
    }
    int version = (int) number(file, n, "version");
    if (version < 1 || version > SummaryJson.VERSION) {
      throw new RecordingException(
          file,
          0,
          "summary version "
              + version
              + " is not supported (this Shadow reads versions 1 to "
              + SummaryJson.VERSION
              + ")");
    }
    List<Endpoint> endpoints = new ArrayList<>();
    JsonNode eps = n.get("endpoints");
    if (eps == null || !eps.isArray()) {
      throw new RecordingException(file, 0, "field \"endpoints\": expected an array");
    }
    int i = 0;
    for (JsonNode e : eps) {
      String where = "endpoints[" + i++ + "].";
      JsonNode ratio = e.path("latency").get("p99Ratio");
      JsonNode samples = e.path("latency").get("samples");
      long compared = number(file, e, "compared", where);
      endpoints.add(
          new Endpoint(
              text(file, e, "endpoint", where),
              number(file, e, "exchanges", where),
              compared,
              number(file, e, "skipped", where),
              number(file, e, "discrepant", where),
              number(file, e, "errors", where),
              number(file, e, "serverErrors", where),
              ratio != null && ratio.isNumber() ? ratio.asDouble() : null,
              samples != null && samples.canConvertToLong() ? samples.asLong() : compared));
    }
    return new RunSummary(
        file,
        instant(file, n, "startedAt"),
        instant(file, n, "finishedAt"),
        text(file, n, "candidate", ""),
        n.hasNonNull("recording") ? n.get("recording").asText() : null,
        n.hasNonNull("shard") ? n.get("shard").asText() : null,
        n.path("incomplete").asBoolean(false),
        n.hasNonNull("aborted") ? n.get("aborted").asText() : null,
        number(file, n, "exchanges"),
        number(file, n, "compared"),
        number(file, n, "skipped"),
        number(file, n, "discrepant"),
        number(file, n, "errors"),
        number(file, n, "serverErrors"),
        endpoints);
  }

  private static long number(Path file, JsonNode n, String field) {
    return number(file, n, field, "");
  }

  private static long number(Path file, JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      throw new RecordingException(
          file,
          0,
          "field \""
              + where
              + field
              + "\": expected a non-negative whole number"
              + (v == null ? ", it is missing" : ", got " + v));
    }
    return v.asLong();
  }

  private static String text(Path file, JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new RecordingException(
          file,
          0,
          "field \""
              + where
              + field
              + "\": expected a string"
              + (v == null ? ", it is missing" : ", got " + v));
    }
    return v.asText();
  }

  private static Instant instant(Path file, JsonNode n, String field) {
    String t = text(file, n, field, "");
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw new RecordingException(
          file, 0, "field \"" + field + "\": expected an ISO-8601 instant, got \"" + t + "\"");
    }
  }
}
