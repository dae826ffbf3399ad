package dev.shadowtest.reconcile;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.reconcile.ReconcileResult.AggregateResult;
import dev.shadowtest.reconcile.ReconcileResult.Checksum;
import dev.shadowtest.reconcile.ReconcileResult.ColumnDifference;
import dev.shadowtest.reconcile.ReconcileResult.DatasetResult;
import dev.shadowtest.reconcile.ReconcileResult.GroupResult;
import dev.shadowtest.reconcile.ReconcileResult.Kind;
import dev.shadowtest.reconcile.ReconcileResult.RowDifference;
import dev.shadowtest.reconcile.ReconcileSpec.Aggregate;
import dev.shadowtest.reconcile.ReconcileSpec.Column;
import dev.shadowtest.reconcile.ReconcileSpec.Database;
import dev.shadowtest.reconcile.ReconcileSpec.Dataset;
import dev.shadowtest.reconcile.SideStream.Row;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Compares the legacy and the candidate database as a {@link ReconcileSpec} says: each dataset by
 * a streamed merge join in key order (neither side is held in memory), each aggregate by its two
 * SQL statements.
 *
 * <pre>{@code
 * ReconcileResult r = Reconciler.run(ReconcileSpec.load(Path.of("reconcile.yaml")), System.err::println);
 * if (r.verdict() != Verdict.OK) { ... }
 * }</pre>
 */
public final class Reconciler {

  /** {@code password=...} parameters, {@code //user:password@host}, Oracle's {@code user/password@}. */
  /**
   * A {@code password=} parameter's value: up to the next {@code &} (PostgreSQL, MySQL) or the end
   * of the URL, {@code ;} included (PostgreSQL does not separate parameters with it, and a
   * password may hold one; a SQL Server URL's following parameters are hidden with it, which
   * loses nothing secret).
   */
  private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&\\s\"]*");

  private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?;]*:)[^@/]*@");

  private static final Pattern ORACLE = Pattern.compile("(?i)(:thin:[^/@:]*/)[^@]*@");

  private Reconciler() {}

  /**
   * Hears every differing row, in key order per dataset (the result keeps only a sample): for the
   * CSV of differences.
   */
  @FunctionalInterface
  public interface DifferenceListener {
    /**
     * @param dataset the dataset's name
     * @param row the row; values of sensitive columns are {@code ***} already
     */
    void difference(String dataset, RowDifference row);
  }

  /**
   * Runs every dataset and aggregate of {@code spec}.
   *
   * @param warnings hears what is worth knowing but no error (columns a query returns unused)
   * @throws BadInputException when a database cannot be reached, a query fails or a side's rows
   *     are not in key order or repeat a key; the message names the spec line, dataset and side
   */
  public static ReconcileResult run(ReconcileSpec spec, Consumer<String> warnings) {
    return run(spec, warnings, (dataset, row) -> {});
  }

  /**
   * Runs every dataset and aggregate of {@code spec}, telling {@code differences} each differing
   * row as it is found.
   *
   * @throws BadInputException as {@link #run(ReconcileSpec, Consumer)}
   */
  public static ReconcileResult run(
      ReconcileSpec spec, Consumer<String> warnings, DifferenceListener differences) {
    Instant started = Instant.now();
    try (Source legacySource = Source.open(spec, spec.legacy(), "legacy");
        Source candidateSource = Source.open(spec, spec.candidate(), "candidate")) {
      Connection legacy = legacySource.connection();
      Connection candidate = candidateSource.connection();
      List<DatasetResult> datasets = new ArrayList<>();
      for (Dataset d : spec.datasets()) {
        try {
          datasets.add(compare(spec.source(), d, legacy, candidate, warnings, differences));
        } finally {
          endTransaction(legacy);
          endTransaction(candidate);
        }
      }
      List<AggregateResult> aggregates = new ArrayList<>();
      for (Aggregate a : spec.aggregates()) {
        String where = spec.source() + ":" + a.line() + ": aggregate " + a.name();
        try {
          aggregates.add(
              aggregate(
                  a,
                  values(legacy, a.legacy(), where + ": legacy"),
                  values(candidate, a.candidate(), where + ": candidate")));
        } finally {
          endTransaction(legacy);
          endTransaction(candidate);
        }
      }
      return new ReconcileResult(datasets, aggregates, spec.thresholds(), started, Instant.now());
    }
  }

  /** A JDBC URL with any {@code password=} parameter's value hidden. */
  static String hidePassword(String text) {
    if (text == null) {
      return null;
    }
    String t = PASSWORD_PARAM.matcher(text).replaceAll("$1***");
    t = USER_INFO.matcher(t).replaceAll("$1***@");
    return ORACLE.matcher(t).replaceAll("$1***@");
  }

  static Connection connect(Database db, String side) {
    Properties p = new Properties();
    if (db.user() != null) {
      p.setProperty("user", db.user());
    }
    if (db.password() != null) {
      p.setProperty("password", db.password());
    }
    try {
      Connection c = DriverManager.getConnection(db.jdbc(), p);
      try {
        // PostgreSQL streams a result with a fetch size only inside a transaction
        c.setAutoCommit(false);
        c.setReadOnly(true);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      return c;
    } catch (SQLException e) {
      // drivers repeat the URL in their messages: a password in it is hidden there too
      String message = hidePassword(SideStream.firstLine(e));
      if (db.password() != null && !db.password().isEmpty()) {
        message = message.replace(db.password(), "***");
      }
      throw new BadInputException(
          side + ": cannot connect to " + hidePassword(db.jdbc()) + ": " + message);
    }
  }

  static void endTransaction(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      // a read-only transaction: nothing to undo
    }
  }

  static DatasetResult compare(
      String source,
      Dataset d,
      Connection legacyDb,
      Connection candidateDb,
      Consumer<String> warnings,
      DifferenceListener differences) {
    List<Column> compared = d.columns().stream().filter(c -> !c.ignore()).toList();
    String where = source + ":" + d.line() + ": dataset " + d.name() + ": ";
    Checksum checksum = Checksum.NOT_USED;
    if (d.checksum()
        && Checksums.sameKind(legacyDb, candidateDb)
        && Checksums.comparable(legacyDb, candidateDb, d, compared)) {
      // both databases at once, each on its own connection
      CompletableFuture<Checksums.Sum> candidateSum =
          CompletableFuture.supplyAsync(
              () -> Checksums.of(candidateDb, d, d.candidate(), compared, true),
              r -> {
                Thread t = new Thread(r, "shadow-reconcile-checksum");
                t.setDaemon(true);
                t.start();
              });
      Checksums.Sum l = Checksums.of(legacyDb, d, d.legacy(), compared, false);
      Checksums.Sum c = candidateSum.join();
      if (l != null && c != null) {
        if (l.confirms(c)) {
          return new DatasetResult(
              d.name(), l.rows(), 0, 0, 0, Map.of(), List.of(), Checksum.AGREED);
        }
        checksum = Checksum.DIFFERED;
      }
      endTransaction(legacyDb);
      endTransaction(candidateDb);
    }
    long matched = 0;
    long onlyLegacy = 0;
    long onlyCandidate = 0;
    long changed = 0;
    long[] byColumn = new long[compared.size()];
    List<RowDifference> sample = new ArrayList<>();
    // H2 (and CSV exports) order text by UTF-16 code unit; PostgreSQL's COLLATE "C" by code point
    boolean utf16 = Databases.isH2(legacyDb) && Databases.isH2(candidateDb);
    try (Prefetch legacy =
            new Prefetch(
                new SideStream(
                    legacyDb, d, d.legacy(), compared, false, utf16, where + "legacy", warnings),
                "legacy");
        Prefetch candidate =
            new Prefetch(
                new SideStream(
                    candidateDb,
                    d,
                    d.candidate(),
                    compared,
                    true,
                    utf16,
                    where + "candidate",
                    warnings),
                "candidate")) {
      Row l = legacy.next();
      Row c = candidate.next();
      while (l != null || c != null) {
        if (l != null && c != null) {
          sameKinds(d, l.key(), c.key(), where);
        }
        int order = l == null ? 1 : c == null ? -1 : Values.compareKeys(l.key(), c.key(), utf16);
        if (order < 0) {
          onlyLegacy++;
          tell(
              d,
              sample,
              differences,
              new RowDifference(
                  Kind.ONLY_LEGACY, Values.keyText(l.key(), d.sensitiveKey()), List.of()));
          l = legacy.next();
        } else if (order > 0) {
          onlyCandidate++;
          tell(
              d,
              sample,
              differences,
              new RowDifference(
                  Kind.ONLY_CANDIDATE, Values.keyText(c.key(), d.sensitiveKey()), List.of()));
          c = candidate.next();
        } else {
          List<ColumnDifference> differ = new ArrayList<>();
          for (int i = 0; i < compared.size(); i++) {
            Column col = compared.get(i);
            // a text against a date, time or boolean (a CSV export against a database): parsed
            Object a = Values.align(l.values()[i], c.values()[i]);
            Object b = Values.align(c.values()[i], l.values()[i]);
            if (!Values.same(Values.ruled(a, col), Values.ruled(b, col), col)) {
              byColumn[i]++;
              differ.add(
                  new ColumnDifference(
                      col.name(), shown(l.values()[i], col), shown(c.values()[i], col)));
            }
          }
          if (differ.isEmpty()) {
            matched++;
          } else {
            changed++;
            tell(
                d,
                sample,
                differences,
                new RowDifference(Kind.CHANGED, Values.keyText(l.key(), d.sensitiveKey()), differ));
          }
          l = legacy.next();
          c = candidate.next();
        }
      }
    }
    Map<String, Long> changedByColumn = new LinkedHashMap<>();
    for (int i = 0; i < compared.size(); i++) {
      if (byColumn[i] > 0) {
        changedByColumn.put(compared.get(i).name(), byColumn[i]);
      }
    }
    return new DatasetResult(
        d.name(), matched, onlyLegacy, onlyCandidate, changed, changedByColumn, sample, checksum);
  }

  /** A value for reports: {@code ***} when the column is sensitive (NULL stays NULL). */
  private static String shown(Object v, Column c) {
    return v == null ? null : c.sensitive() ? "***" : Values.show(v);
  }

  /**
   * Keys of different kinds on the two sides (a number and a text) are ordered differently by
   * each database: comparing them would miscount, so they are refused.
   */
  private static void sameKinds(
      Dataset d, List<Object> legacy, List<Object> candidate, String where) {
    for (int i = 0; i < legacy.size(); i++) {
      Object a = legacy.get(i);
      Object b = candidate.get(i);
      if (a.getClass() != b.getClass()) {
        throw new BadInputException(
            where
                + "key column "
                + d.key().get(i)
                + " is "
                + kind(a)
                + " on legacy and "
                + kind(b)
                + " on candidate (keys "
                + SideStream.show(legacy, d.sensitiveKey())
                + " and "
                + SideStream.show(candidate, d.sensitiveKey())
                + "): cast one side in a query so that both order it alike");
      }
    }
  }

  private static String kind(Object v) {
    return v instanceof BigDecimal
        ? "a number"
        : v instanceof String ? "text" : "a " + v.getClass().getSimpleName();
  }

  private static void tell(
      Dataset d, List<RowDifference> sample, DifferenceListener differences, RowDifference r) {
    if (sample.size() < ReconcileResult.SAMPLE_SIZE) {
      sample.add(r);
    }
    differences.difference(d.name(), r);
  }

  /** How a NULL group is named: not a text a group column is likely to hold. */
  static final String NULL_GROUP = "(NULL)";

  /** An aggregate's values by group: "" for a single value. */
  static Map<String, BigDecimal> values(Connection db, String sql, String where) {
    Map<String, BigDecimal> out = new TreeMap<>(Values::compareCodePoints);
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      if (columns != 1 && columns != 2) {
        throw new BadInputException(
            where + ": expected one value or rows of (group, value), got " + columns + " columns");
      }
      while (rs.next()) {
        if (columns == 1) {
          if (!out.isEmpty()) {
            throw new BadInputException(
                where + ": expected one value, got several rows (add a group column)");
          }
          out.put("", rs.getBigDecimal(1));
        } else {
          String g = rs.getString(1);
          String group = g == null ? NULL_GROUP : g;
          if (out.containsKey(group)) {
            throw new BadInputException(where + ": group " + group + " returned twice");
          }
          out.put(group, rs.getBigDecimal(2));
        }
      }
    } catch (SQLException e) {
      throw new BadInputException(
          where + ": query failed: " + SideStream.firstLine(e) + " (SQL: " + sql + ")", e);
    }
    return out;
  }

  static AggregateResult aggregate(
      Aggregate a, Map<String, BigDecimal> legacy, Map<String, BigDecimal> candidate) {
    TreeSet<String> groups = new TreeSet<>(Values::compareCodePoints);
    groups.addAll(legacy.keySet());
    groups.addAll(candidate.keySet());
    List<GroupResult> out = new ArrayList<>();
    for (String g : groups) {
      BigDecimal l = legacy.get(g);
      BigDecimal c = candidate.get(g);
      boolean agrees =
          l == null || c == null
              ? l == c && legacy.containsKey(g) && candidate.containsKey(g)
              : l.subtract(c).abs().compareTo(a.tolerance()) <= 0;
      out.add(new GroupResult(g, l, c, agrees));
    }
    return new AggregateResult(a.name(), out);
  }
}
