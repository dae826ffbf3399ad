package dev.shadowtest.benchmarks;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.diff.DiffEngine;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.Origin;
import dev.shadowtest.diff.Pseudonyms;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.StoredPair;
import dev.shadowtest.diff.run.ResponsesFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

/**
 * What a replay pays per <em>matching</em> exchange to keep it for re-judging with the default
 * {@code --rejudge-budget}: the candidate answered the baseline's body byte for byte (the common
 * case of a replay that passes its gate), with a different {@code Date}. {@code store}: {@link
 * DiffEngine#store} (the stored form: bodies pseudonymised, headers pseudonymised); {@code
 * storeAndWrite}: the same plus {@link ResponsesFile#write} of the entry into a real {@code
 * responses.jsonl.gz} (serialisation and gzip level 1), as {@code ExchangeJudge} and the run's
 * writer do. Bodies: {@link DiffBodies#orderPair}'s expected side, {@code size} bytes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 6, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g"})
public class StoreMatchBenchmark {

  @State(Scope.Benchmark)
  public static class Match {
    @Param({"2k", "20k"})
    public String size;

    HttpResponse expected;
    HttpResponse actual;
    DiffEngine engine;
    EndpointRule rule;
    Pseudonyms pseudonyms;
    Path dir;
    ResponsesFile file;
    long line;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      byte[] body =
          DiffBodies.orderPair(size.equals("2k") ? 2_000 : 20_000, DiffBodies.SEED).expected();
      expected =
          new HttpResponse(
              200,
              "OK",
              Headers.of(
                  "Content-Type", "application/json",
                  "Date", "Sun, 29 Nov 2026 03:00:00 GMT",
                  "Cache-Control", "max-age=60"),
              Body.of(body));
      actual =
          new HttpResponse(
              200,
              "OK",
              Headers.of(
                  "Content-Type", "application/json",
                  "Date", "Sun, 29 Nov 2026 03:40:00 GMT",
                  "Cache-Control", "max-age=60"),
              Body.of(body.clone()));
      engine = DiffEngine.of(Rules.defaults());
      rule = engine.rules().ruleFor("GET", "/orders/1");
      pseudonyms = Pseudonyms.random();
      dir = Files.createTempDirectory("store-match");
      file = ResponsesFile.create(dir, Long.MAX_VALUE);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      file.close();
      Files.deleteIfExists(dir.resolve(ResponsesFile.NAME));
      Files.deleteIfExists(dir);
    }
  }

  @Benchmark
  public StoredPair store(Match m) {
    return m.engine.store(m.expected, Origin.NONE, m.actual, Origin.NONE, m.rule, m.pseudonyms);
  }

  @Benchmark
  public boolean storeAndWrite(Match m) {
    StoredPair p =
        m.engine.store(m.expected, Origin.NONE, m.actual, Origin.NONE, m.rule, m.pseudonyms);
    try {
      return m.file.write(
          new ResponsesFile.Entry(
              m.line++, "id-" + m.line, p, null, List.of(), 200, 900L, 1000L, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
