package dev.shadowtest.benchmarks;

import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.FieldKey;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ResultLine;
import dev.shadowtest.diff.run.ResultsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Writing a run's {@code results.jsonl.gz} (what a replay pays per exchange) and reading it back
 * ({@link ResultsFile#read}: what the end of every replay (the summary's CSV and HTML outputs),
 * {@code shadow report}, {@code merge} and re-judging pay per exchange). 100,000 lines as a replay writes them: 99% matches, 1% with two differences.
 * Score: milliseconds per file; divide by 100,000 for a line.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResultsReadBenchmark {

  static final int LINES = 100_000;

  @State(Scope.Benchmark)
  public static class Run {
    Path file;
    Path scratch;
    ResultLine[] lines = new ResultLine[LINES];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      file = Files.createTempFile("results", ".jsonl.gz");
      scratch = Files.createTempFile("written", ".jsonl.gz");
      for (int i = 0; i < LINES; i++) {
        boolean differs = i % 100 == 0;
        lines[i] =
            new ResultLine(
                "b" + i,
                "GET /api/orders/{id}",
                "GET",
                "/api/orders/" + i + "?expand=lines",
                differs ? Verdict.DIFFERENT : Verdict.MATCH,
                200,
                null,
                200,
                1_000L + i % 977,
                null,
                900L + i % 1_231,
                null,
                differs
                    ? List.of(
                        new Difference("$.total", "$.total", DifferenceType.VALUE, "10.50", "10.5"),
                        new Difference(
                            "header:ETag", "header:etag", DifferenceType.MISSING, "\"x\"", null))
                    : List.of(),
                differs ? Set.of(new FieldKey("$.ts", DifferenceType.VALUE)) : Set.of(),
                false,
                false,
                List.of());
      }
      try (ResultsFile out = ResultsFile.create(file)) {
        for (ResultLine l : lines) {
          out.write(l);
        }
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      try {
        Files.deleteIfExists(file);
        Files.deleteIfExists(scratch);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Benchmark
  public void read(Run r, Blackhole bh) {
    ResultsFile.read(r.file, bh::consume);
  }

  /** Writing the same lines (JSON, gzip at the fastest level), as a replay does one by one. */
  @Benchmark
  public void write(Run r) throws IOException {
    Files.deleteIfExists(r.scratch);
    try (ResultsFile out = ResultsFile.create(r.scratch)) {
      for (ResultLine l : r.lines) {
        out.write(l);
      }
    }
  }
}
