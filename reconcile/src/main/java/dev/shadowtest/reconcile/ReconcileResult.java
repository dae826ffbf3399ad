package dev.shadowtest.reconcile;

import dev.shadowtest.reconcile.ReconcileSpec.Thresholds;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a reconciliation found: per dataset the counts, drift and a sample of differing rows; the
 * aggregates side by side; the overall drift and its verdict.
 *
 * @param thresholds the spec's, which {@link #verdict()} applies
 * @param startedAt when the run connected to the databases
 * @param finishedAt when the last dataset or aggregate was compared
 */
public record ReconcileResult(
    List<DatasetResult> datasets,
    List<AggregateResult> aggregates,
    Thresholds thresholds,
    Instant startedAt,
    Instant finishedAt) {

  /** At most this many differing rows are kept per dataset, the first in key order. */
  public static final int SAMPLE_SIZE = 100;

  public ReconcileResult {
    datasets = List.copyOf(datasets);
    aggregates = List.copyOf(aggregates);
  }

  /** What the drift calls for. */
  public enum Verdict {
    /** Drift at or below the investigate threshold and every aggregate within its tolerance. */
    OK,
    /** Drift above the investigate threshold (or an aggregate out of tolerance). */
    INVESTIGATE,
    /** Drift above the pause threshold. */
    PAUSE
  }

  /** Rows in the union of keys of every dataset. */
  public long union() {
    return datasets.stream().mapToLong(DatasetResult::union).sum();
  }

  /** Rows only on one side or changed, over every dataset. */
  public long differing() {
    return datasets.stream().mapToLong(DatasetResult::differing).sum();
  }

  /** {@link #differing()} / {@link #union()}, unrounded; 0 when there are no rows. */
  public double drift() {
    long union = union();
    return union == 0 ? 0 : (double) differing() / union;
  }

  /**
   * PAUSE when the overall drift or any dataset's is above the pause threshold, INVESTIGATE when
   * one is above the investigate threshold or an aggregate disagrees, OK otherwise.
   */
  public Verdict verdict() {
    double worst = drift();
    for (DatasetResult d : datasets) {
      worst = Math.max(worst, d.drift());
    }
    if (worst > thresholds.pause()) {
      return Verdict.PAUSE;
    }
    if (worst > thresholds.investigate() || aggregates.stream().anyMatch(a -> !a.agrees())) {
      return Verdict.INVESTIGATE;
    }
    return Verdict.OK;
  }

  /** How a dataset's checksums were used. */
  public enum Checksum {
    /**
     * Not computed, or of no use: turned off, the databases are not of one kind Shadow checksums,
     * the columns' types differ or are of a kind whose text is ambiguous, or the query failed.
     */
    NOT_USED,
    /** Counts and checksums agreed: the rows were confirmed without streaming them. */
    AGREED,
    /** They differed (or keys repeat or are NULL): the rows were streamed and compared. */
    DIFFERED
  }

  /**
   * One dataset compared.
   *
   * @param matched rows on both sides whose compared columns agree
   * @param changedByColumn for each compared column (legacy name), the rows where it differs
   * @param sample the first {@link #SAMPLE_SIZE} differing rows in key order
   * @param checksum whether the sides were confirmed by their checksums
   */
  public record DatasetResult(
      String name,
      long matched,
      long onlyLegacy,
      long onlyCandidate,
      long changed,
      Map<String, Long> changedByColumn,
      List<RowDifference> sample,
      Checksum checksum) {
    public DatasetResult {
      changedByColumn = Collections.unmodifiableMap(new LinkedHashMap<>(changedByColumn));
      sample = List.copyOf(sample);
    }

    /** This dataset's drift against the thresholds (aggregates are not a dataset's). */
    public Verdict verdict(Thresholds thresholds) {
      double d = drift();
      return d > thresholds.pause()
          ? Verdict.PAUSE
          : d > thresholds.investigate() ? Verdict.INVESTIGATE : Verdict.OK;
    }

    /** Rows in the union of keys. */
    public long union() {
      return matched + onlyLegacy + onlyCandidate + changed;
    }

    /** Rows only on one side or changed. */
    public long differing() {
      return onlyLegacy + onlyCandidate + changed;
    }

    /** {@link #differing()} / {@link #union()}, unrounded; 0 when there are no rows. */
    public double drift() {
      long union = union();
      return union == 0 ? 0 : (double) differing() / union;
    }
  }

  /** Where a differing row is. */
  public enum Kind {
    ONLY_LEGACY,
    ONLY_CANDIDATE,
    CHANGED
  }

  /**
   * A differing row: its key (values as text) and, when changed, the columns that differ.
   *
   * @param columns empty unless {@code kind} is CHANGED
   */
  public record RowDifference(Kind kind, List<String> key, List<ColumnDifference> columns) {
    public RowDifference {
      key = List.copyOf(key);
      columns = List.copyOf(columns);
    }
  }

  /**
   * A compared column's values on the two sides, as read (null for SQL NULL); {@code ***} for a
   * value of a sensitive column.
   */
  public record ColumnDifference(String column, String legacy, String candidate) {}

  /** An aggregate compared: one group (named "") for a single value, or one per group. */
  public record AggregateResult(String name, List<GroupResult> groups) {
    public AggregateResult {
      groups = List.copyOf(groups);
    }

    /**
     * Every group on both sides and within the tolerance, and at least one group (rows of (group,
     * value) that neither side returned tell nothing).
     */
    public boolean agrees() {
      return !groups.isEmpty() && groups.stream().allMatch(GroupResult::agrees);
    }
  }

  /**
   * An aggregate's value for one group on each side (null when the side has no such group or the
   * value is NULL).
   */
  public record GroupResult(
      String group, BigDecimal legacy, BigDecimal candidate, boolean agrees) {}
}
