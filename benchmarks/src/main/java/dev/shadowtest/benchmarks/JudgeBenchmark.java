package dev.shadowtest.benchmarks;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.diff.DiffEngine;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.Origin;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.Verdict;
import dev.shadowtest.diff.run.ExchangeJudge;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.diff.run.RunWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a replay's I/O thread does with a matching answer once HttpCore has parsed it (issue 19):
 * the answer as the sender hands it over (headers and body into the model), judged against the
 * recording (live redaction, headers, body) and its result line written to {@code
 * results.jsonl.gz}. The exchange is the 0.6 KB document of {@code benchmarks/replay/} as nginx
 * answers it: eight headers, of which the rules ignore six and the recording holds one.
 *
 * <ul>
 *   <li>{@code judgeAndWrite}: {@link ExchangeJudge#judge} and {@link RunWriter#write}, one
 *       matching exchange per operation.
 *   <li>{@code bytesFloor} (floor): what a byte-level judge could not avoid: comparing the two
 *       bodies' bytes and writing a line of the same length to the same gzip stream.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1)
public class JudgeBenchmark {

  private Exchange recorded;
  private byte[] body;
  private ExchangeJudge judge;
  private RunWriter writer;
  private ResultsFile results;
  private EndpointRule rule;
  private ExchangeJudge.Origins origins;
  private OutputStream floorOut;
  private byte[] floorLine;
  private Path dir;
  private long n;

  @Setup
  public void setUp() throws IOException {
    body = document().getBytes(StandardCharsets.UTF_8);
    recorded =
        new Exchange(
            "b00000000",
            Instant.parse("2026-11-25T00:00:00Z"),
            100L,
            new HttpRequest(
                "GET",
                "/api/data.json?i=0",
                "HTTP/1.1",
                Headers.of("Host", "legacy", "Accept", "application/json"),
                Body.none()),
            new HttpResponse(
                200, "OK", Headers.of("Content-Type", "application/json"), Body.text(document())),
            null,
            null);
    DiffEngine engine =
        DiffEngine.of(
            Rules.parse(
                "version: 1\ndefaults:\n"
                    + "  ignoreHeaders: [Server, ETag, Last-Modified, Accept-Ranges]\n",
                "rules.yaml"));
    rule = engine.ruleFor(recorded.request());
    dir = Files.createTempDirectory("judge-benchmark");
    results = ResultsFile.create(dir.resolve(ResultsFile.NAME));
    writer = new RunWriter(results, null, new RunAggregate());
    judge =
        new ExchangeJudge(
            engine,
            new Redactor(Redaction.defaults(), null),
            null,
            null,
            writer::keepsResponses,
            w -> {});
    origins =
        new ExchangeJudge.Origins(
            Origin.NONE, judge.origin(URI.create("http://127.0.0.1:8080"), "127.0.0.1:8080"), null);
    floorOut =
        new GZIPOutputStream(Files.newOutputStream(dir.resolve("floor.gz")), 1 << 16, true) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        };
    floorLine =
        ("{\"id\":\"b00000000\",\"endpoint\":\"GET /api/data.json\",\"method\":\"GET\","
                + "\"target\":\"/api/data.json?i=0\",\"verdict\":\"MATCH\",\"recordedStatus\":200,"
                + "\"candidateStatus\":200,\"recordedMicros\":100,\"candidateMicros\":150}\n")
            .getBytes(StandardCharsets.UTF_8);
    if (judgeAndWrite() != Verdict.MATCH) {
      throw new IllegalStateException("the benchmark's exchange must match");
    }
  }

  @TearDown
  public void tearDown() throws IOException {
    results.close();
    floorOut.close();
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  @Benchmark
  public Verdict judgeAndWrite() throws IOException {
    // as the sender builds it from HttpCore's response: fresh header strings, the body decoded
    long i = n++;
    HttpResponse answer =
        new HttpResponse(
            200,
            "OK",
            Headers.of(
                "Server",
                "nginx/1.22.1",
                "Date",
                i % 2 == 0 ? "Fri, 27 Nov 2026 22:00:00 GMT" : "Fri, 27 Nov 2026 22:00:01 GMT",
                "Content-Type",
                "application/json",
                "Content-Length",
                Integer.toString(body.length),
                "Last-Modified",
                "Fri, 27 Nov 2026 21:00:00 GMT",
                "Connection",
                "keep-alive",
                "ETag",
                "\"6567a0b0-274\"",
                "Accept-Ranges",
                "bytes"),
            Body.of(body.clone()));
    ExchangeJudge.Judged j =
        judge.judge(
            recorded,
            recorded.request(),
            "GET /api/data.json",
            rule,
            ExchangeJudge.Answer.of(answer, 150),
            null,
            null,
            origins);
    writer.write(j.line(), j.stored());
    return j.line().verdict();
  }

  @Benchmark
  public boolean bytesFloor() throws IOException {
    byte[] answer = body.clone();
    boolean same = Arrays.equals(answer, body);
    floorOut.write(floorLine);
    return same;
  }

  /** The 0.6 KB document of {@code benchmarks/lib/nginx-static.sh} with 6 items. */
  static String document() {
    StringBuilder b = new StringBuilder("{\"items\": [");
    for (int i = 0; i < 6; i++) {
      b.append(i == 0 ? "" : ", ")
          .append("{\"id\": ")
          .append(i)
          .append(", \"name\": \"Product ")
          .append(i)
          .append("\", \"price\": {\"amount\": ")
          .append(10.0 + i / 100.0)
          .append(", \"currency\": \"EUR\"}, \"tags\": [\"a\", \"b\"]}");
    }
    return b.append("], \"total\": 20, \"page\": 1}").toString();
  }
}
