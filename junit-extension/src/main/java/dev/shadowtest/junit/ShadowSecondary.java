package dev.shadowtest.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the field or no-argument method of a {@link ShadowReplay} test class that gives the
 * secondary: a second legacy instance (needs a primary); what differs between the primary and
 * the secondary is noise. A base URL or a port, read like {@link ShadowCandidate}. Replaces
 * {@link ShadowReplay#secondary}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD})
public @interface ShadowSecondary {}
