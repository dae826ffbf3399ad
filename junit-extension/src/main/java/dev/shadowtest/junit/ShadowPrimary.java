package dev.shadowtest.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the field or no-argument method of a {@link ShadowReplay} test class that gives the
 * primary: a legacy instance the test starts itself (e.g. with Testcontainers), whose live
 * answers are the baseline instead of the recorded ones. A base URL ({@code String}, {@code URI},
 * {@code URL}) or a port ({@code int}, {@code Integer}: {@code http://127.0.0.1:<port>}); read
 * like {@link ShadowCandidate}. Replaces {@link ShadowReplay#primary}; no system property needed.
 *
 * <pre>{@code
 * @ShadowPrimary static String legacy() { return "http://" + legacy.getHost() + ":" + legacy.getMappedPort(8080); }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface ShadowPrimary {}
