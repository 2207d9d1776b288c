package dev.larder;

/**
 * An immutable snapshot of a cache's counters, summed over its segments (each segment is read
 * under its lock, so each segment's share is consistent; the sum is not one atomic instant).
 *
 * @param hitCount           lookups that found a live entry ({@code get}, not {@code peek})
 * @param missCount          lookups that found nothing, or an expired entry
 * @param putCount           values stored by put, putIfAbsent and replace
 * @param overwriteCount     puts that replaced a live entry's value (in place or by relocation)
 * @param removalCount       entries removed by {@code remove}
 * @param evictionCount      live entries evicted to make room
 * @param collisionEvictionCount the part of {@code evictionCount} evicted because their slot in
 *                           the index was needed by a key with the same home slot, at the probe
 *                           limit (docs/design.md, "Hashing and flooding"): zero unless keys collide
 * @param expirationCount    expired entries reclaimed, on access or by eviction
 * @param rejectionCount     writes refused because the entry exceeds the per-entry limit
 * @param secondChanceCount  entries moved from the ring head to its tail instead of being evicted
 * @param entryCount         live entries (expired entries not yet noticed are included)
 * @param usedBytes          off-heap bytes in use: ring bytes between head and tail plus the index
 * @param allocatedBytes     off-heap bytes allocated: rings, indexes and the frequency sketch; never above
 *                           capacity
 * @param capacityBytes      the configured capacity
 * @param memoryBackend      the backend in use
 * @param listenerFailureCount removal-listener calls that threw (the cache went on)
 * @param loadSuccessCount   loader calls that returned a value (typed {@code get(key, loader)})
 * @param loadFailureCount   loader calls that threw or returned null
 * @param totalLoadTimeNanos time spent in loaders
 * @param evictionMode       the eviction policy in use
 * @param admissionRejectionCount the part of {@code evictionCount} that {@link EvictionMode#ADAPTIVE}
 *                           refused at the main region's door: new entries that left the window
 *                           unread and lost the frequency comparison with the main region's victim
 * @param policyBytes        off-heap bytes of the eviction policy's frequency sketch, inside
 *                           {@code allocatedBytes} (0 for {@link EvictionMode#SECOND_CHANCE})
 * @param windowShare        the share of each segment's entries the window holds now (adaptive, 0.01
 *                           to 1); 1 for {@link EvictionMode#SECOND_CHANCE}, whose one ring is all window
 */
public record CacheStats(
    long hitCount,
    long missCount,
    long putCount,
    long overwriteCount,
    long removalCount,
    long evictionCount,
    long collisionEvictionCount,
    long expirationCount,
    long rejectionCount,
    long secondChanceCount,
    long entryCount,
    long usedBytes,
    long allocatedBytes,
    long capacityBytes,
    MemoryBackend memoryBackend,
    long listenerFailureCount,
    long loadSuccessCount,
    long loadFailureCount,
    long totalLoadTimeNanos,
    EvictionMode evictionMode,
    long admissionRejectionCount,
    long policyBytes,
    double windowShare)
{
    /** @return the mean time of a load in nanoseconds, or 0 when nothing was loaded. */
    public double averageLoadPenaltyNanos()
    {
        final long loads = loadSuccessCount + loadFailureCount;
        return loads == 0 ? 0.0 : (double)totalLoadTimeNanos / loads;
    }

    /** @return hits + misses. */
    public long requestCount()
    {
        return hitCount + missCount;
    }

    /** @return hits / requests, or 1.0 when there were no requests (as Caffeine reports it). */
    public double hitRate()
    {
        final long requests = requestCount();
        return requests == 0 ? 1.0 : (double)hitCount / requests;
    }
}
