package dev.larder.hazelcast;

import dev.larder.CacheStats;

/**
 * An immutable snapshot of a near cache's counters and of its Larder cache's.
 *
 * @param hitCount                gets answered by the near cache (a cached miss included)
 * @param missCount               gets that went on to the map (or joined a read in flight)
 * @param mapReadCount            reads of the map made for misses: one per key however many threads
 *                                missed it at once
 * @param coalescedReadCount      misses that waited for another thread's read of the same key
 * @param invalidationCount       map events received that invalidate one key or the whole near cache
 * @param stalePublishPreventedCount values read from the map and not stored, because their key was
 *                                invalidated, or the near cache cleared, while the read was in flight
 * @param lostEventClearCount     times the near cache was cleared because events may have been lost
 *                                (client connection change, member left or joined, partition lost,
 *                                split-brain merge)
 * @param larder                  the Larder cache's own statistics (its hits and misses count the
 *                                near cache's local lookups)
 */
public record NearCacheStats(
    long hitCount,
    long missCount,
    long mapReadCount,
    long coalescedReadCount,
    long invalidationCount,
    long stalePublishPreventedCount,
    long lostEventClearCount,
    CacheStats larder)
{
    /** @return hits / (hits + misses), or 1.0 when there were no gets. */
    public double hitRate()
    {
        final long requests = hitCount + missCount;
        return requests == 0 ? 1.0 : (double)hitCount / requests;
    }
}
