package dev.larder;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Opts a test method or class out of {@link CacheInvariants}: for tests that break a cache's
 * segments on purpose. The reason is required, so that every opt-out says why.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface SkipInvariantCheck
{
    /** @return why the segment invariants cannot hold, or must not be checked, in this test */
    String value();
}
