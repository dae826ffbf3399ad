package dev.shadowtest.reconcile;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * What to reconcile between the legacy and the candidate database: read from a YAML file ({@code
 * version: 1}) by {@link #load(Path)}.
 *
 * <pre>{@code
 * version: 1
 * legacy:    { jdbc: "jdbc:postgresql://old/shop", user: shop, passwordEnv: LEGACY_PASSWORD }
 * candidate: { jdbc: "jdbc:postgresql://new/shop", user: shop, passwordEnv: CANDIDATE_PASSWORD }
 * thresholds: { investigate: 0.01%, pause: 0.1% }     # the defaults
 * datasets:
 *   - name: orders
 *     legacy: { table: orders }
 *     candidate: { query: "SELECT id, total AS amount FROM orders2 ORDER BY id" }
 *     key: [id]
 *     columns:
 *       - status                                       # compared as it is
 *       - { name: amount, tolerance: 0.01 }
 *       - { name: note, trim: true, ignoreCase: true, emptyIsNull: true }
 *       - { name: created, timestampPrecision: seconds, candidateColumn: created_at }
 * aggregates:
 *   - name: open amount
 *     legacy: "SELECT sum(amount) FROM orders WHERE status = 'OPEN'"
 *     candidate: "SELECT sum(total) FROM orders2 WHERE status = 'OPEN'"
 *     tolerance: 0.01
 * }</pre>
 *
 * A {@code table:} side is read as {@code SELECT key..., columns... FROM table ORDER BY key}; a
 * {@code query:} side is run as written and must return the key and the columns by name, ordered
 * by the key (the order is checked while reading).
 *
 * @param source the file the spec was read from, as errors name it
 * @param legacy the legacy database
 * @param candidate the candidate database
 * @param thresholds drift above which a run is to be investigated or paused
 * @param datasets the row sets compared key by key
 * @param aggregates the business totals compared
 */
public record ReconcileSpec(
    String source,
    Database legacy,
    Database candidate,
    Thresholds thresholds,
    List<Dataset> datasets,
    List<Aggregate> aggregates) {

  public ReconcileSpec {
    datasets = List.copyOf(datasets);
    aggregates = List.copyOf(aggregates);
  }

  /** Reads a spec; passwords come from the process environment. */
  public static ReconcileSpec load(Path file) {
    return load(file, System.getenv());
  }

  /** Reads a spec, taking passwords from {@code env} (a missing variable is an error). */
  public static ReconcileSpec load(Path file, Map<String, String> env) {
    return SpecReader.read(file, env);
  }

  /**
   * A JDBC database, or a directory of CSV exports ({@code csv:}) that Shadow loads into an
   * embedded database, one table per {@code NAME.csv}; the password is never printed.
   *
   * @param jdbc the JDBC URL, or null for CSV exports
   * @param password from the variable named by {@code passwordEnv}, or null when none is named
   * @param csv the directory of CSV exports, or null for a JDBC database
   * @param delimiter the CSV field delimiter (a comma by default)
   */
  public record Database(String jdbc, String user, String password, Path csv, char delimiter) {
    /** A JDBC database. */
    public Database(String jdbc, String user, String password) {
      this(jdbc, user, password, null, ',');
    }

    /** How messages and reports name it: the JDBC URL (a password in it hidden) or the folder. */
    public String label() {
      return csv != null ? "csv:" + csv : Reconciler.hidePassword(jdbc);
    }

    @Override
    public String toString() {
      return "Database[" + label() + (user == null ? "" : ", user=" + user) + "]";
    }
  }

  /**
   * Drift thresholds, as fractions (0.0001 is 0.01%): above {@code investigate} a run is to be
   * looked into, above {@code pause} the migration paused.
   */
  public record Thresholds(double investigate, double pause) {
    /** The playbook's: 0.01% and 0.1%. */
    public static final Thresholds DEFAULTS = new Thresholds(0.0001, 0.001);
  }

  /**
   * Rows compared key by key.
   *
   * @param line the spec line the dataset starts on, for errors found while running it
   * @param checksum whether both sides are first counted and checksummed in their databases (when
   *     both are of one kind that Shadow can checksum), so that agreeing sides are not streamed
   * @param sensitiveKey the key's values are personal data: reports, the CSV and messages show
   *     each as a pseudonym ({@code #} and 16 hex digits of its SHA-256), never as it is
   */
  public record Dataset(
      String name,
      int line,
      Side legacy,
      Side candidate,
      List<String> key,
      List<Column> columns,
      boolean checksum,
      boolean sensitiveKey) {
    public Dataset {
      key = List.copyOf(key);
      columns = List.copyOf(columns);
    }
  }

  /** One side of a dataset: exactly one of a table name and a query. */
  public record Side(String table, String query) {}

  /**
   * A compared column and how its values are compared.
   *
   * @param candidateColumn the column's name on the candidate side (the same name by default)
   * @param tolerance the largest absolute numeric difference still equal, or null for exact
   * @param timestampPrecision the unit timestamps are truncated to before comparing, or null
   * @param emptyIsNull an empty string (after trimming, when trimmed) equals NULL
   * @param sensitive its values are never written to a report or CSV ({@code ***} instead)
   */
  public record Column(
      String name,
      String candidateColumn,
      boolean ignore,
      BigDecimal tolerance,
      boolean trim,
      boolean ignoreCase,
      ChronoUnit timestampPrecision,
      boolean emptyIsNull,
      boolean sensitive) {

    /** The column's name on the legacy side, or on the candidate side. */
    public String on(boolean candidate) {
      return candidate && candidateColumn != null ? candidateColumn : name;
    }
  }

  /**
   * A business total: each side's SQL returns one numeric value, or rows of (group, value).
   *
   * @param tolerance the largest absolute difference still equal (0 for exact)
   */
  public record Aggregate(
      String name, int line, String legacy, String candidate, BigDecimal tolerance) {}
}
