package dev.larder;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a cache built with {@link OffHeapCacheBuilder#loadSnapshot(Path)} loaded. A large value
 * counts as one entry (its chunks are not entries); it is loaded whole or not at all: one whose
 * chunks did not all fit is removed at the end of the load and counted as evicted, or as rejected
 * when its chunks are larger than this cache's records.
 *
 * @param file     the snapshot file
 * @param found    false when the file did not exist (the cache started empty; the counts are 0)
 * @param entries  entries in the file
 * @param loaded   entries stored in the cache (each counted as a put)
 * @param expired  entries dropped because their time to live ended before the load
 * @param rejected entries larger than this cache accepts ({@link OffHeapCache#maxEntrySize()}), refused
 *                 and counted as rejections
 * @param evicted  entries evicted while loading because the cache is smaller than the one saved
 *                 (the oldest of a segment go first, as usual); counted as evictions
 * @param bytes    the file's length
 * @param duration how long the load took
 */
public record SnapshotLoad(
    Path file, boolean found, long entries, long loaded, long expired, long rejected, long evicted, long bytes,
    Duration duration)
{
}
