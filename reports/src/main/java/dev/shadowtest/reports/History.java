package dev.shadowtest.reports;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.diff.run.SummaryFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The run history that the multi-day gate reads: a directory of summaries, one per run, each
 * named after the UTC instant its run finished ({@code summary-2026-11-25T02-10-00Z.json}).
 * Other files in the directory are left alone.
 */
public final class History {

  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("'summary-'yyyy-MM-dd'T'HH-mm-ss'Z'").withZone(ZoneOffset.UTC);

  private History() {}

  /**
   * Stores a run's summary in {@code dir} (created if needed) under its UTC date-stamped name. A
   * summary of the same run stored before (same start, end, candidate, recording and shard: e.g.
   * the run reported again with other thresholds) is replaced, so a run never counts twice.
   */
  public static Path store(Path dir, Path summaryFile) {
    SummaryFile s = SummaryFile.read(summaryFile);
    try {
      Files.createDirectories(dir);
      byte[] bytes = Files.readAllBytes(summaryFile);
      for (Path existing : entries(dir)) {
        SummaryFile e;
        try {
          e = SummaryFile.read(existing);
        } catch (RecordingException unreadable) {
          continue; // named by runs() when the gate reads the history
        }
        if (e.sameRun(s)) {
          Path temp = SecureFiles.temporarySibling(existing);
          try (OutputStream out = SecureFiles.newOutputStream(temp)) {
            out.write(bytes);
          }
          SecureFiles.commit(temp, existing);
          return existing;
        }
      }
      String base = NAME.format(s.finishedAt());
      for (int i = 1; ; i++) {
        Path target = dir.resolve(i == 1 ? base + ".json" : base + "-" + i + ".json");
        try (OutputStream out = SecureFiles.newExclusiveOutputStream(target)) {
          out.write(
              bytes); // exclusive: two runs ending in the same second never overwrite each other
          return target;
        } catch (FileAlreadyExistsException taken) {
          // next suffix
        }
      }
    } catch (IOException e) {
      throw new RecordingException(
          dir, 0, "cannot store the run in the history: " + e.getMessage(), e);
    }
  }

  /**
   * Checks, before a run, that {@link #store} will be able to store its summary in {@code dir}:
   * a directory that can be written, or one that can be created (its nearest existing ancestor is
   * a directory that can be written; nothing is created now). A history that cannot be used is
   * bad input before anything is sent, not after hours of replay.
   */
  public static void requireUsable(Path dir) {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      throw new BadInputException(
          dir
              + (existing != null && existing.equals(dir.toAbsolutePath())
                  ? ": the --history given is not a directory"
                  : ": the --history directory cannot be created ("
                      + existing
                      + " is no directory)"));
    }
    if (!Files.isWritable(existing)) {
      throw new BadInputException(
          dir
              + (existing.equals(dir.toAbsolutePath())
                  ? ": the --history directory cannot be written"
                  : ": the --history directory cannot be created in " + existing));
    }
  }

  private static List<Path> entries(Path dir) throws IOException {
    return files(dir, "summary-");
  }

  /**
   * The regular files of a history directory named {@code PREFIX...json}, by name: a history
   * directory holds the replay runs ({@code summary-}) and the reconciliations ({@code
   * reconcile-}), each read by its own prefix.
   */
  public static List<Path> files(Path dir, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(
              p -> {
                String n = p.getFileName().toString();
                return n.startsWith(prefix) && n.endsWith(".json") && Files.isRegularFile(p);
              })
          .sorted()
          .toList();
    }
  }

  /** Every run in {@code dir}, oldest first; an unreadable summary is an error naming its file. */
  public static List<SummaryFile> runs(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new RecordingException(
          dir, 0, Files.exists(dir) ? "not a directory" : "no such history directory");
    }
    List<SummaryFile> out = new ArrayList<>();
    try {
      for (Path f : entries(dir)) {
        out.add(SummaryFile.read(f));
      }
    } catch (IOException e) {
      throw new RecordingException(dir, 0, "cannot list: " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(SummaryFile::finishedAt));
    return out;
  }
}
