package dev.larder.internal;

/**
 * Layout of the value of a large value's head record ({@link EntryDescriptor}, flag H): which
 * chunks hold the value's bytes. The value itself is cut into chunks of {@code chunk length} bytes
 * (the last may be shorter), each an internal record (flag C) whose 8-byte key is its chunk id:
 * chunk {@code i} has id {@code generation + i} and lives in segment {@code (generation + i) mod
 * segments}, so the chunks of one value go round the segments one after the other.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                                                               |  0
 *  +              generation: the id of chunk 0 (64 bits)          +
 *  |                                                               |  4
 *  +---------------------------------------------------------------+
 *  |                 value length (bytes of the value)             |  8
 *  +---------------------------------------------------------------+
 *  |                 chunk length (bytes per chunk)                | 12
 *  +---------------------------------------------------------------+
 *  |        check: the low 32 bits of the key's hash, xor the high  | 16
 *  +---------------------------------------------------------------+
 *  |                    reserved (written as 0)                    | 20
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Every chunk carries the head's check in its header ({@link EntryDescriptor#CHUNK_CHECK_OFFSET}),
 * and a chunk is found only under both its id and its check.
 *
 * Generations are drawn from a per-cache counter that starts at a random value (derived from the
 * hash seed when one is fixed) and advances by the chunk count of each value, so no two values
 * written by one cache share a chunk id, and a chunk is written once and never changed: a reader
 * that assembles the chunks of one generation cannot mix the bytes of two values. A cache loaded
 * from a snapshot restores chunks under their ids and moves its counter past them
 * ({@link LargeValueRestore#finish}), so that holds across restarts too. The check makes
 * a chunk of another key that happens to have the same id (restored from a snapshot written by
 * another process) a miss rather than a match.
 */
public final class LargeValueDescriptor
{
    static final int GENERATION_OFFSET;
    static final int VALUE_LENGTH_OFFSET;
    static final int CHUNK_LENGTH_OFFSET;
    static final int CHECK_OFFSET;
    static final int RESERVED_OFFSET;
    /** Length of a head's value. */
    public static final int LENGTH;

    static
    {
        int offset = 0;
        GENERATION_OFFSET = offset;
        offset += Long.BYTES;
        VALUE_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        CHUNK_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        CHECK_OFFSET = offset;
        offset += Integer.BYTES;
        RESERVED_OFFSET = offset;
        offset += Integer.BYTES;
        LENGTH = offset;
    }

    private LargeValueDescriptor()
    {
    }

    /** @return the number of chunks of a value of {@code valueLength} bytes cut into {@code chunkLength} */
    static int chunkCount(final int valueLength, final int chunkLength)
    {
        return (int)(((long)valueLength + chunkLength - 1) / chunkLength);
    }
}
