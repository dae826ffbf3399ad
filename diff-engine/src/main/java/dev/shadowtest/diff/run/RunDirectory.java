package dev.shadowtest.diff.run;

import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.core.SourcePositions;
import dev.shadowtest.diff.Rules;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The names of a run directory's files and its rules copy (docs/run-format.md): every module
 * that reads or writes a run directory takes them from here.
 */
public final class RunDirectory {

  public static final String SUMMARY = "summary.json";
  public static final String RESULTS = ResultsFile.NAME;
  public static final String SAMPLES = SamplesFile.NAME;
  public static final String RESPONSES = ResponsesFile.NAME;
  public static final String CSV = "discrepancies.csv";
  public static final String HTML = "report.html";
  public static final String RULES = "rules.yaml";
  public static final String TRIGGERS = TriggersFile.NAME;

  /** What share of a partitioned source (a Kafka topic) a run finished ({@link SourcePositions}). */
  public static final String POSITIONS = SourcePositions.FILE;

  /** Every file a run directory holds. */
  public static final List<String> FILES =
      List.of(SUMMARY, RESULTS, SAMPLES, RESPONSES, CSV, HTML, RULES, TRIGGERS, POSITIONS);

  private RunDirectory() {}

  /** Keeps a copy of {@code rules} in {@code dir} (0600); the defaults need none. */
  public static void writeRules(Path dir, Rules rules) {
    if (rules.yaml() == null) {
      return;
    }
    Path file = dir.resolve(RULES);
    try (OutputStream out = SecureFiles.newOutputStream(file)) {
      out.write(rules.yaml().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot write: " + e.getMessage(), e);
    }
  }

  /** The rules {@code dir} was judged by: its copy, or the defaults when it has none. */
  public static Rules rulesOf(Path dir) {
    Path f = dir.resolve(RULES);
    return Files.exists(f) ? Rules.load(f) : Rules.defaults();
  }
}
