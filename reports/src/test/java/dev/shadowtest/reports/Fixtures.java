package dev.shadowtest.reports;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Test fixtures: the golden run directory, copied to a temp dir with its results gzipped. */
final class Fixtures {

  static final Path GOLDEN = Path.of("src/test/resources/golden");

  private Fixtures() {}

  /** A copy of {@code golden/run} in {@code dir}, as replay leaves it (results.jsonl.gz). */
  static Path goldenRun(Path dir) throws IOException {
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    for (String f : new String[] {"summary.json", "rules.yaml"}) {
      Files.copy(GOLDEN.resolve("run").resolve(f), run.resolve(f));
    }
    gzip(GOLDEN.resolve("run/results.jsonl"), run.resolve("results.jsonl.gz"));
    return run;
  }

  static void gzip(Path from, Path to) throws IOException {
    try (InputStream in = Files.newInputStream(from);
        OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
      in.transferTo(out);
    }
  }
}
