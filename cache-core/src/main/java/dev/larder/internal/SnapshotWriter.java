package dev.larder.internal;

import static dev.larder.internal.SnapshotDescriptor.CAPACITY_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.HASH_FUNCTION_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.HEADER_CRC_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.HEADER_LENGTH;
import static dev.larder.internal.SnapshotDescriptor.HEADER_LENGTH_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.MAGIC;
import static dev.larder.internal.SnapshotDescriptor.MAGIC_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SAVED_AT_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_HEADER_LENGTH;
import static dev.larder.internal.SnapshotDescriptor.SEGMENTS_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.TRAILER_CRC_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.TRAILER_ENTRIES_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.TRAILER_LENGTH;
import static dev.larder.internal.SnapshotDescriptor.TRAILER_MAGIC;
import static dev.larder.internal.SnapshotDescriptor.TRAILER_MAGIC_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.TRAILER_PAYLOAD_BYTES_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.TRAILER_SECTIONS_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.VERSION;
import static dev.larder.internal.SnapshotDescriptor.VERSION_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;

/**
 * Saves a cache's segments to a snapshot file ({@link SnapshotDescriptor}), while the cache serves
 * traffic.
 *
 * <h2>Concurrency</h2>
 * One segment at a time: its live records are copied into a staging buffer under its lock
 * ({@link Segment#copyLiveRecords}), and the lock is released before the checksum and the write.
 * So a segment pauses only for a memory copy of its live records; the longest pause is measured.
 * The snapshot is consistent per segment, not across segments (a write to segment 2 during the
 * save may be in the file while an older write to segment 1 is not), as with any weakly
 * consistent iteration.
 *
 * <h2>Crash safety</h2>
 * The file is written to a new temporary file in the target's directory (named
 * {@code .<name>.<random>.tmp}, readable by the owner only), forced to disk, atomically renamed
 * over the target, and the directory is forced where the platform allows it. A save that fails
 * deletes its temporary file and leaves the target as it was; a process killed during a save
 * leaves the old target (and at most a temporary file, never read by a load). Concurrent saves to
 * one path each write their own temporary file; the last rename wins, and the file is always one
 * complete snapshot.
 */
public final class SnapshotWriter
{
    /** Opens the temporary file for writing; tests inject failing channels through it. */
    @FunctionalInterface
    public interface ChannelOpener
    {
        FileChannel open(Path file) throws IOException;
    }

    /** The opener of a real save. */
    public static final ChannelOpener FILES = file -> FileChannel.open(file, StandardOpenOption.WRITE);

    /** What a save did; {@code entries} counts a large value once (its head), not its chunks. */
    public record Outcome(long entries, long expired, long bytes, long maxPauseNanos)
    {
    }

    private SnapshotWriter()
    {
    }

    /**
     * @param hashFunctionId {@link SnapshotDescriptor#HASH_SIPHASH_1_3} or {@link SnapshotDescriptor#HASH_FAST_TRUSTED_KEYS}
     * @param wallClock      wall-clock ms since 1970
     * @throws IOException naming the file and the cause; the target is then unchanged and no temporary file is left
     */
    public static Outcome save(
        final Segment[] segments, final long capacity, final int hashFunctionId, final LongSupplier wallClock,
        final Path file, final ChannelOpener opener) throws IOException
    {
        final Path target = file.toAbsolutePath();
        final Path directory = target.getParent();
        Path temp = null;
        try
        {
            temp = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
            final Outcome outcome;
            try (FileChannel channel = opener.open(temp))
            {
                outcome = write(segments, capacity, hashFunctionId, wallClock, channel);
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            forceDirectory(directory);
            return outcome;
        }
        catch (final IOException ex)
        {
            throw new IOException("could not save the snapshot to " + target + ": " + describe(ex), ex);
        }
        finally
        {
            if (temp != null)
            {
                deleteQuietly(temp);
            }
        }
    }

    private static Outcome write(
        final Segment[] segments, final long capacity, final int hashFunctionId, final LongSupplier wallClock,
        final FileChannel channel) throws IOException
    {
        final CRC32C crc = new CRC32C();
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC_OFFSET, MAGIC);
        header.putInt(VERSION_OFFSET, VERSION);
        header.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
        header.putLong(CAPACITY_OFFSET, capacity);
        header.putInt(SEGMENTS_OFFSET, segments.length);
        header.putInt(HASH_FUNCTION_OFFSET, hashFunctionId);
        header.putLong(SAVED_AT_OFFSET, wallClock.getAsLong());
        crc.update(header.duplicate().limit(HEADER_CRC_OFFSET));
        header.putInt(HEADER_CRC_OFFSET, (int)crc.getValue());
        writeFully(channel, header);

        int largestRing = 0;
        for (final Segment segment : segments)
        {
            largestRing = Math.max(largestRing, segment.ringSize());
        }
        final OffHeapAllocator staging = OffHeapAllocator.create(); // freed at once, not when the GC gets to it
        long entries = 0;
        long payloadBytes = 0;
        long maxPauseNanos = 0;
        final long expired;
        final long chunks;
        try
        {
            final SnapshotSection section = new SnapshotSection(allocate(staging, SECTION_HEADER_LENGTH + largestRing));
            for (int i = 0; i < segments.length; i++)
            {
                section.begin(wallClock.getAsLong());
                maxPauseNanos = Math.max(maxPauseNanos, segments[i].copyLiveRecords(section));
                writeFully(channel, section.seal(i));
                entries += section.entries();
                payloadBytes += section.payloadLength();
            }
            expired = section.expired();
            chunks = section.chunks();
        }
        finally
        {
            staging.freeAll();
        }

        final ByteBuffer trailer = ByteBuffer.allocate(TRAILER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        trailer.putLong(TRAILER_MAGIC_OFFSET, TRAILER_MAGIC);
        trailer.putLong(TRAILER_ENTRIES_OFFSET, entries);
        trailer.putLong(TRAILER_PAYLOAD_BYTES_OFFSET, payloadBytes);
        trailer.putInt(TRAILER_SECTIONS_OFFSET, segments.length);
        crc.reset();
        crc.update(trailer.duplicate().limit(TRAILER_CRC_OFFSET));
        trailer.putInt(TRAILER_CRC_OFFSET, (int)crc.getValue());
        writeFully(channel, trailer);
        final long bytes = HEADER_LENGTH + (long)segments.length * SECTION_HEADER_LENGTH + payloadBytes +
            TRAILER_LENGTH;
        return new Outcome(entries - chunks, expired, bytes, maxPauseNanos);
    }

    /** @return the staging buffer: one segment's ring and a section header, in direct memory */
    private static ByteBuffer allocate(final OffHeapAllocator staging, final int bytes) throws IOException
    {
        try
        {
            return staging.allocate(bytes);
        }
        catch (final OutOfMemoryError ex)
        {
            throw new IOException("a save stages one segment at a time and needs " + bytes +
                " bytes of direct memory for it, more than the JVM allows (raise -XX:MaxDirectMemorySize, or use" +
                " more segments): " + ex.getMessage(), ex);
        }
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    /** Makes the rename durable; platforms that cannot open a directory (Windows) skip it. */
    private static void forceDirectory(final Path directory)
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            // not supported here; the rename is still atomic
        }
    }

    private static void deleteQuietly(final Path temp)
    {
        try
        {
            Files.deleteIfExists(temp);
        }
        catch (final IOException ex)
        {
            // nothing more to do: the target is untouched either way
        }
    }

    /** @return the cause in words: file-system exceptions carry only a path as their message */
    static String describe(final IOException ex)
    {
        if (ex instanceof AccessDeniedException)
        {
            return "permission denied: " + ex.getMessage();
        }
        if (ex instanceof NoSuchFileException)
        {
            return "no such file or directory: " + ex.getMessage();
        }
        return ex.getClass().getSimpleName() + ": " + ex.getMessage();
    }
}
