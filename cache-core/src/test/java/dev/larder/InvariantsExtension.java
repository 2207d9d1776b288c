package dev.larder;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs {@link CacheInvariants} around every JUnit Jupiter test of cache-core. Registered for every
 * test class by autodetection (src/test/resources: junit-platform.properties and
 * META-INF/services/org.junit.jupiter.api.extension.Extension). A cache closed during a test is
 * checked at its close; a cache the test left open is checked after the test (after its
 * {@code @AfterEach} methods), and a broken invariant fails that test.
 */
public final class InvariantsExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
    AfterAllCallback
{
    @Override
    public void beforeAll(final ExtensionContext context)
    {
        CacheInvariants.enable(!skipped(context.getTestClass()));
    }

    @Override
    public void beforeEach(final ExtensionContext context)
    {
        CacheInvariants.enable(!skipped(context.getTestClass()) && !skipped(context.getTestMethod()));
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        try
        {
            CacheInvariants.assertOpenCachesHold();
        }
        finally
        {
            CacheInvariants.enable(!skipped(context.getTestClass()));
        }
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        try
        {
            CacheInvariants.assertOpenCachesHold();
        }
        finally
        {
            CacheInvariants.enable(true);
        }
    }

    private static boolean skipped(final Optional<? extends AnnotatedElement> element)
    {
        return element.map(e -> e.isAnnotationPresent(SkipInvariantCheck.class)).orElse(false);
    }
}
