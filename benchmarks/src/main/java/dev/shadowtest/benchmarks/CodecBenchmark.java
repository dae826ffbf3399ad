package dev.shadowtest.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The recording codec against raw Jackson streaming, one full pass over a 100,000-exchange
 * recording per operation.
 *
 * <ul>
 *   <li>{@code readShadow}: {@link RecordingReader} materializes every {@link Exchange}.
 *   <li>{@code readRawJackson} (reference): one {@link JsonParser} over the same (gunzipped) byte
 *       stream, same buffering, every token read and every value touched; no model.
 *   <li>{@code writeShadow}: {@link RecordingWriter} writes the in-memory exchanges.
 *   <li>{@code writeRawJackson} (reference): the same bytes replayed from a pre-tokenized tape
 *       into one {@link JsonGenerator}, same gzip/buffering; no model.
 * </ul>
 *
 * <p>Throughput of Shadow as a share of raw Jackson = raw ms/op ÷ Shadow ms/op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 15)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class CodecBenchmark {

  /** Exchanges in the generated recording. */
  public static final int EXCHANGES = 100_000;

  /** Same buffer sizes as RecordingReader / RecordingWriter. */
  private static final int BUFFER = 1 << 16;

  /** Configured like the codec's own factory (large bodies allowed). */
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxStringLength(Integer.MAX_VALUE)
                  .maxNestingDepth(64)
                  .build())
          .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(64).build())
          .build();

  @Param({"jsonl", "jsonl.gz"})
  public String format;

  private Path dir;
  private Path recording;
  private Path output;
  private RecordingHeader header;

  /** Only for writeShadow. */
  private List<Exchange> exchanges;

  /** Only for writeRawJackson. */
  private TokenTape tape;

  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) throws IOException {
    String benchmark = params.getBenchmark();
    boolean keepExchanges = benchmark.endsWith(".writeShadow");
    boolean needTape = benchmark.endsWith(".writeRawJackson");

    dir = Files.createTempDirectory("shadow-codec-bench");
    recording = dir.resolve("recording." + format);
    output = dir.resolve("out." + format);
    header =
        new RecordingHeader(
            RecordingHeader.FORMAT,
            RecordingHeader.CURRENT_VERSION,
            Instant.parse("2026-11-24T10:00:00Z"),
            "benchmark",
            Redaction.defaults());

    TrafficGenerator traffic = new TrafficGenerator(TrafficGenerator.SEED);
    exchanges = keepExchanges ? new ArrayList<>(EXCHANGES) : null;
    try (RecordingWriter w = RecordingWriter.create(recording, header)) {
      for (int i = 0; i < EXCHANGES; i++) {
        Exchange e = traffic.next();
        w.write(e);
        if (keepExchanges) {
          exchanges.add(e);
        }
      }
    }

    CRC32 contentCrc = new CRC32();
    long contentBytes = 0;
    try (InputStream in = openInput(recording)) {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = in.read(buf)) >= 0; ) {
        contentCrc.update(buf, 0, n);
        contentBytes += n;
      }
    }
    System.out.printf(
        "%nrecording %s: %d exchanges, %.1f MB on disk, %.1f MB of JSON%n",
        recording.getFileName(), EXCHANGES, Files.size(recording) / 1e6, contentBytes / 1e6);

    if (needTape) {
      try (InputStream in = openInput(recording);
          JsonParser p = FACTORY.createParser(in)) {
        tape = TokenTape.record(p);
      }
      // The reference must produce exactly the bytes Shadow wrote, or the comparison is void.
      CRC32 replayCrc = new CRC32();
      try (JsonGenerator g =
          FACTORY.createGenerator(
              new CheckedOutputStream(OutputStream.nullOutputStream(), replayCrc))) {
        g.setRootValueSeparator(null);
        tape.replay(g);
      }
      if (replayCrc.getValue() != contentCrc.getValue() || tape.lines() != EXCHANGES + 1) {
        throw new IllegalStateException(
            "the token tape does not reproduce the recording byte for byte");
      }
      System.out.printf("token tape: %d lines, %d tokens%n", tape.lines(), tape.tokens());
    }
  }

  @TearDown(Level.Iteration)
  public void deleteOutput() throws IOException {
    Files.deleteIfExists(output);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    exchanges = null;
    tape = null;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ---------------------------------------------------------------- reading

  @Benchmark
  public void readShadow(Blackhole bh) {
    int n = 0;
    try (RecordingReader r = RecordingReader.open(recording)) {
      bh.consume(r.header());
      while (r.hasNext()) {
        bh.consume(r.next());
        n++;
      }
    }
    check(n);
  }

  @Benchmark
  public void readRawJackson(Blackhole bh) throws IOException {
    int roots = 0;
    try (InputStream in = openInput(recording);
        JsonParser p = FACTORY.createParser(in)) {
      int depth = 0;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> {
            if (--depth == 0) {
              roots++;
            }
          }
          case FIELD_NAME -> bh.consume(p.currentName());
          case VALUE_STRING -> bh.consume(p.getText());
          case VALUE_NUMBER_INT -> bh.consume(p.getLongValue());
          case VALUE_NUMBER_FLOAT -> bh.consume(p.getDoubleValue());
          default -> bh.consume(t);
        }
      }
    }
    check(roots - 1); // minus the header line
  }

  // ---------------------------------------------------------------- writing

  @Benchmark
  public long writeShadow() {
    try (RecordingWriter w = RecordingWriter.create(output, header)) {
      for (Exchange e : exchanges) {
        w.write(e);
      }
      return w.count();
    }
  }

  @Benchmark
  public int writeRawJackson() throws IOException {
    try (JsonGenerator g = FACTORY.createGenerator(openOutput(output))) {
      g.setRootValueSeparator(null);
      return tape.replay(g);
    }
  }

  // ---------------------------------------------------------------- streams, as the codec opens
  // them

  /** Buffered file input, gunzipped when it starts with the gzip magic bytes. */
  private static InputStream openInput(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
    in.mark(2);
    int b1 = in.read();
    int b2 = in.read();
    in.reset();
    return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in, BUFFER) : in;
  }

  /** Gzip (sync flush) for a {@code .gz} name, else a buffered file output. */
  private static OutputStream openOutput(Path file) throws IOException {
    OutputStream raw = Files.newOutputStream(file);
    return RecordingWriter.isGzip(file)
        ? new GZIPOutputStream(raw, BUFFER, true)
        : new BufferedOutputStream(raw, BUFFER);
  }

  private static void check(int exchanges) {
    if (exchanges != EXCHANGES) {
      throw new IllegalStateException("expected " + EXCHANGES + " exchanges, got " + exchanges);
    }
  }
}
