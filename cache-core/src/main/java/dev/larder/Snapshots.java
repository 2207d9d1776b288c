package dev.larder;

import dev.larder.internal.LargeValueRestore;
import dev.larder.internal.LargeValues;
import dev.larder.internal.Segment;
import dev.larder.internal.SnapshotDescriptor;
import dev.larder.internal.SnapshotReader;
import dev.larder.internal.SnapshotWriter;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Saving and loading an {@link OffHeapCache}'s snapshots (warm restart): runs the engine's
 * {@link SnapshotWriter} and {@link SnapshotReader} over the cache's segments and turns their
 * outcomes into the API's {@link SnapshotSave} and {@link SnapshotLoad}, with the times taken.
 *
 * <h2>Why a class of its own</h2>
 * Snapshots are cold (a save per shutdown, a load per start); the cache keeps the public
 * {@code save} and {@code snapshotLoad} with their documentation and delegates here. The format is
 * in docs/snapshot-format.md and in {@link SnapshotDescriptor}.
 */
final class Snapshots
{
    private Snapshots()
    {
    }

    /** See {@link OffHeapCache#save(Path)}; the caller has checked the file and its caller. */
    static SnapshotSave save(
        final Segment[] segments, final long capacity, final HashFunction function, final LongSupplier wallClock,
        final Path file, final SnapshotWriter.ChannelOpener opener) throws IOException
    {
        final long start = System.nanoTime();
        final SnapshotWriter.Outcome outcome = SnapshotWriter.save(segments, capacity,
            function == HashFunction.SIPHASH_1_3 ? SnapshotDescriptor.HASH_SIPHASH_1_3 :
            SnapshotDescriptor.HASH_FAST_TRUSTED_KEYS, wallClock, file, opener);
        return new SnapshotSave(file, outcome.entries(), outcome.expired(), outcome.bytes(),
            Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(outcome.maxPauseNanos()));
    }

    /** Loads a snapshot into a new cache, for the builder; an absent file loads nothing. */
    static SnapshotLoad load(
        final OffHeapCache cache, final LargeValues large, final Path file, final LongSupplier wallClock)
        throws IOException
    {
        final long start = System.nanoTime();
        final long evictionsBefore = cache.stats().evictionCount();
        try
        {
            final LargeValueRestore restore = large.restoring();
            final SnapshotReader.Outcome outcome = SnapshotReader.load(file, wallClock,
                OffHeapCache.MAX_TTL.toMillis(),
                (buffer, keyOffset, keyLength, valueOffset, valueLength, ttlMillis, kindBits, chunkCheck) ->
                restore.restore(cache.key(buffer, keyOffset, keyLength), buffer, keyOffset, valueOffset, valueLength,
                ttlMillis, kindBits, chunkCheck));
            final int notStored = restore.finish();
            return new SnapshotLoad(file, true, outcome.entries(), outcome.loaded() - notStored, outcome.expired(),
                outcome.rejected() + notStored, cache.stats().evictionCount() - evictionsBefore, outcome.bytes(),
                Duration.ofNanos(System.nanoTime() - start));
        }
        catch (final NoSuchFileException ex)
        {
            return new SnapshotLoad(file, false, 0, 0, 0, 0, 0, 0, Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
