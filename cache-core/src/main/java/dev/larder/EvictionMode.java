package dev.larder;

/**
 * How a full cache chooses what to evict ({@link OffHeapCacheBuilder#eviction(EvictionMode)}).
 * docs/policy.md describes both and gives their hit rates.
 */
public enum EvictionMode
{
    /**
     * Frequency-aware and adaptive, the default: new entries enter a small window; when one leaves
     * it unread, a frequency sketch decides whether it replaces the main region's least valuable
     * entry (TinyLFU admission), and the window's share of the cache follows the workload on its
     * own, from 1% (frequency-heavy traffic) to 100% (recency-heavy traffic). A candidate refused
     * at the door is evicted like any entry: the listener hears {@link RemovalCause#EVICTED}, and
     * {@link CacheStats#admissionRejectionCount()} counts it. Costs the frequency sketch (8 to 16
     * bytes per entry, inside the capacity) and about six pages of each segment's ring as slack;
     * the largest entry stored in one record is a 64th of a segment's ring (larger ones are stored
     * as large values, in chunks). A cache with less than about 8 KiB per segment (its ring under
     * 4 KiB) is too small to split into pages and runs {@link #SECOND_CHANCE};
     * {@link CacheStats#evictionMode()} says which policy a cache runs.
     */
    ADAPTIVE,

    /**
     * Near-LRU with the cheapest writes: one ring per segment whose head entry is kept (moved to
     * the tail) when it was read recently and evicted otherwise (second chance). Within a point of
     * exact LRU, and so blind to frequency: a scan or a loop larger than the cache flushes it.
     */
    SECOND_CHANCE
}
