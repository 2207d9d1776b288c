package dev.larder.internal;

/**
 * Layout of one slot of a segment's open-addressing index: an array of 64-bit slots, off-heap,
 * with no pointers. Linear probing from the key's home slot; deletion shifts later entries back
 * (no tombstones), so a probe stops at the first empty slot.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |          record position / 8 + 1   (0 = empty slot)            |  0 (low word)
 *  +---------------------------------------------------------------+
 *  |          hash tag (high 32 bits of the key hash)              |  4 (high word)
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The slot is one native-order {@code long}: {@code (long)tag << 32 | (position >>> 3) + 1}. The
 * tag filters probes so that key bytes are compared only on a 32-bit match; keys are always
 * compared in full. The home slot is {@code (tag * slots) >>> 32} (Lemire's range reduction), so
 * the slot count need not be a power of two and the index can use exactly the bytes the budget
 * leaves it.
 */
public final class IndexDescriptor
{
    /** Bytes per slot. */
    public static final int SLOT_LENGTH = Long.BYTES;
    /** Highest fraction of slots in use; the segment evicts before passing it. */
    public static final double MAX_LOAD_FACTOR = 0.75;
    /** Empty slot value. */
    public static final long EMPTY = 0L;

    private IndexDescriptor()
    {
    }

    /** @return the slot value for a record. */
    public static long slot(final int tag, final int position)
    {
        return ((long)tag << 32) | ((position >>> 3) + 1L);
    }

    /** @return the tag stored in a slot. */
    public static int tag(final long slot)
    {
        return (int)(slot >>> 32);
    }

    /** @return the record position stored in a non-empty slot. */
    public static long position(final long slot)
    {
        return ((slot & 0xFFFF_FFFFL) - 1) << 3;
    }

    /** @return the home slot of a tag in an index of {@code slots} slots. */
    public static int home(final int tag, final int slots)
    {
        return (int)(((tag & 0xFFFF_FFFFL) * slots) >>> 32);
    }

    /** @return the largest number of live entries an index of {@code slots} slots may hold. */
    public static int maxEntries(final int slots)
    {
        return (int)(slots * MAX_LOAD_FACTOR);
    }
}
