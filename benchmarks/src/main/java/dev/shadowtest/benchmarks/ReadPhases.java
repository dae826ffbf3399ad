package dev.shadowtest.benchmarks;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.internal.LineSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * What reading a recording costs, phase by phase, per exchange: gunzip alone, gunzip and the
 * split into lines ({@link LineSource}), and the whole {@link RecordingReader} (lines, Jackson,
 * the model). Each phase reads the whole file {@code passes} times in one JVM and prints every
 * pass; the last passes are the compiled code's.
 *
 * <p>Not JMH: one pass of a 20 KB-body recording takes seconds, and the phases are meant to be
 * told apart, not measured to the nanosecond. To compare two builds of shadow-core, put the
 * other build's classes first on the class path.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.shadowtest.benchmarks.ReadPhases REC.jsonl.gz [PASSES=5]
 * </pre>
 */
public final class ReadPhases {

  private ReadPhases() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ReadPhases RECORDING.jsonl.gz [PASSES]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    long exchanges = 0;
    try (RecordingReader r = RecordingReader.open(file)) {
      while (r.hasNext()) {
        r.next();
        exchanges++;
      }
    }
    for (String phase : new String[] {"gunzip", "lines", "reader"}) {
      for (int pass = 1; pass <= passes; pass++) {
        long start = System.nanoTime();
        long sink = run(phase, file);
        long ns = System.nanoTime() - start;
        System.out.printf(
            Locale.ROOT,
            "%-7s pass %d: %,9.0f ns per exchange (%d exchanges; %d)%n",
            phase,
            pass,
            ns / (double) exchanges,
            exchanges,
            sink);
      }
    }
  }

  private static long run(String phase, Path file) throws IOException {
    long sink = 0;
    switch (phase) {
      case "gunzip" -> {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
          byte[] b = new byte[1 << 16];
          for (int n = in.read(b); n >= 0; n = in.read(b)) {
            sink += n;
          }
        }
      }
      case "lines" -> {
        try (LineSource lines =
            new LineSource(new GZIPInputStream(Files.newInputStream(file), 1 << 16))) {
          while (lines.next()) {
            sink += lines.lineLength();
          }
        }
      }
      default -> {
        try (RecordingReader r = RecordingReader.open(file)) {
          while (r.hasNext()) {
            Exchange e = r.next();
            sink += e.id().length();
          }
        }
      }
    }
    return sink;
  }
}
