package dev.shadowtest.diff.run;

import dev.shadowtest.diff.Judgement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One output of a run directory, written from its results once their judgement is final:
 * {@code summary.json}, {@code discrepancies.csv} and {@code report.html} are implementations,
 * and a new format is one more class. {@link RunOutputs#write} calls {@link #begin} once, {@link
 * #offer} for every result line in file order, then {@link #finish}; the summary comes last, so a
 * run interrupted while its outputs are written keeps the summary it had.
 *
 * <pre>{@code
 * final class CountingOutput implements RunOutput {
 *   private Path file;
 *   private long discrepant;
 *   public String fileName() { return "discrepant.txt"; }
 *   public void begin(RunView run) { file = run.out().resolve(fileName()); }
 *   public void offer(ResultLine line, String endpoint, Judgement.Judged judged) {
 *     if (judged.discrepant()) discrepant++;
 *   }
 *   public Path finish() throws IOException {
 *     SecureFiles.writeString(file, discrepant + "\n");
 *     return file;
 *   }
 * }
 * }</pre>
 *
 * Register one on a replay with {@code ReplayConfig.withOutputs}, or on a report with {@code
 * Reports.Options.withOutputs}. An output is used for one run: create a new one for each.
 */
public interface RunOutput {

  /** The name of the file it writes in the output directory. */
  String fileName();

  /** Before the first line: what the run was, and its final counts. */
  void begin(RunView run) throws IOException;

  /**
   * One result line, with its endpoint as the summary names it (collapsed) and its final
   * judgement (which differences count, are noise, accepted).
   */
  void offer(ResultLine line, String endpoint, Judgement.Judged judged) throws IOException;

  /** After the last line: writes the file and returns where it is. */
  Path finish() throws IOException;

  /** Problems worth telling once it is written (e.g. rows left out); none by default. */
  default List<String> warnings() {
    return List.of();
  }
}
