package dev.larder.internal;

import static dev.larder.internal.SnapshotDescriptor.CAPACITY_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.HASH_FAST_TRUSTED_KEYS;
import static dev.larder.internal.SnapshotDescriptor.HASH_FUNCTION_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.HASH_SIPHASH_1_3;
import static dev.larder.internal.SnapshotDescriptor.HEADER_CRC_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.HEADER_LENGTH;
import static dev.larder.internal.SnapshotDescriptor.HEADER_LENGTH_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.KIND_MASK;
import static dev.larder.internal.SnapshotDescriptor.MAGIC;
import static dev.larder.internal.SnapshotDescriptor.MAGIC_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.RECORD_EXPIRE_AT_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.RECORD_HEADER_LENGTH;
import static dev.larder.internal.SnapshotDescriptor.RECORD_KEY_LENGTH_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.RECORD_KIND_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.RECORD_RESERVED_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.RECORD_VALUE_LENGTH_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_CRC_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_ENTRIES_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_HEADER_LENGTH;
import static dev.larder.internal.SnapshotDescriptor.SECTION_INDEX_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_MARKER;
import static dev.larder.internal.SnapshotDescriptor.SECTION_MARKER_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_PAYLOAD_CRC_OFFSET;
import static dev.larder.internal.SnapshotDescriptor.SECTION_PAYLOAD_LENGTH_OFFSET;
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
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import dev.larder.SnapshotException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;

/**
 * Reads a snapshot file ({@link SnapshotDescriptor}) into a cache, section by section.
 *
 * <h2>Checks</h2>
 * Nothing read is trusted before its checksum: the header's CRC32C before its fields are used, a
 * section header's before its lengths, a payload's before any of its records is parsed, and then
 * every record's lengths against the payload, the counts against the section header and the
 * trailer, and the file's end against the trailer's. The first problem ends the load with a
 * {@link SnapshotException} naming the file and the problem; the whole load is refused (the
 * builder frees the half-filled cache), so a damaged file never yields a wrong entry nor a partial
 * cache. Lengths read from the file are bounded by the bytes the file has left before anything is
 * allocated.
 *
 * <h2>Concurrency</h2>
 * A file of {@link #PREFETCH_MIN_BYTES} or more is read one section ahead by a thread of the load's
 * own: it reads and checks section i + 1 (header, payload, checksums) while the calling thread
 * parses and stores section i, so reading from the disk overlaps filling the cache. Two payload
 * buffers alternate; the thread is stopped and waited for before the buffers are freed. Entries
 * are stored by the calling thread only, in file order.
 *
 * <h2>Time</h2>
 * A stored expire-at is wall-clock ms; the remaining time to live is taken against the wall clock
 * at each section; entries whose time has passed are dropped and counted.
 */
public final class SnapshotReader
{
    /** Where the entries go. */
    @FunctionalInterface
    public interface Sink
    {
        /**
         * @param ttlMillis  the remaining time to live, or 0 for no expiry
         * @param kindBits   the record's kind: 0, {@link EntryDescriptor#FLAG_CHUNK} or {@link EntryDescriptor#FLAG_HEAD}
         * @param chunkCheck a chunk's check; 0 for other records
         * @return true when stored, false when refused as too large (for a chunk, not counted)
         */
        boolean restore(
            DirectBuffer buffer, int keyOffset, int keyLength, int valueOffset, int valueLength, long ttlMillis,
            int kindBits, int chunkCheck);
    }

    /**
     * What a load did; the counts are of entries: a large value is one (its head), its chunks are
     * not counted.
     */
    public record Outcome(long entries, long loaded, long expired, long rejected, long bytes)
    {
    }

    /** Files from this size on are read one section ahead on a thread of their own. */
    public static final long PREFETCH_MIN_BYTES = 32 << 10;

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final CRC32C crc = new CRC32C();
    /** Allocates the payload buffers (on the prefetch thread only); freed at once when the load ends. */
    private final OffHeapAllocator buffers = OffHeapAllocator.create();
    private long position;

    private SnapshotReader(final Path file, final FileChannel channel) throws IOException
    {
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
    }

    /**
     * @param wallClock   wall-clock ms since 1970
     * @param maxTtlMillis longest time to live to restore (a longer remaining one is cut to it)
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     * @throws SnapshotException when the file cannot be loaded: empty, truncated, damaged, foreign, newer
     * @throws IOException when it cannot be read
     */
    public static Outcome load(final Path file, final LongSupplier wallClock, final long maxTtlMillis, final Sink sink)
        throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final SnapshotReader reader = new SnapshotReader(file, channel);
            try
            {
                return reader.read(wallClock, maxTtlMillis, sink);
            }
            finally
            {
                reader.buffers.freeAll();
            }
        }
    }

    private Outcome read(final LongSupplier wallClock, final long maxTtlMillis, final Sink sink) throws IOException
    {
        final int sections = readHeader();
        final ByteBufferDirectBuffer view = new ByteBufferDirectBuffer();
        final Section[] slots = {new Section(), new Section()};
        // a small file is read on this thread, each section when its turn comes: a thread would cost more than it saves
        final ExecutorService prefetch = size < PREFETCH_MIN_BYTES ? null : Executors.newSingleThreadExecutor(task ->
        {
            final Thread thread = new Thread(task, "larder-snapshot-read");
            thread.setDaemon(true);
            return thread;
        });
        long entries = 0;
        long loaded = 0;
        long expired = 0;
        long chunks = 0;
        long payloadBytes = 0;
        try
        {
            RunnableFuture<Section> next = schedule(prefetch, () -> readSection(0, sections, slots[0]));
            for (int section = 0; section < sections; section++)
            {
                final Section current = await(next, prefetch == null);
                if (section + 1 < sections)
                {
                    final int following = section + 1;
                    next = schedule(prefetch, () -> readSection(following, sections, slots[following & 1]));
                }
                final String where = current.where;
                final long length = current.length;
                final int count = current.count;
                final ByteBuffer bytes = current.payload;
                view.wrap(bytes, 0, (int)length);
                final long wallNow = wallClock.getAsLong();
                int at = 0;
                for (int i = 0; i < count; i++)
                {
                    final String entry = where + ", entry " + i;
                    if (at > length - RECORD_HEADER_LENGTH)
                    {
                        throw damaged(entry + " runs past the section's payload");
                    }
                    final int kind = view.getInt(at + RECORD_KIND_OFFSET, LITTLE_ENDIAN);
                    final int keyLength = view.getInt(at + RECORD_KEY_LENGTH_OFFSET, LITTLE_ENDIAN);
                    final int valueLength = view.getInt(at + RECORD_VALUE_LENGTH_OFFSET, LITTLE_ENDIAN);
                    final int chunkCheck = view.getInt(at + RECORD_RESERVED_OFFSET, LITTLE_ENDIAN);
                    checkKind(entry, kind, keyLength, valueLength, chunkCheck,
                        view.getLong(at + RECORD_EXPIRE_AT_OFFSET, LITTLE_ENDIAN));
                    if (keyLength < 0 || keyLength > EntryDescriptor.MAX_KEY_LENGTH || valueLength < 0 ||
                        SnapshotDescriptor.recordLength(keyLength, valueLength) > length - at)
                    {
                        throw damaged(entry + " has lengths outside the payload: keyLength=" + keyLength +
                            ", valueLength=" + valueLength);
                    }
                    final long expireAt = view.getLong(at + RECORD_EXPIRE_AT_OFFSET, LITTLE_ENDIAN);
                    final int keyOffset = at + RECORD_HEADER_LENGTH;
                    at = keyOffset + keyLength + valueLength;
                    if ((kind & EntryDescriptor.FLAG_CHUNK) != 0)
                    {
                        chunks++; // a part of a large value, not an entry: its head counts for it
                        sink.restore(view, keyOffset, keyLength, keyOffset + keyLength, valueLength, 0, kind,
                            chunkCheck);
                        continue;
                    }
                    if (expireAt != 0 && expireAt <= wallNow)
                    {
                        expired++;
                        continue;
                    }
                    final long ttl = expireAt == 0 ? 0 : Math.min(expireAt - wallNow, maxTtlMillis);
                    if (sink.restore(view, keyOffset, keyLength, keyOffset + keyLength, valueLength, ttl, kind, 0))
                    {
                        loaded++;
                    }
                }
                if (at != length)
                {
                    throw damaged(where + " has " + (length - at) + " bytes after its " + count + " entries");
                }
                entries += count;
                payloadBytes += length;
            }
        }
        finally
        {
            if (prefetch != null)
            {
                prefetch.shutdownNow();
                awaitTermination(prefetch);
            }
        }
        readTrailer(sections, entries, payloadBytes);
        final long values = entries - chunks;
        return new Outcome(values, loaded, expired, values - loaded - expired, size);
    }

    /**
     * Checks a record's kind against the rest of it: a chunk has an 8-byte key (its id) and no
     * expiry, a head's value is a {@link LargeValueDescriptor}, and only a chunk has a check.
     */
    private void checkKind(
        final String entry, final int kind, final int keyLength, final int valueLength, final int chunkCheck,
        final long expireAt) throws SnapshotException
    {
        final boolean chunk = (kind & EntryDescriptor.FLAG_CHUNK) != 0;
        final boolean head = (kind & EntryDescriptor.FLAG_HEAD) != 0;
        if ((kind & ~KIND_MASK) != 0 || chunk && head)
        {
            throw damaged(entry + " has unknown kind bits: kind=" + kind);
        }
        if (chunk ? keyLength != Long.BYTES || expireAt != 0 : chunkCheck != 0)
        {
            throw damaged(entry + " is not a valid " + (chunk ? "chunk" : "entry") + ": keyLength=" + keyLength +
                ", expireAt=" + expireAt + ", check=" + chunkCheck);
        }
        if (head && valueLength != LargeValueDescriptor.LENGTH)
        {
            throw damaged(entry + " is a large value's head of " + valueLength + " bytes, not " +
                LargeValueDescriptor.LENGTH);
        }
    }

    /** A section read and checked against its checksums, waiting to be parsed. */
    private static final class Section
    {
        ByteBuffer payload;
        String where;
        long length;
        int count;
    }

    /**
     * Reads the next section into {@code into} and checks it: its header (marker, CRC32C, number,
     * lengths against the file) and its payload's CRC32C. Runs on the prefetch thread, one section
     * ahead of the parsing, so that reading and checking overlap storing the previous one.
     */
    private Section readSection(final int section, final int sections, final Section into) throws IOException
    {
        final String where = "section " + section + " of " + sections;
        final ByteBuffer sectionHeader = ByteBuffer.allocate(SECTION_HEADER_LENGTH).order(LITTLE_ENDIAN);
        readFully(sectionHeader, where);
        if (sectionHeader.getInt(SECTION_MARKER_OFFSET) != SECTION_MARKER)
        {
            throw damaged(where + " has no section marker at byte " + (position - SECTION_HEADER_LENGTH));
        }
        checkCrc(sectionHeader, SECTION_CRC_OFFSET, where + " header");
        final int index = sectionHeader.getInt(SECTION_INDEX_OFFSET);
        final long length = sectionHeader.getLong(SECTION_PAYLOAD_LENGTH_OFFSET);
        final int count = sectionHeader.getInt(SECTION_ENTRIES_OFFSET);
        if (index != section)
        {
            throw damaged(where + " is numbered " + index);
        }
        if (length < 0 || count < 0 || length < (long)count * RECORD_HEADER_LENGTH)
        {
            throw damaged(where + " has impossible lengths: payload=" + length + ", entries=" + count);
        }
        if (length > size - position - TRAILER_LENGTH || length > Integer.MAX_VALUE - 8)
        {
            throw truncated(where + " needs " + length + " payload bytes and a trailer after byte " + position);
        }
        into.payload = payload(into.payload, (int)length, where);
        readFully(into.payload, where);
        crc.reset();
        crc.update(into.payload.duplicate().position(0));
        if ((int)crc.getValue() != sectionHeader.getInt(SECTION_PAYLOAD_CRC_OFFSET))
        {
            throw damaged(where + " fails its CRC32C check");
        }
        into.where = where;
        into.length = length;
        into.count = count;
        return into;
    }

    /** @return the reading of a section: submitted to the prefetch thread, or, without one, run by {@link #await} */
    private static RunnableFuture<Section> schedule(final ExecutorService prefetch, final Callable<Section> read)
    {
        final RunnableFuture<Section> task = new FutureTask<>(read);
        if (prefetch != null)
        {
            prefetch.execute(task);
        }
        return task;
    }

    /** @return the section read, or the exception its reading raised */
    private static Section await(final RunnableFuture<Section> next, final boolean inline) throws IOException
    {
        if (inline)
        {
            next.run();
        }
        try
        {
            return next.get();
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof IOException)
            {
                throw (IOException)cause;
            }
            if (cause instanceof RuntimeException)
            {
                throw (RuntimeException)cause;
            }
            if (cause instanceof Error)
            {
                throw (Error)cause;
            }
            throw new IOException(cause);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while loading a snapshot");
        }
    }

    /** Waits for the prefetch thread to stop, so that no read runs when the buffers are freed. */
    private static void awaitTermination(final ExecutorService prefetch)
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                if (prefetch.awaitTermination(1, TimeUnit.MINUTES))
                {
                    break;
                }
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the section count */
    private int readHeader() throws IOException
    {
        if (size == 0)
        {
            throw new SnapshotException(file, "the file is empty");
        }
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(LITTLE_ENDIAN);
        header.limit((int)Math.min(HEADER_LENGTH, size));
        readFully(header, "the header");
        if (size < Long.BYTES && isMagicPrefix(header, (int)size))
        {
            throw truncated("the file has " + size + " bytes, the header alone needs " + HEADER_LENGTH);
        }
        if (size < Long.BYTES || header.getLong(MAGIC_OFFSET) != MAGIC)
        {
            throw new SnapshotException(file, "not a Larder snapshot: it does not start with \"LARDERSN\"");
        }
        if (size < HEADER_LENGTH)
        {
            throw truncated("the file has " + size + " bytes, the header alone needs " + HEADER_LENGTH);
        }
        final int version = header.getInt(VERSION_OFFSET);
        if (version > VERSION && header.getInt(HEADER_LENGTH_OFFSET) >= HEADER_LENGTH)
        {
            throw new SnapshotException(file, "written by a newer version of Larder: format version=" + version +
                ", this version reads up to " + VERSION);
        }
        checkCrc(header, HEADER_CRC_OFFSET, "the header");
        final int sections = header.getInt(SEGMENTS_OFFSET);
        final int hash = header.getInt(HASH_FUNCTION_OFFSET);
        if (version != VERSION || header.getInt(HEADER_LENGTH_OFFSET) != HEADER_LENGTH ||
            header.getLong(CAPACITY_OFFSET) <= 0 || sections <= 0 || Integer.bitCount(sections) != 1 ||
            hash != HASH_SIPHASH_1_3 && hash != HASH_FAST_TRUSTED_KEYS)
        {
            throw damaged("the header has impossible values: version=" + version + ", segments=" + sections +
                ", hashFunction=" + hash);
        }
        return sections;
    }

    private static boolean isMagicPrefix(final ByteBuffer header, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (header.get(i) != (byte)(MAGIC >>> 8 * i))
            {
                return false;
            }
        }
        return true;
    }

    private void readTrailer(final int sections, final long entries, final long payloadBytes) throws IOException
    {
        final ByteBuffer trailer = ByteBuffer.allocate(TRAILER_LENGTH).order(LITTLE_ENDIAN);
        readFully(trailer, "the trailer");
        if (trailer.getLong(TRAILER_MAGIC_OFFSET) != TRAILER_MAGIC)
        {
            throw damaged("no trailer marker at byte " + (position - TRAILER_LENGTH));
        }
        checkCrc(trailer, TRAILER_CRC_OFFSET, "the trailer");
        if (trailer.getInt(TRAILER_SECTIONS_OFFSET) != sections || trailer.getLong(TRAILER_ENTRIES_OFFSET) != entries ||
            trailer.getLong(TRAILER_PAYLOAD_BYTES_OFFSET) != payloadBytes)
        {
            throw damaged("the trailer does not match the sections: sections=" + sections + ", entries=" + entries +
                ", payloadBytes=" + payloadBytes);
        }
        if (position != size)
        {
            throw damaged("the file has " + (size - position) + " bytes after the trailer");
        }
    }

    private void checkCrc(final ByteBuffer buffer, final int crcOffset, final String what) throws SnapshotException
    {
        crc.reset();
        crc.update(buffer.duplicate().position(0).limit(crcOffset));
        if ((int)crc.getValue() != buffer.getInt(crcOffset))
        {
            throw damaged(what + " fails its CRC32C check");
        }
    }

    /** @return {@code current}, or a larger buffer when it is too small, limited to {@code length} bytes */
    private ByteBuffer payload(final ByteBuffer current, final int length, final String where) throws IOException
    {
        ByteBuffer buffer = current;
        if (buffer == null || buffer.capacity() < length)
        {
            final long grown = buffer == null ? 0 : Math.min(Integer.MAX_VALUE - 8L, buffer.capacity() * 2L);
            final int bytes = (int)Math.max(Math.max(length, grown), 64);
            try
            {
                buffer = buffers.allocate(bytes);
            }
            catch (final OutOfMemoryError ex)
            {
                throw new IOException("cannot load the snapshot " + file + ": " + where + " needs " + bytes +
                    " bytes of direct memory to be read, more than the JVM allows (raise -XX:MaxDirectMemorySize): " +
                    ex.getMessage(), ex);
            }
        }
        return buffer.clear().limit(length);
    }

    /** Fills {@code buffer} from the current position, from its position to its limit. */
    private void readFully(final ByteBuffer buffer, final String what) throws IOException
    {
        buffer.position(0);
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer, position);
            if (read < 0)
            {
                throw truncated("the file ends at byte " + size + ", in " + what);
            }
            position += read;
        }
        buffer.position(0);
    }

    private SnapshotException damaged(final String problem)
    {
        return new SnapshotException(file, "damaged: " + problem);
    }

    private SnapshotException truncated(final String problem)
    {
        return new SnapshotException(file, "truncated: " + problem);
    }
}
