package dev.larder.jcache.internal;

import java.util.concurrent.atomic.LongAdder;
import javax.cache.management.CacheStatisticsMXBean;

/**
 * The JCache statistics of one cache, counted with {@link LongAdder}s: recording allocates nothing
 * and scales across cores. Recording is a no-op while statistics are disabled; the counters keep
 * their values until {@link #clear()}.
 */
public final class Statistics implements CacheStatisticsMXBean
{
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder puts = new LongAdder();
    private final LongAdder removals = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder getNanos = new LongAdder();
    private final LongAdder putNanos = new LongAdder();
    private final LongAdder removeNanos = new LongAdder();
    private volatile boolean enabled;

    /** @return true while statistics are recorded. */
    public boolean isEnabled()
    {
        return enabled;
    }

    /** @param enabled whether to record from now on */
    public void setEnabled(final boolean enabled)
    {
        this.enabled = enabled;
    }

    /** @return {@link System#nanoTime()} while enabled, else 0 (timing is skipped). */
    public long start()
    {
        return enabled ? System.nanoTime() : 0L;
    }

    public void recordHits(final long count)
    {
        if (enabled && count != 0)
        {
            hits.add(count);
        }
    }

    public void recordMisses(final long count)
    {
        if (enabled && count != 0)
        {
            misses.add(count);
        }
    }

    public void recordPuts(final long count)
    {
        if (enabled && count != 0)
        {
            puts.add(count);
        }
    }

    public void recordRemovals(final long count)
    {
        if (enabled && count != 0)
        {
            removals.add(count);
        }
    }

    public void recordEvictions(final long count)
    {
        if (enabled && count != 0)
        {
            evictions.add(count);
        }
    }

    /** @param start what {@link #start()} returned */
    public void recordGetTime(final long start)
    {
        if (enabled && start != 0L)
        {
            getNanos.add(System.nanoTime() - start);
        }
    }

    /** @param start what {@link #start()} returned */
    public void recordPutTime(final long start)
    {
        if (enabled && start != 0L)
        {
            putNanos.add(System.nanoTime() - start);
        }
    }

    /** @param start what {@link #start()} returned */
    public void recordRemoveTime(final long start)
    {
        if (enabled && start != 0L)
        {
            removeNanos.add(System.nanoTime() - start);
        }
    }

    @Override
    public void clear()
    {
        hits.reset();
        misses.reset();
        puts.reset();
        removals.reset();
        evictions.reset();
        getNanos.reset();
        putNanos.reset();
        removeNanos.reset();
    }

    @Override
    public long getCacheHits()
    {
        return hits.sum();
    }

    @Override
    public float getCacheHitPercentage()
    {
        final long hitCount = getCacheHits();
        final long gets = hitCount + getCacheMisses();
        return gets == 0 ? 0f : 100f * hitCount / gets;
    }

    @Override
    public long getCacheMisses()
    {
        return misses.sum();
    }

    @Override
    public float getCacheMissPercentage()
    {
        final long missCount = getCacheMisses();
        final long gets = missCount + getCacheHits();
        return gets == 0 ? 0f : 100f * missCount / gets;
    }

    @Override
    public long getCacheGets()
    {
        return getCacheHits() + getCacheMisses();
    }

    @Override
    public long getCachePuts()
    {
        return puts.sum();
    }

    @Override
    public long getCacheRemovals()
    {
        return removals.sum();
    }

    @Override
    public long getCacheEvictions()
    {
        return evictions.sum();
    }

    @Override
    public float getAverageGetTime()
    {
        return averageMicros(getNanos.sum(), getCacheGets());
    }

    @Override
    public float getAveragePutTime()
    {
        return averageMicros(putNanos.sum(), getCachePuts());
    }

    @Override
    public float getAverageRemoveTime()
    {
        return averageMicros(removeNanos.sum(), getCacheRemovals());
    }

    private static float averageMicros(final long nanos, final long count)
    {
        return count == 0 ? 0f : (nanos / 1000f) / count;
    }
}
