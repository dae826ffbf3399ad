package dev.shadowtest.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the field or no-argument method of a {@link ShadowReplay} test class that gives the
 * candidate's base URL ({@code String}, {@code URI} or {@code URL}), for a candidate that the test
 * class starts itself. It is read when the first test asks for its {@link ShadowRun}, that is after
 * {@code @BeforeAll}. Static, or an instance member with {@code @TestInstance(PER_CLASS)}.
 *
 * <pre>{@code
 * @ShadowReplay(recording = "shadow/nightly.jsonl.gz")
 * class ParityTests {
 *   static HttpServer server;
 *   @BeforeAll static void start() throws IOException { server = MyService.start(0); }
 *   @ShadowCandidate static String candidate() { return "http://127.0.0.1:" + server.getAddress().getPort(); }
 *   ...
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface ShadowCandidate {}
