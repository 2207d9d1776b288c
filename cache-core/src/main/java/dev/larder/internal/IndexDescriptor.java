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
 *  +-+-------+-----------------------------------------------------+
 *  |R| epoch |        hash tag (top 27 bits of the key hash)       |  4 (high word)
 *  +-+-------+-----------------------------------------------------+
 *   bit 32 = R, bits 33-36 = epoch, bits 37-63 = tag
 * </pre>
 *
 * The slot is one native-order {@code long}. The tag filters probes so that key bytes are compared
 * only on a 27-bit match; keys are always compared in full. The home slot is
 * {@code (tag * slots) >>> 32} (Lemire's range reduction), so the slot count need not be a power
 * of two and the index can use exactly the bytes the budget leaves it.
 *
 * <h2>Probing: Robin Hood, bounded</h2>
 * An entry's displacement is how far its slot lies past its home slot (computed from the tag, so
 * it needs no extra bits). Insertion is Robin Hood: a key walking from its home takes the slot of
 * any entry less displaced than itself and carries that entry on. Along a run of occupied slots,
 * displacement therefore never rises by more than one per slot, and a lookup stops at the first
 * entry less displaced than its own distance: the key would have taken that slot. No entry sits
 * more than {@link #MAX_DISPLACEMENT} slots past its home; an insertion that would push one past
 * the bound evicts the entry of that slot instead (Segment counts it). With random hashes at the
 * 75% load limit the largest displacement seen is under 30 even in 400,000-slot indexes, so the
 * bound costs ordinary keys nothing; it caps what a colliding key set can cost at
 * {@code MAX_DISPLACEMENT + 1} slots and key comparisons per operation. Deletion shifts the
 * following displaced entries back by one slot (no tombstones).
 *
 * <h2>Access metadata</h2>
 * R (referenced) and the 4-bit access epoch drive eviction (see {@link Segment}). They live in the
 * slot, not in the record, because lock-free readers set them with a compare-and-set on the slot
 * value they read: the CAS succeeds only while the slot still points at the very record the reader
 * validated, so a reader can never write into a record that a writer has since reused. Everything
 * else in the slot is written only under the segment lock.
 */
public final class IndexDescriptor
{
    /** Bytes per slot. */
    public static final int SLOT_LENGTH = Long.BYTES;
    /** Highest fraction of slots in use; the segment evicts before passing it. */
    public static final double MAX_LOAD_FACTOR = 0.75;
    /** Empty slot value. */
    static final long EMPTY = 0L;

    /** The tag bits of a hash's high word that the slot keeps. */
    static final int TAG_MASK = -1 << 5;
    /** Slot bit: the entry was read since it was last written or moved. */
    static final long REFERENCED = 1L << 32;
    /** Number of distinct access epochs (they wrap). */
    static final int EPOCHS = 16;
    private static final int EPOCH_SHIFT = 33;
    /** Slot bits holding access metadata rather than identity. */
    static final long META_MASK = REFERENCED | (long)(EPOCHS - 1) << EPOCH_SHIFT;
    private static final long POSITION_MASK = 0xFFFF_FFFFL;

    private IndexDescriptor()
    {
    }

    /** @return the slot value for a record, with no access metadata. */
    static long slot(final int tag, final int position)
    {
        return ((long)(tag & TAG_MASK) << 32) | ((position >>> 3) + 1L);
    }

    /** @return the tag stored in a slot (the top 27 bits of the hash's high word). */
    static int tag(final long slot)
    {
        return (int)(slot >>> 32) & TAG_MASK;
    }

    /** @return the record position stored in a non-empty slot. */
    static long position(final long slot)
    {
        return ((slot & POSITION_MASK) - 1) << 3;
    }

    /**
     * @return true when {@code slot} holds the record {@code identity} (a {@link #slot} value), whatever its metadata.
     */
    static boolean sameRecord(final long slot, final long identity)
    {
        return (slot & ~META_MASK) == identity;
    }

    /** @return true when the slot's R bit is set. */
    static boolean isReferenced(final long slot)
    {
        return (slot & REFERENCED) != 0;
    }

    /** @return the access epoch of a slot, {@code 0 <= epoch < EPOCHS}. */
    static int epoch(final long slot)
    {
        return (int)(slot >>> EPOCH_SHIFT) & (EPOCHS - 1);
    }

    /** @return {@code slot} marked referenced at {@code epoch}. */
    static long referenced(final long slot, final int epoch)
    {
        return (slot & ~META_MASK) | REFERENCED | (long)(epoch & (EPOCHS - 1)) << EPOCH_SHIFT;
    }

    /** @return {@code slot} with R cleared and its epoch kept. */
    static long unreferenced(final long slot)
    {
        return slot & ~REFERENCED;
    }

    /** @return {@code slot} with R cleared and its epoch set to {@code epoch}. */
    static long unreferenced(final long slot, final int epoch)
    {
        return (slot & ~META_MASK) | (long)(epoch & (EPOCHS - 1)) << EPOCH_SHIFT;
    }

    /** @return {@code slot} pointing at a new position, its tag and metadata kept. */
    static long moved(final long slot, final int position)
    {
        return (slot & ~POSITION_MASK) | ((position >>> 3) + 1L);
    }

    /** @return the home slot of a tag in an index of {@code slots} slots. */
    static int home(final int tag, final int slots)
    {
        return (int)(((tag & TAG_MASK & 0xFFFF_FFFFL) * slots) >>> 32);
    }

    /** The farthest any entry sits past its home slot (see the class comment). */
    public static final int MAX_DISPLACEMENT = 64;

    /** @return how many slots past its home slot {@code slot} lies, for the entry {@code value} it holds. */
    static int displacement(final long value, final int slot, final int slots)
    {
        final int distance = slot - home(tag(value), slots);
        return distance < 0 ? distance + slots : distance;
    }

    /** @return the largest number of live entries an index of {@code slots} slots may hold. */
    static int maxEntries(final int slots)
    {
        return (int)(slots * MAX_LOAD_FACTOR);
    }
}
