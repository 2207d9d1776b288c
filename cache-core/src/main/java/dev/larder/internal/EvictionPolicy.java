package dev.larder.internal;

import static dev.larder.internal.EntryDescriptor.HEADER_LENGTH;

import dev.larder.RemovalCause;

/**
 * Which record leaves when a segment needs room: second chance (CLOCK) with an age limit.
 *
 * <h2>Eviction</h2>
 * Each index slot carries a referenced bit R and the 4-bit epoch of the entry's last read
 * ({@link IndexDescriptor}). The segment's epoch advances every {@code holds / }
 * {@link #EPOCHS_PER_TURNOVER} insertions, where {@code holds} is the number of entries the
 * segment holds when full (estimated from the live count and the bytes they use, so the estimate
 * is right while the segment fills): {@value #EPOCHS_PER_TURNOVER} epochs are about one turnover of
 * the segment's contents. When the ring lacks room, or the index is at its load limit, the segment
 * examines the record at the ring's head: padding and deleted records are reclaimed; an expired
 * entry is evicted; an entry with R set whose last read is less than {@link #KEEP_AGE} epochs old
 * is {@link #keeps kept}: R is cleared and the record moves to the tail; any other entry is
 * evicted.
 *
 * <h2>Why the age limit</h2>
 * Plain CLOCK (R alone) keeps an entry read once, long ago, for another full turn of the ring;
 * requiring the read to be recent brings the policy within a point of exact LRU on the reference
 * traces (docs/benchmarks.md). The epoch wraps; an R bit never survives 16 epochs, since the head
 * reaches every record within one turnover and clears it.
 *
 * <h2>Bounded moves</h2>
 * Moves in a row are bounded by the live count: after one full sweep every R is clear, so the head
 * is evicted. Each move consumes an R that a read set, so moves cost no more than reads, amortised.
 *
 * <h2>Collisions</h2>
 * The index evicts too: an insertion that would push an entry past the probe limit overwrites it
 * ({@link SlotIndex#insert}), and {@link #evictDisplaced} removes its record.
 *
 * <h2>Concurrency</h2>
 * Changed under the segment lock; lock-free readers read {@link #epoch()} (a plain field: a stale
 * epoch only makes a read look a little older). The segment counts what
 * {@link #evictHead(int)} reports.
 */
class EvictionPolicy
{
    /** Epochs per turnover of the segment's contents. */
    static final int EPOCHS_PER_TURNOVER = 8;
    /** A referenced entry last read fewer than this many epochs ago is kept (moved to the tail). */
    static final int KEEP_AGE = 6;

    final Ring ring;
    final SlotIndex index;
    final Expiry expiry;
    final Callbacks callbacks;

    /** Access epoch, 0 to {@link IndexDescriptor#EPOCHS} - 1; read without the lock by readers. */
    private int epoch;
    private int insertsThisEpoch;
    /** Insertions per epoch: an eighth of the entries the segment holds when full. */
    private int epochLength = 1;
    /** The entries the segment holds when full, estimated at the last epoch change. */
    int holds = 1;
    private int consecutiveMoves;

    EvictionPolicy(final Ring ring, final SlotIndex index, final Expiry expiry, final Callbacks callbacks)
    {
        this.ring = ring;
        this.index = index;
        this.expiry = expiry;
        this.callbacks = callbacks;
    }

    /** @return the current access epoch, to stamp on a slot that is read or inserted */
    int epoch()
    {
        return epoch;
    }

    /** Starts a new append: the moves it makes are counted from zero. */
    void beforeAppend()
    {
        consecutiveMoves = 0;
    }

    /**
     * Makes room when the ring lacks it although {@link #hasBudgetFor} holds; here, as
     * {@link #evictHead}.
     */
    SegmentStat evictForRoom(final int live)
    {
        return evictHead(live);
    }

    /**
     * @return true when the policy's byte budget has room for a record of {@code recordLength}
     *     beside the live ones; this policy's budget is the ring itself ({@link Ring#hasRoomFor})
     */
    boolean hasBudgetFor(final int recordLength)
    {
        return true;
    }

    /**
     * Examines the record at the ring's head and reclaims, moves or removes it (see the class
     * comment); the listener hears of a removal first.
     *
     * @param live the entries the segment holds
     * @return what to count: {@link SegmentStat#MOVES} for a second chance, {@link SegmentStat#EVICTIONS}
     *     or {@link SegmentStat#EXPIRATIONS} for a removed entry, {@link SegmentStat#CHUNK_EVICTIONS}
     *     for a removed chunk of a large value, null for reclaimed padding or a deleted record
     */
    SegmentStat evictHead(final int live)
    {
        final Memory memory = ring.memory();
        final int position = ring.head();
        final int word = Entries.recordWord(memory, position);
        final int recordLength = Entries.recordLength(word);
        ring.checkRecord(position, Math.max(recordLength, EntryDescriptor.ALIGNMENT));
        if (Entries.isPadding(word) || Entries.isDeleted(word))
        {
            ring.reclaimHead(recordLength);
            return null;
        }
        ring.checkRecord(position, HEADER_LENGTH + Entries.keyLength(memory, position));
        final boolean expired = expiry.isExpired(Entries.expireAt(memory, position));
        final int slot = index.slotOf(position);
        final long slotValue = index.slotValue(slot);
        if (!expired && keeps(slotValue, live))
        {
            final int moved = ring.moveHeadToTail(recordLength);
            index.setSlotValue(slot, IndexDescriptor.moved(IndexDescriptor.unreferenced(slotValue), moved));
            return SegmentStat.MOVES;
        }
        callbacks.notifyRemoval(position, expired ? RemovalCause.EXPIRED : RemovalCause.EVICTED);
        index.delete(slot);
        ring.reclaimHead(recordLength);
        return Entries.isChunk(word) ? SegmentStat.CHUNK_EVICTIONS :
            expired ? SegmentStat.EXPIRATIONS : SegmentStat.EVICTIONS;
    }

    /**
     * Removes the record of the entry whose slot value an insertion at the probe limit has just
     * overwritten ({@link SlotIndex#insert}); the listener hears of it as an eviction.
     *
     * @return true when the record was a chunk of a large value
     */
    boolean evictDisplaced(final long slotValue)
    {
        final Memory memory = ring.memory();
        final int position = ring.checkedPosition(slotValue);
        ring.checkRecord(position, HEADER_LENGTH + Entries.keyLength(memory, position));
        callbacks.notifyRemoval(position, RemovalCause.EVICTED);
        final boolean chunk = Entries.isChunk(Entries.recordWord(memory, position));
        ring.markDeleted(position);
        return chunk;
    }

    /** @return true to give the live, unexpired head entry a second chance; a kept one counts as a move */
    private boolean keeps(final long slotValue, final int live)
    {
        if (consecutiveMoves < live && IndexDescriptor.isReferenced(slotValue) &&
            ((epoch - IndexDescriptor.epoch(slotValue)) & (IndexDescriptor.EPOCHS - 1)) < KEEP_AGE)
        {
            consecutiveMoves++;
            return true;
        }
        return false;
    }

    /**
     * Counts an insertion; advances the epoch after {@code epochLength} of them.
     *
     * @param live       entries held, the new one included
     * @param maxEntries the most the index holds
     * @param ringSize   the ring's bytes
     * @param used       the ring's bytes in use
     */
    void afterInsert(final int live, final int maxEntries, final int ringSize, final int used)
    {
        if (++insertsThisEpoch >= epochLength)
        {
            insertsThisEpoch = 0;
            epoch = (epoch + 1) & (IndexDescriptor.EPOCHS - 1);
            // the entries the segment holds when full, estimated from the mean record size so far
            // (so epochs keep their length while the segment fills)
            holds = (int)Math.max(1, Math.min(maxEntries, estimateHolds(live, ringSize, used)));
            epochLength = Math.max(1, holds / EPOCHS_PER_TURNOVER);
        }
    }

    /** @return the entries the segment holds when full, estimated from the live ones and the bytes they use */
    long estimateHolds(final int live, final int ringSize, final int used)
    {
        return (long)live * ringSize / Math.max(used, 1);
    }

    /** @return the epoch distance since {@code slotValue} was last read */
    final int age(final long slotValue)
    {
        return (epoch - IndexDescriptor.epoch(slotValue)) & (IndexDescriptor.EPOCHS - 1);
    }

    /** Forgets the insertions and moves counted so far, for an emptied segment; the epoch stays. */
    void clear()
    {
        insertsThisEpoch = 0;
        consecutiveMoves = 0;
    }
}
