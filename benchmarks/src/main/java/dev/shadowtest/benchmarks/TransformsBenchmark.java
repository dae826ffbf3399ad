package dev.shadowtest.benchmarks;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.TransformRun;
import dev.shadowtest.diff.Transforms;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
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

/**
 * What the rules' {@code transforms:} cost a replay per request and target ({@link
 * TransformRun#prepare}): {@code none} (no transforms: the replay's own path skips even this
 * call), {@code headers} (set a credential header and remove one, for every target), {@code
 * resignJwt} (an HS256 token re-signed), {@code shiftTime} (two ISO query parameters and an epoch
 * header), {@code chained} (a captured id put into the path and a JSON body); and {@code capture}
 * (what an answer of a creating exchange costs: the recorded and the live JSON read for one value).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(1)
public class TransformsBenchmark {

  @State(Scope.Benchmark)
  public static class Run {
    @Param({"none", "headers", "resignJwt", "shiftTime", "chained"})
    public String kind;

    TransformRun run;
    HttpRequest request;
    Exchange created;
    HttpResponse answer;
    String session = "s1";

    @Setup
    public void setUp() {
      String rules =
          switch (kind) {
            case "headers" ->
                "version: 1\ntransforms:\n  - all:\n      setHeaders: {Authorization: \"Bearer"
                    + " ${env:TOKEN}\"}\n      removeHeaders: [X-Debug]\n";
            case "resignJwt" ->
                "version: 1\ntransforms:\n  - candidate:\n      resignJwt: {algorithm: HS256, key:"
                    + " \"${env:SECRET}\"}\n";
            case "shiftTime" ->
                "version: 1\ntransforms:\n  - all:\n      shiftTime:\n        - {at: \"query:from\"}\n"
                    + "        - {at: \"query:to\"}\n        - {at: \"header:X-Since\", epoch: ms}\n";
            case "chained" ->
                "version: 1\nsessions: {key: \"header:X-Session\"}\ntransforms:\n"
                    + "  - match: \"POST /orders\"\n    capture: [{name: order, from: \"json:$.id\"}]\n"
                    + "  - match: \"PUT /orders/{id}\"\n    use: [{name: order, at: \"path:id\"},"
                    + " {name: order, at: \"json:$.id\"}]\n";
            default -> "version: 1\n";
          };
      run =
          TransformRun.start(
              Rules.parse(rules, "bench.yaml").transforms(),
              Map.of("TOKEN", "t0k3n", "SECRET", "a-secret-of-at-least-thirty-two-bytes!")::get,
              Duration.ofDays(2));
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String jwt =
          b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
              + "."
              + b64.encodeToString(
                  "{\"sub\":\"u1\",\"scope\":\"orders\",\"iat\":1700000000,\"exp\":1700003600}"
                      .getBytes(StandardCharsets.UTF_8))
              + ".REDACTED";
      Headers headers =
          Headers.of(
              "Host", "legacy:8080",
              "Accept", "application/json",
              "Authorization", "Bearer " + jwt,
              "X-Debug", "1",
              "X-Since", "1763974800000",
              "X-Session", session,
              "Content-Type", "application/json");
      request =
          new HttpRequest(
              kind.equals("chained") ? "PUT" : "GET",
              kind.equals("chained")
                  ? "/orders/123"
                  : "/events?from=2026-11-24T09:00:00Z&to=2026-11-24T10:00:00.000Z&page=2",
              null,
              headers,
              kind.equals("chained") ? Body.text("{\"id\":123,\"qty\":3}") : Body.none());
      created =
          new Exchange(
              "c",
              Instant.parse("2026-11-24T10:00:00Z"),
              1L,
              new HttpRequest("POST", "/orders", null, headers, Body.text("{\"item\":\"x\"}")),
              new HttpResponse(
                  201,
                  "Created",
                  Headers.of("Content-Type", "application/json"),
                  Body.text("{\"id\":123,\"item\":\"x\",\"qty\":1}")),
              null,
              Map.of());
      answer =
          new HttpResponse(
              201,
              "Created",
              Headers.of("Content-Type", "application/json"),
              Body.text("{\"id\":987,\"item\":\"x\",\"qty\":1}"));
      run.capture(created, Transforms.Target.CANDIDATE, answer, session);
      TransformRun.Prepared p = run.prepare(request, Transforms.Target.CANDIDATE, session);
      if (p.failure() != null) {
        throw new IllegalStateException(kind + ": " + p.failure());
      }
    }
  }

  @Benchmark
  public TransformRun.Prepared prepare(Run r) {
    return r.run.prepare(r.request, Transforms.Target.CANDIDATE, r.session);
  }

  @Benchmark
  public TransformRun.Captured capture(Run r) {
    return r.run.capture(r.created, Transforms.Target.CANDIDATE, r.answer, r.session);
  }
}
