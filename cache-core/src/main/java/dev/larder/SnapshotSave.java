package dev.larder;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@link OffHeapCache#save(Path)} wrote. A large value counts as one entry (its chunks are
 * not entries).
 *
 * @param file            the snapshot file
 * @param entries         entries written
 * @param expired         entries left out because they had expired
 * @param bytes           the file's length
 * @param duration        how long the save took, from start to the rename
 * @param maxSegmentPause the longest time one segment's lock was held (while its live records were
 *                        copied to a staging buffer); the segment's writes, and reads that race a
 *                        write, waited at most this long
 */
public record SnapshotSave(Path file, long entries, long expired, long bytes, Duration duration,
    Duration maxSegmentPause)
{
}
