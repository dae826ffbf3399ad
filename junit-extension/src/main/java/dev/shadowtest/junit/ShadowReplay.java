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
 * resolved from system properties, then environment variables. Files ({@link #recording},
 * {@link #rules}) are looked up on the file system (relative to the working directory, the
 * module's directory under Maven), then on the test classpath. The run directory
 * ({@code summary.json}, {@code report.html}, {@code discrepancies.csv}, {@code results.jsonl.gz})
 * is {@code <outputDirectory>/<test class name>/}.
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
   * The system under test's base URL, e.g. {@code http://127.0.0.1:8080} or
   * {@code ${shadow.candidate.url}}. Empty: a {@link ShadowCandidate} field or method of the test
   * class supplies it after the class's own {@code @BeforeAll} has started it.
   */
  String candidate() default "";

  /** A legacy instance to compare against instead of the recorded responses; empty for none. */
  String primary() default "";

  /** A second legacy instance (needs {@link #primary}): differences between the two are noise. */
  String secondary() default "";

  /** Rules YAML (ignored paths, tolerances, per-endpoint thresholds...); empty for the defaults. */
  String rules() default "";

  /** The gate: fail above this discrepancy rate, overall and per endpoint (rules may override per endpoint). */
  double maxDiscrepancyRate() default 0.005;

  /** Also fail above this (errors + 5xx) / attempted; negative (the default) to not check. */
  double maxErrorRate() default -1;

  /** Also fail when an endpoint's candidate p99 exceeds this many times its baseline p99; negative to not check. */
  double maxLatencyRatio() default -1;

  /** Requests in flight at most. */
  int concurrency() default 8;

  /** Also send POST, PUT, PATCH, DELETE... (they change state on the candidate). */
  boolean allowUnsafe() default false;

  /** Headers added to (or replacing those of) every request, as {@code NAME=VALUE}. */
  String[] headers() default {};

  /** Response timeout per exchange, in seconds. */
  double timeoutSeconds() default 30;

  /** Where run directories go; one subdirectory per test class. */
  String outputDirectory() default "target/shadow";
}
