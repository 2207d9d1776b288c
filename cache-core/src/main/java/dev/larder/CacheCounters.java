package dev.larder;

import dev.larder.internal.AdaptiveShared;
import dev.larder.internal.ReadGate;
import dev.larder.internal.Segment;
import dev.larder.internal.SegmentStat;
import java.util.concurrent.atomic.LongAdder;

/**
 * Assembles an {@link OffHeapCache}'s {@link CacheStats}: the segments' counters summed, the
 * lock-free reads' hits and misses from the {@link ReadGate}, the typed cache's loads (counted
 * here), and the fixed facts of the cache (capacity, memory, backend, eviction mode).
 *
 * <h2>Why a class of its own</h2>
 * Statistics are cold: read by monitoring, never on a get or put. Kept apart, the cache holds only
 * what its operations use; the loads' counters live here because nothing else reads them.
 *
 * <h2>Concurrency</h2>
 * {@link #snapshot()} reads each segment's counters under that segment's lock, one segment at a
 * time, so the totals are consistent per segment, not across segments. Loads are counted in
 * {@code LongAdder}s.
 */
final class CacheCounters
{
    private final Segment[] segments;
    private final ReadGate gate;
    private final long indexBytes;
    private final long allocatedBytes;
    private final long capacity;
    private final MemoryBackend backend;
    /** The adaptive policy's shared state, or null for second chance. */
    private final AdaptiveShared adaptive;
    private final LongAdder loadSuccesses = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder loadNanos = new LongAdder();

    CacheCounters(
        final Segment[] segments,
        final ReadGate gate,
        final long indexBytes,
        final long allocatedBytes,
        final long capacity,
        final MemoryBackend backend,
        final AdaptiveShared adaptive)
    {
        this.segments = segments;
        this.gate = gate;
        this.indexBytes = indexBytes;
        this.allocatedBytes = allocatedBytes;
        this.capacity = capacity;
        this.backend = backend;
        this.adaptive = adaptive;
    }

    /** Counts a load by the typed cache's loader: whether it succeeded, and how long it took. */
    void recordLoad(final boolean success, final long nanos)
    {
        (success ? loadSuccesses : loadFailures).increment();
        loadNanos.add(nanos);
    }

    /** @return the counters now; see {@link OffHeapCache#stats()}. */
    CacheStats snapshot()
    {
        final long[] totals = new long[SegmentStat.values().length];
        for (final Segment segment : segments)
        {
            segment.addStatsTo(totals);
        }
        return new CacheStats(
            totals[SegmentStat.HITS.ordinal()] + gate.hits(),
            totals[SegmentStat.MISSES.ordinal()] + gate.misses(),
            totals[SegmentStat.PUTS.ordinal()],
            totals[SegmentStat.OVERWRITES.ordinal()],
            totals[SegmentStat.REMOVALS.ordinal()],
            totals[SegmentStat.EVICTIONS.ordinal()],
            totals[SegmentStat.COLLISION_EVICTIONS.ordinal()],
            totals[SegmentStat.EXPIRATIONS.ordinal()],
            totals[SegmentStat.REJECTIONS.ordinal()],
            totals[SegmentStat.MOVES.ordinal()],
            totals[SegmentStat.ENTRIES.ordinal()],
            totals[SegmentStat.RING_USED.ordinal()] + indexBytes,
            allocatedBytes,
            capacity,
            backend,
            totals[SegmentStat.LISTENER_FAILURES.ordinal()],
            loadSuccesses.sum(),
            loadFailures.sum(),
            loadNanos.sum(),
            adaptive == null ? EvictionMode.SECOND_CHANCE : EvictionMode.ADAPTIVE,
            totals[SegmentStat.ADMISSION_REJECTIONS.ordinal()],
            adaptive == null ? 0 : adaptive.sketchBytes(),
            adaptive == null ? 1.0 : adaptive.windowShare());
    }
}
