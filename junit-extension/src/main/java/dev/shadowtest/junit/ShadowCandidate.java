package dev.shadowtest.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the field or no-argument method of a {@link ShadowReplay} test class that gives the
 * candidate, for a candidate the test starts itself. Its value may be:
 * <ul>
 *   <li>a base URL: {@code String}, {@code URI} or {@code URL};</li>
 *   <li>a port ({@code int}, {@code Integer}, {@code long}): {@code http://127.0.0.1:<port>}, e.g.
 *       Spring Boot's {@code @LocalServerPort int port};</li>
 *   <li>Spring's {@code MockMvc} or {@code WebTestClient}: the replay calls the application
 *       in-process, without a server;</li>
 *   <li>a {@link dev.shadowtest.replay.Transport} of your own.</li>
 * </ul>
 * It is read when the first test asks for its {@link ShadowRun}, that is after
 * {@code @BeforeAll} and after the test instance is prepared (Spring's injection included).
 * Static, or an instance member (the current test's instance is used).
 *
 * <pre>{@code
 * @SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
 * @ShadowReplay(recording = "shadow/legacy.jsonl")
 * class ParityTests {
 *   @ShadowCandidate @LocalServerPort int port;
 *   @Test void gate(ShadowRun run) { run.assertGate(); }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface ShadowCandidate {}
