package dev.shadowtest.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replays a recording against the system under test, once per test class, and hands the result
 * to test methods as a {@link ShadowRun} parameter: one dynamic test per endpoint, and the
 * overall gate.
 *
 * <pre>{@code
 * @ShadowReplay(recording = "src/test/resources/shadow/nightly.jsonl.gz",
 *               candidate = "${shadow.candidate.url}", rules = "shadow-rules.yaml")
 * class CheckoutParityTests {
 *   @TestFactory Stream<DynamicTest> endpoints(ShadowRun run) { return run.endpointTests(); }
 *   @Test void overall(ShadowRun run) { run.assertGate(); }
 * }
 * }</pre>
 *
 * <p>Every string attribute may hold {@code ${name}} or {@code ${name:default}} placeholders,
 * resolved from system properties, then environment variables; in a Spring test
 * ({@code @SpringBootTest}, {@code @WebMvcTest}, any class run by {@code SpringExtension}) from
 * the test's Spring {@code Environment} instead, which has those and the test properties,
 * {@code @DynamicPropertySource} values and {@code local.server.port}. Files ({@link #recording},
 * {@link #rules}) are looked up on the file system (relative to the working directory, the
 * module's directory under Maven and Gradle), then on the test classpath. The run directory
 * ({@code summary.json}, {@code report.html}, {@code discrepancies.csv}, {@code results.jsonl.gz})
 * is {@code <outputDirectory>/<test class name>/}.
 *
 * <p>The candidate is, in this order: {@link #candidate}, a {@link ShadowCandidate} member, and
 * in a Spring test the embedded server ({@code RANDOM_PORT}, {@code DEFINED_PORT}) or, without a
 * server, the application in-process through {@code MockMvc} or {@code WebTestClient}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(ShadowExtension.class)
public @interface ShadowReplay {

  /** The recording to replay ({@code .jsonl} or {@code .jsonl.gz}): a file, or a classpath resource. */
  String recording();

  /**
   * The system under test's base URL, e.g. {@code http://127.0.0.1:8080},
   * {@code ${shadow.candidate.url}} or {@code http://localhost:${local.server.port}}. Empty (or a
   * placeholder that resolves to empty): a {@link ShadowCandidate} member, else in a Spring test
   * the embedded server or MockMvc/WebTestClient (see above).
   */
  String candidate() default "";

  /** A legacy instance to compare against instead of the recorded responses; empty for none (see {@link ShadowPrimary}). */
  String primary() default "";

  /** A second legacy instance (needs a primary): differences between the two are noise (see {@link ShadowSecondary}). */
  String secondary() default "";

  /**
   * Rules YAML (ignored paths, tolerances, per-endpoint thresholds...); empty, or a placeholder
   * that resolves to empty (e.g. {@code ${shadow.rules:}}), for the default rules.
   */
  String rules() default "";

  /** The gate: fail above this discrepancy rate, overall and per endpoint (rules may override per endpoint). */
  double maxDiscrepancyRate() default 0.005;

  /**
   * Also fail above this (errors + 5xx) / attempted; negative (the default): fail when the
   * exchanges the candidate did not answer (timeouts, resets) are more of the attempted than
   * {@link #maxDiscrepancyRate}.
   */
  double maxErrorRate() default -1;

  /** Also fail when an endpoint's candidate p99 exceeds this many times its baseline p99; negative to not check. */
  double maxLatencyRatio() default -1;

  /**
   * Exchanges an endpoint needs (with a baseline and a candidate latency) before its latency
   * ratio is judged; below, it is "not enough data", never a failure.
   */
  int minLatencySamples() default 30;

  /**
   * Safe requests (GET, HEAD, OPTIONS) from the start of the recording sent once to the candidate
   * (and primary, secondary) before the measured replay, their answers discarded: a JVM started
   * by the test is cold, and its first requests are slow. The default, -1, means
   * {@value #DEFAULT_WARMUP} when {@link #maxLatencyRatio} is set and none otherwise; 0 for none.
   */
  int warmup() default -1;

  /** The warm-up sent by default when a latency gate is set. */
  int DEFAULT_WARMUP = 100;

  /** Requests in flight at most. */
  int concurrency() default 8;

  /** Also send POST, PUT, PATCH, DELETE... (they change state on the candidate). */
  boolean allowUnsafe() default false;

  /**
   * Headers added to (or replacing those of) every request, as {@code NAME=VALUE}, e.g.
   * {@code "Authorization=Bearer ${CANDIDATE_TOKEN}"}: credentials redacted at capture are never
   * sent as recorded, so a candidate that needs them needs them here.
   */
  String[] headers() default {};

  /** Send the recorded {@code Host} header instead of the candidate's own host and port. */
  boolean keepHost() default false;

  /**
   * Accept a recording with unreadable lines (a crash cut its last one, a bad edit): their
   * exchanges are skipped and counted either way, but by default the run is incomplete and fails.
   */
  boolean skipBadLines() default false;

  /** Response timeout per exchange, in seconds. */
  double timeoutSeconds() default 30;

  /**
   * Where run directories go; one subdirectory per test class. Empty (the default): the build
   * tool's output directory, {@code build/shadow} under Gradle, else {@code target/shadow}.
   */
  String outputDirectory() default "";
}
