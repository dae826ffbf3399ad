package dev.shadowtest.reconcile;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.reconcile.ReconcileSpec.Aggregate;
import dev.shadowtest.reconcile.ReconcileSpec.Database;
import dev.shadowtest.reconcile.ReconcileSpec.Dataset;
import dev.shadowtest.reconcile.ReconcileSpec.Side;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One side's database for a run: a JDBC connection, or for a folder of CSV exports an embedded
 * H2 database in a private temporary folder that the exports are loaded into (deleted on close).
 */
final class Source implements AutoCloseable {

  private final Connection connection;
  private final Path temporary;
  private final Thread cleanup;

  private Source(Connection connection, Path temporary, Thread cleanup) {
    this.connection = connection;
    this.temporary = temporary;
    this.cleanup = cleanup;
  }

  Connection connection() {
    return connection;
  }

  static Source open(ReconcileSpec spec, Database db, String side) {
    if (db.csv() == null) {
      return new Source(Reconciler.connect(db, side), null, null);
    }
    Path dir;
    try {
      dir =
          Files.createTempDirectory(
              "shadow-reconcile-" + side + "-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException | UnsupportedOperationException e) {
      throw new BadInputException(
          side + ": cannot create a temporary folder for the CSV exports: " + e.getMessage(), e);
    }
    // the copy of the exports goes even when the run is stopped (Ctrl-C, SIGTERM)
    Path copy = dir;
    Thread cleanup = new Thread(() -> delete(copy), "shadow-reconcile-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    Connection c = null;
    try {
      // a file database: the exports may be larger than the heap
      c =
          Reconciler.connect(
              new Database(
                  "jdbc:h2:file:"
                      + dir.resolve("exports")
                      + ";CASE_INSENSITIVE_IDENTIFIERS=TRUE;DB_CLOSE_ON_EXIT=FALSE",
                  "sa",
                  ""),
              side);
      c.setReadOnly(false);
      CsvTables.load(c, db, side, tables(spec, db, side));
      c.commit();
      c.setReadOnly(true);
      return new Source(c, dir, cleanup);
    } catch (SQLException e) {
      close(c, dir, cleanup);
      throw new BadInputException(
          side + ": loading the CSV exports failed: " + SideStream.firstLine(e), e);
    } catch (RuntimeException e) {
      close(c, dir, cleanup);
      throw e;
    }
  }

  /**
   * The tables a side needs, with the key columns to index them by (empty when none): every
   * {@code table:} of a dataset, and every {@code NAME.csv} whose name a query or an aggregate of
   * this side mentions.
   */
  private static Map<String, List<String>> tables(ReconcileSpec spec, Database db, String side) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    List<String> sql = new ArrayList<>();
    for (Dataset d : spec.datasets()) {
      Side s = side.equals("legacy") ? d.legacy() : d.candidate();
      if (s.table() != null) {
        out.put(s.table().toLowerCase(Locale.ROOT), d.key());
        if (CsvTables.find(db.csv(), s.table()) == null) {
          throw new BadInputException(
              spec.source()
                  + ":"
                  + d.line()
                  + ": dataset "
                  + d.name()
                  + ": "
                  + side
                  + ": no "
                  + s.table()
                  + ".csv in "
                  + db.csv());
        }
      } else {
        sql.add(s.query());
      }
    }
    for (Aggregate a : spec.aggregates()) {
      sql.add(side.equals("legacy") ? a.legacy() : a.candidate());
    }
    try (Stream<Path> files = Files.list(db.csv())) {
      for (Path f : files.sorted().toList()) {
        String n = f.getFileName().toString();
        if (!n.toLowerCase(Locale.ROOT).endsWith(".csv") || !Files.isRegularFile(f)) {
          continue;
        }
        String table = n.substring(0, n.length() - 4);
        if (!SpecReader.IDENTIFIER.matcher(table).matches() || table.contains(".")) {
          continue;
        }
        Pattern word =
            Pattern.compile("(?i)(?<![A-Za-z0-9_$])" + Pattern.quote(table) + "(?![A-Za-z0-9_$])");
        if (sql.stream().anyMatch(q -> word.matcher(q).find())) {
          out.putIfAbsent(table.toLowerCase(Locale.ROOT), List.of());
        }
      }
    } catch (IOException e) {
      throw new BadInputException(side + ": cannot list " + db.csv() + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public void close() {
    close(connection, temporary, cleanup);
  }

  private static void close(Connection c, Path dir, Thread cleanup) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        // a read-only session: nothing to lose
      }
    }
    if (dir != null) {
      delete(dir);
    }
    if (cleanup != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }

  private static void delete(Path dir) {
    try {
      SecureFiles.deleteTree(dir);
    } catch (IOException e) {
      // a temporary folder: left for the system to clean
    }
  }
}
