package dev.larder;

import java.util.List;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Runs {@link CacheInvariants} around every jqwik property of cache-core, whatever the order in
 * which the engines run. Registered for all properties in
 * src/test/resources/META-INF/services/net.jqwik.api.lifecycle.LifecycleHook. A cache closed
 * during a try is checked at its close (the try fails, and jqwik shrinks); a cache left open is
 * checked after the property.
 */
public final class InvariantsPropertyHook implements AroundPropertyHook
{
    @Override
    public PropagationMode propagateTo()
    {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(
        final PropertyLifecycleContext context, final PropertyExecutor property)
    {
        final boolean skipped = context.findAnnotation(SkipInvariantCheck.class).isPresent() ||
            context.containerClass().isAnnotationPresent(SkipInvariantCheck.class);
        CacheInvariants.enable(!skipped);
        try
        {
            final PropertyExecutionResult result = property.execute();
            final List<String> failures = CacheInvariants.checkOpenCaches();
            return failures.isEmpty() || result.status() != PropertyExecutionResult.Status.SUCCESSFUL ? result :
                result.mapToFailed(new AssertionError(String.join("\n", failures)));
        }
        finally
        {
            CacheInvariants.enable(true);
        }
    }
}
