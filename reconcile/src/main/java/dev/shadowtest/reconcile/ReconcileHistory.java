package dev.shadowtest.reconcile;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.reports.History;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The reconciliation runs that {@code shadow gate --reconciliation} reads: a directory of
 * summaries, one per run, named after the UTC instant its run finished ({@code
 * reconcile-2026-11-25T02-10-00Z.json}). It may be the replay runs' history directory too: each
 * reads only its own files.
 */
public final class ReconcileHistory {

  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("'reconcile-'yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC);

  private ReconcileHistory() {}

  /**
   * Stores a run's summary in {@code dir} (created if needed); the same run stored before is
   * replaced, so a run never counts twice.
   *
   * @return the file it was stored in
   */
  public static Path store(Path dir, ReconcileSummary s) {
    try {
      Files.createDirectories(dir);
      for (Path existing : entries(dir)) {
        ReconcileSummary e;
        try {
          e = ReconcileSummary.read(existing);
        } catch (BadInputException unreadable) {
          continue; // named by runs() when the gate reads the history
        }
        if (e.sameRun(s)) {
          s.write(existing);
          return existing;
        }
      }
      String base = NAME.format(s.finished());
      Path temp = SecureFiles.temporarySibling(dir.resolve(base + ".json"));
      s.write(temp);
      for (int i = 1; ; i++) {
        Path target = dir.resolve(i == 1 ? base + ".json" : base + "-" + i + ".json");
        // whole or not at all, and two runs ending in the same second never overwrite each other
        try {
          SecureFiles.commitNew(temp, target);
          return target;
        } catch (FileAlreadyExistsException taken) {
          // next suffix
        }
      }
    } catch (IOException e) {
      throw new BadInputException(
          dir + ": cannot store the run in the history: " + e.getMessage(), e);
    }
  }

  /** Every reconciliation run in {@code dir}, oldest first; an unreadable one is an error. */
  public static List<ReconcileSummary> runs(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(
          dir + ": " + (Files.exists(dir) ? "not a directory" : "no such history directory"));
    }
    List<ReconcileSummary> out = new ArrayList<>();
    try {
      for (Path f : entries(dir)) {
        out.add(ReconcileSummary.read(f));
      }
    } catch (IOException e) {
      throw new BadInputException(dir + ": cannot list: " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(ReconcileSummary::finished));
    return out;
  }

  /** Whether {@code dir} holds no reconciliation run (or cannot be listed). */
  public static boolean isEmpty(Path dir) {
    try {
      return entries(dir).isEmpty();
    } catch (IOException e) {
      return true;
    }
  }

  private static List<Path> entries(Path dir) throws IOException {
    return History.files(dir, "reconcile-");
  }
}
