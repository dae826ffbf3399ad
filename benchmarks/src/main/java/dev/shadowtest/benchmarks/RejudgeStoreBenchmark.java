package dev.shadowtest.benchmarks;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.diff.DiffEngine;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.Origin;
import dev.shadowtest.diff.Pseudonyms;
import dev.shadowtest.diff.ResponseDiff;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.StoredPair;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What keeping responses for re-judging costs a replay per compared exchange: the comparison a
 * replay does anyway ({@code compare}: {@link DiffEngine#compare} of a baseline and a candidate
 * JSON response, headers included) against the same plus the stored form ({@code
 * compareAndStore}: {@link DiffEngine#store}, decoding, address normalisation and HMAC
 * pseudonyms of every string), and the stored form judged again ({@code rejudge}: what {@code
 * shadow report --rules} does per exchange). Bodies: {@link DiffBodies#orderPair} of {@code size}
 * bytes (3 values changed).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class RejudgeStoreBenchmark {

  @State(Scope.Benchmark)
  public static class Pair {
    @Param({"2k", "200k"})
    public String size;

    HttpResponse expected;
    HttpResponse actual;
    DiffEngine engine;
    EndpointRule rule;
    Pseudonyms pseudonyms;
    StoredPair stored;

    @Setup
    public void setUp() {
      DiffBodies.Pair p =
          DiffBodies.orderPair(size.equals("2k") ? 2_000 : 200_000, DiffBodies.SEED);
      Headers h =
          Headers.of(
              "Content-Type", "application/json", "ETag", "\"v1\"", "Cache-Control", "max-age=60");
      expected = new HttpResponse(200, "OK", h, Body.of(p.expected()));
      actual = new HttpResponse(200, "OK", h, Body.of(p.actual()));
      engine = DiffEngine.of(Rules.defaults());
      rule = engine.rules().ruleFor("GET", "/orders/1");
      pseudonyms = Pseudonyms.random();
      stored = engine.store(expected, Origin.NONE, actual, Origin.NONE, rule, pseudonyms);
      ResponseDiff direct = engine.compare(expected, Origin.NONE, actual, Origin.NONE, rule);
      ResponseDiff again = engine.compare(stored, rule);
      if (direct.differences().size() != again.differences().size() || direct.same()) {
        throw new IllegalStateException("the stored form must judge as the responses do");
      }
    }
  }

  @Benchmark
  public ResponseDiff compare(Pair p) {
    return p.engine.compare(p.expected, Origin.NONE, p.actual, Origin.NONE, p.rule);
  }

  @Benchmark
  public void compareAndStore(Pair p, Blackhole bh) {
    bh.consume(p.engine.compare(p.expected, Origin.NONE, p.actual, Origin.NONE, p.rule));
    bh.consume(
        p.engine.store(p.expected, Origin.NONE, p.actual, Origin.NONE, p.rule, p.pseudonyms));
  }

  @Benchmark
  public ResponseDiff rejudge(Pair p) {
    return p.engine.compare(p.stored, p.rule);
  }
}
