package dev.larder.internal;

/** Positions of the per-segment counters summed by {@link Segment#addStatsTo(long[])}. */
public enum SegmentStat
{
    HITS,
    MISSES,
    PUTS,
    OVERWRITES,
    REMOVALS,
    EVICTIONS,
    EXPIRATIONS,
    REJECTIONS,
    MOVES,
    ENTRIES,
    RING_USED,
    LISTENER_FAILURES,
    COLLISION_EVICTIONS,
    /** Chunks of large values evicted by ring order or displaced by a collision (internal records). */
    CHUNK_EVICTIONS,
    /** Window candidates evicted because the frequency sketch preferred the main region's victim. */
    ADMISSION_REJECTIONS
}
