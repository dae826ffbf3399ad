package dev.shadowtest.reports;

import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.internal.SecureFiles;
import java.io.IOException;
import java.io.OutputStream;
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

  /** Copies a run's summary into {@code dir} (created if needed) under its UTC date-stamped name. */
  public static Path store(Path dir, Path summaryFile) {
    RunSummary s = RunSummary.read(summaryFile);
    try {
      Files.createDirectories(dir);
      byte[] bytes = Files.readAllBytes(summaryFile);
      String base = NAME.format(s.finishedAt());
      Path target = dir.resolve(base + ".json");
      for (int i = 2; Files.exists(target); i++) {
        if (java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
          return target; // the same run stored again (e.g. shadow report after replay --history)
        }
        target = dir.resolve(base + "-" + i + ".json");
      }
      try (OutputStream out = SecureFiles.newOutputStream(target)) {
        out.write(bytes);
      }
      return target;
    } catch (IOException e) {
      throw new RecordingException(dir, 0, "cannot store the run in the history: " + e.getMessage(), e);
    }
  }

  /** Every run in {@code dir}, oldest first; an unreadable summary is an error naming its file. */
  public static List<RunSummary> runs(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new RecordingException(dir, 0, Files.exists(dir) ? "not a directory" : "no such history directory");
    }
    List<RunSummary> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith("summary-") && n.endsWith(".json") && Files.isRegularFile(p);
      }).sorted().toList()) {
        out.add(RunSummary.read(f));
      }
    } catch (IOException e) {
      throw new RecordingException(dir, 0, "cannot list: " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(RunSummary::finishedAt));
    return out;
  }
}
