package dev.shadowtest.reconcile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.reconcile.ReconcileResult.AggregateResult;
import dev.shadowtest.reconcile.ReconcileResult.DatasetResult;
import dev.shadowtest.reconcile.ReconcileResult.GroupResult;
import dev.shadowtest.reconcile.ReconcileResult.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A reconciliation run as {@code summary.json} holds it (docs/reconcile.md): what was compared,
 * the counts and drift per dataset and overall (unrounded), the aggregates, the verdict; what the
 * history keeps and {@code shadow gate --reconciliation} reads. The differing rows are in the CSV
 * and the report, never here.
 *
 * @param format always {@value #FORMAT}
 * @param startedAt when the run started, an ISO-8601 instant
 * @param finishedAt when it finished, likewise
 * @param version the format's version, {@value #VERSION}
 * @param spec the spec file
 * @param legacy the legacy database as reports name it (a password in its URL hidden)
 * @param candidate the candidate database, likewise
 * @param drift (only legacy + only candidate + changed) / union, over every dataset
 * @param differences the differing rows written to the CSV
 * @param differencesOmitted differing rows past the CSV's limit, counted but not written
 * @param error for a run that failed (bad input, an unreachable database, a bug): why, and no
 *     counts and no verdict; null for a run that compared (the history keeps failed runs, so that
 *     a failed night never passes the gate)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReconcileSummary(
    String format,
    int version,
    String startedAt,
    String finishedAt,
    String spec,
    String legacy,
    String candidate,
    Thresholds thresholds,
    Verdict verdict,
    long union,
    long differing,
    double drift,
    List<Dataset> datasets,
    List<Aggregate> aggregates,
    long differences,
    long differencesOmitted,
    String error) {

  /** The {@code format} of every summary. */
  public static final String FORMAT = "shadow-reconcile-summary";

  /** The version this Shadow writes and reads. */
  public static final int VERSION = 1;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  public ReconcileSummary {
    datasets = datasets == null ? List.of() : List.copyOf(datasets);
    aggregates = aggregates == null ? List.of() : List.copyOf(aggregates);
  }

  /** The thresholds the verdict applied. */
  public record Thresholds(double investigate, double pause) {}

  /** One dataset's counts. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Dataset(
      String name,
      long matched,
      long onlyLegacy,
      long onlyCandidate,
      long changed,
      long union,
      double drift,
      Verdict verdict,
      ReconcileResult.Checksum checksum,
      Map<String, Long> changedByColumn) {
    public Dataset {
      changedByColumn = changedByColumn == null ? Map.of() : changedByColumn;
    }

    /** Rows only on one side or changed. */
    public long differing() {
      return onlyLegacy + onlyCandidate + changed;
    }
  }

  /** One aggregate, per group ("" for a single value). */
  public record Aggregate(String name, boolean agrees, List<Group> groups) {
    public Aggregate {
      groups = groups == null ? List.of() : List.copyOf(groups);
    }
  }

  /** An aggregate's values for one group (null when missing or NULL). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Group(String group, BigDecimal legacy, BigDecimal candidate, boolean agrees) {}

  /** The summary of a run of {@code spec}. */
  public static ReconcileSummary of(
      ReconcileSpec spec, ReconcileResult r, long differences, long differencesOmitted) {
    List<Dataset> datasets = new ArrayList<>();
    for (DatasetResult d : r.datasets()) {
      datasets.add(
          new Dataset(
              d.name(),
              d.matched(),
              d.onlyLegacy(),
              d.onlyCandidate(),
              d.changed(),
              d.union(),
              d.drift(),
              d.verdict(r.thresholds()),
              d.checksum(),
              d.changedByColumn()));
    }
    List<Aggregate> aggregates = new ArrayList<>();
    for (AggregateResult a : r.aggregates()) {
      List<Group> groups = new ArrayList<>();
      for (GroupResult g : a.groups()) {
        groups.add(new Group(g.group(), g.legacy(), g.candidate(), g.agrees()));
      }
      aggregates.add(new Aggregate(a.name(), a.agrees(), groups));
    }
    return new ReconcileSummary(
        FORMAT,
        VERSION,
        r.startedAt().toString(),
        r.finishedAt().toString(),
        spec.source(),
        spec.legacy().label(),
        spec.candidate().label(),
        new Thresholds(r.thresholds().investigate(), r.thresholds().pause()),
        r.verdict(),
        r.union(),
        r.differing(),
        r.drift(),
        datasets,
        aggregates,
        differences,
        differencesOmitted,
        null);
  }

  /**
   * A run that failed before it had a result.
   *
   * @param legacy the legacy side's label, or null when the spec could not be read
   */
  public static ReconcileSummary failed(
      String spec,
      String legacy,
      String candidate,
      Instant started,
      Instant finished,
      String error) {
    return new ReconcileSummary(
        FORMAT,
        VERSION,
        started.toString(),
        finished.toString(),
        spec,
        legacy,
        candidate,
        null,
        null,
        0,
        0,
        0,
        List.of(),
        List.of(),
        0,
        0,
        error);
  }

  /** Whether the run failed ({@link #error()} says why). */
  public boolean isFailed() {
    return error != null;
  }

  /** The highest drift of the run: overall or of any dataset. */
  public double worstDrift() {
    double worst = drift;
    for (Dataset d : datasets) {
      worst = Math.max(worst, d.drift());
    }
    return worst;
  }

  /** Writes it to {@code file} (owner-only, replaced atomically). */
  public void write(Path file) {
    try {
      Path temp = SecureFiles.temporarySibling(file);
      try (OutputStream out = SecureFiles.newOutputStream(temp)) {
        JSON.writeValue(out, this);
      }
      SecureFiles.commit(temp, file);
    } catch (IOException e) {
      throw new BadInputException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a summary; anything else is an error naming the file. */
  public static ReconcileSummary read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadInputException(file + ": no such file");
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    }
    ReconcileSummary s;
    try {
      s = JSON.readValue(bytes, ReconcileSummary.class);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new BadInputException(
          file
              + ":"
              + line
              + ": not a reconciliation summary: "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (s == null || !FORMAT.equals(s.format())) {
      throw new BadInputException(
          file + ": not a reconciliation summary (expected \"format\": \"" + FORMAT + "\")");
    }
    if (s.version() != VERSION) {
      throw new BadInputException(
          file + ": summary version " + s.version() + " (this Shadow reads " + VERSION + ")");
    }
    if (s.finishedAt() == null || s.verdict() == null && s.error() == null) {
      throw new BadInputException(file + ": finishedAt or verdict missing");
    }
    try {
      s.finished();
    } catch (DateTimeParseException e) {
      throw new BadInputException(file + ": finishedAt is not an instant: " + s.finishedAt(), e);
    }
    return s;
  }

  /** When the run finished (which day of the history it counts for). */
  public Instant finished() {
    return Instant.parse(finishedAt);
  }

  /** The same run (its start, end and spec): stored again it replaces itself in the history. */
  public boolean sameRun(ReconcileSummary o) {
    return Objects.equals(startedAt, o.startedAt)
        && Objects.equals(finishedAt, o.finishedAt)
        && Objects.equals(spec, o.spec);
  }
}
