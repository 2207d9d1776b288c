package dev.larder.management;

/**
 * The read-only JMX view of an {@link dev.larder.OffHeapCache}: its configuration and the counters
 * of {@link dev.larder.CacheStats}. Registered by {@link CacheMXBeans#register}; every attribute
 * is read from {@code stats()} when asked, so the cache pays nothing for being watched.
 */
public interface OffHeapCacheMXBean
{
    /** @return the name the bean was registered under. */
    String getCacheName();

    /** @return the configured capacity in bytes. */
    long getCapacityBytes();

    /** @return the off-heap bytes allocated: rings plus indexes. */
    long getAllocatedBytes();

    /** @return the off-heap bytes in use: live records plus the index. */
    long getUsedBytes();

    /** @return the segment count. */
    int getSegmentCount();

    /** @return the largest key + value accepted, in bytes. */
    int getMaxEntrySize();

    /** @return the memory backend in use ({@code AGRONA} or {@code JDK}). */
    String getMemoryBackend();

    /** @return the key hash in use. */
    String getHashFunction();

    /** @return live entries (expired entries not yet noticed included). */
    long getEntryCount();

    /** @return lookups that found a live entry. */
    long getHitCount();

    /** @return lookups that found nothing. */
    long getMissCount();

    /** @return hits / lookups, 1.0 when there were none. */
    double getHitRate();

    /** @return values stored. */
    long getPutCount();

    /** @return puts that replaced a live value. */
    long getOverwriteCount();

    /** @return entries removed by {@code remove}. */
    long getRemovalCount();

    /** @return live entries evicted to make room. */
    long getEvictionCount();

    /** @return expired entries reclaimed. */
    long getExpirationCount();

    /** @return writes refused because the entry exceeds the per-entry limit. */
    long getRejectionCount();

    /** @return entries given a second chance instead of being evicted. */
    long getSecondChanceCount();

    /** @return evictions of new entries refused at the main region's door by the adaptive policy. */
    long getAdmissionRejectionCount();

    /** @return the share of each segment's entries the adaptive policy's window holds (1 for second chance). */
    double getWindowShare();

    /** @return the eviction policy: {@code ADAPTIVE} or {@code SECOND_CHANCE}. */
    String getEvictionMode();

    /** @return removal-listener calls that threw. */
    long getListenerFailureCount();

    /** @return loads that returned a value. */
    long getLoadSuccessCount();

    /** @return loads that threw or returned null. */
    long getLoadFailureCount();

    /** @return nanoseconds spent in loaders. */
    long getTotalLoadTimeNanos();

    /** @return true once the cache is closed (the counters then keep their last values). */
    boolean isClosed();
}
