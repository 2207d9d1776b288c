package dev.larder.internal;

import static dev.larder.internal.EntryDescriptor.HEADER_LENGTH;
import static dev.larder.internal.IndexDescriptor.EMPTY;
import static dev.larder.internal.IndexDescriptor.SLOT_LENGTH;

/**
 * A segment's index: open addressing over 8-byte slots that point at ring records, Robin Hood
 * probing with a bounded displacement.
 *
 * <h2>Layout</h2>
 * An array of slots ({@link IndexDescriptor}: tag, record position, R bit, access epoch), off-heap,
 * with no pointers. A key's home slot comes from its tag; the index holds live entries only, at
 * most {@link IndexDescriptor#maxEntries(int)} (75% of the slots), and the segment evicts before
 * passing that.
 *
 * <h2>Probing</h2>
 * Insertion is Robin Hood: walking from its home slot, a new entry takes the slot of any entry less
 * displaced than itself and carries that one on. A lookup stops at an empty slot, at an entry less
 * displaced than its own distance (the key would have taken that slot), or after the probe limit
 * ({@link IndexDescriptor#MAX_DISPLACEMENT}, less in a tiny index). An insertion that would push an
 * entry past the limit returns that entry instead: it has the same home slot, and the segment
 * evicts it (a collision eviction, the one case where the index rather than the ring decides).
 * Deletion shifts the displaced entries that follow back by one: no tombstones. Probes compare the
 * tag, then the key length, then every key byte: equal hashes never make two keys one entry.
 *
 * <h2>Concurrency</h2>
 * Slots are written under the segment lock, except the access mark: a lock-free reader sets R and
 * the epoch with a compare-and-set on the slot value it validated ({@link #markAccessed}), which
 * can succeed only while that slot still points at the same record. {@link #locate} is the
 * lock-free lookup: it writes nothing and trusts nothing it reads. {@link #find} is the locked one
 * and leaves what it found in {@link #foundPosition()} and friends. Both walk the same probe.
 */
final class SlotIndex
{
    /** Result of a lookup that found nothing. */
    static final int NOT_FOUND = -1;
    /** Result of a lock-free lookup that saw a writer at work (or data it could not trust). */
    static final int RETRY = -2;

    private final Memory memory;
    /** The records the slots point into; set once by {@link #bind}, before any other call. */
    private Ring ring;
    private final int slots;
    private final int maxEntries;
    /**
     * The farthest an entry may sit past its home slot: {@link IndexDescriptor#MAX_DISPLACEMENT}, or less in a tiny
     * index.
     */
    private final int probeLimit;

    /** Record found by the last {@link #find}: position, length and expiry; valid until the segment changes. */
    private int foundPosition;
    private int foundRecordLength;
    private long foundExpireAt;

    /** @param memory the slots, zero-filled, a multiple of {@link IndexDescriptor#SLOT_LENGTH} */
    SlotIndex(final Memory memory)
    {
        this.memory = memory;
        this.slots = memory.capacity() / SLOT_LENGTH;
        this.maxEntries = IndexDescriptor.maxEntries(slots);
        this.probeLimit = Math.min(IndexDescriptor.MAX_DISPLACEMENT, slots - 1);
        if (maxEntries < 1)
        {
            throw new IllegalArgumentException("index must have at least 2 slots: slots=" + slots);
        }
    }

    /**
     * Sets the records the slots point into. A separate step so that a segment can allocate this
     * object before the ring's page tables: the fields every write changes (this one's, the
     * segment's and its counters) then share a few cache lines, which matters when two threads
     * take turns on a segment (see Segment's constructor).
     *
     * @return this
     */
    SlotIndex bind(final Ring records)
    {
        this.ring = records;
        return this;
    }

    /** @return the most live entries the index holds */
    int maxEntries()
    {
        return maxEntries;
    }

    // ------------------------------------------------------------------------------------------
    // Lookup
    // ------------------------------------------------------------------------------------------

    /**
     * The locked lookup: every offset the probe reads is checked, and a bad one is corruption. It
     * leaves the record it finds in {@link #foundPosition()} and friends.
     *
     * @return the slot of the key's entry, expired or not, or {@link #NOT_FOUND}
     */
    int find(final KeyRef key)
    {
        final long found = probe(key, true, null);
        if (found == NOT_FOUND)
        {
            return NOT_FOUND;
        }
        final Memory records = ring.memory();
        foundPosition = (int)found;
        foundRecordLength = Entries.recordLength(Entries.recordWord(records, foundPosition));
        foundExpireAt = Entries.expireAt(records, foundPosition);
        return (int)(found >>> 32);
    }

    /** @return the record position of the last {@link #find} that found one */
    int foundPosition()
    {
        return foundPosition;
    }

    /** @return the record length of the last {@link #find} that found one */
    int foundRecordLength()
    {
        return foundRecordLength;
    }

    /** @return the expire-at of the last {@link #find} that found one */
    long foundExpireAt()
    {
        return foundExpireAt;
    }

    /** @return where the value of the record the last {@link #find} found starts */
    int foundValueOffset(final KeyRef key)
    {
        return Entries.valueOffset(foundPosition, key.length());
    }

    /** @return the value length of the record the last {@link #find} found, checked against it */
    int foundValueLength(final KeyRef key)
    {
        return ring.checkedValueLength(foundPosition, foundRecordLength, key.length());
    }

    /**
     * The lock-free lookup: reads only, writes no field, and never trusts what it reads: an offset
     * or length that does not fit the ring means a writer is at work, and the answer is RETRY.
     *
     * @return {@code slot << 32 | position} of a live, unexpired match; {@link #NOT_FOUND}; or
     *     {@link #RETRY} (an expired match also retries, so that the locked path removes it)
     */
    long locate(final KeyRef key, final Expiry expiry)
    {
        return probe(key, false, expiry);
    }

    /**
     * The probe both lookups share: from the key's home slot until an empty slot, an entry less
     * displaced than the distance walked, or the probe limit; comparing the tag, then the key
     * length, then the record kind (a chunk's key matches chunks only, a user's key never does), then
     * every key byte, then, for a chunk, its check.
     *
     * @param locked true under the lock: a bad offset is corruption, and throws; false without it:
     *               a bad offset or an expired match is {@link #RETRY}
     * @param expiry for the lock-free lookup, null for the locked one
     * @return {@code slot << 32 | position} of the match, {@link #NOT_FOUND} or {@link #RETRY}
     */
    private long probe(final KeyRef key, final boolean locked, final Expiry expiry)
    {
        final int keyLength = key.length();
        final int tag = key.tag();
        final int wanted = tag & IndexDescriptor.TAG_MASK;
        final Memory records = ring.memory();
        int slot = IndexDescriptor.home(tag, slots);
        for (int distance = 0; distance <= probeLimit; distance++)
        {
            final long value = memory.getLong(slot * SLOT_LENGTH);
            if (value == EMPTY || IndexDescriptor.displacement(value, slot, slots) < distance)
            {
                return NOT_FOUND;
            }
            if (IndexDescriptor.tag(value) == wanted)
            {
                final long position = IndexDescriptor.position(value);
                if (!ring.holdsHeaderAt(position))
                {
                    return locked ? ring.checkedPosition(value) : RETRY; // checkedPosition throws here
                }
                final int at = (int)position;
                final long expiryKeyLength = Entries.expiryKeyLengthWord(records, at);
                if (Entries.keyLengthOf(expiryKeyLength) == keyLength)
                {
                    if (!ring.recordFits(at, keyLength))
                    {
                        return locked ? ring.checkRecord(at, HEADER_LENGTH + keyLength) : RETRY; // so does checkRecord
                    }
                    if (Entries.isChunk(Entries.recordWord(records, at)) == key.isChunk() &&
                        key.matches(records, Entries.keyOffset(at)) &&
                        (!key.isChunk() || Entries.chunkCheck(records, at) == key.chunkCheck()))
                    {
                        return !locked && expiry.isExpired(Entries.expireAtOf(expiryKeyLength)) ? RETRY :
                            (long)slot << 32 | at;
                    }
                }
            }
            slot = next(slot);
        }
        return NOT_FOUND;
    }

    /** @return the slot that points at the live record at {@code position} */
    int slotOf(final int tag, final int position)
    {
        final long wanted = IndexDescriptor.slot(tag, position);
        int slot = IndexDescriptor.home(tag, slots);
        for (int distance = 0; distance <= probeLimit; distance++)
        {
            final long value = memory.getLong(slot * SLOT_LENGTH);
            if (IndexDescriptor.sameRecord(value, wanted))
            {
                return slot;
            }
            if (value == EMPTY)
            {
                break;
            }
            slot = next(slot);
        }
        throw new IllegalStateException("corrupted segment: the index has no slot for a live record: position=" +
            position + ", ringSize=" + ring.size());
    }

    /** @return the slot of the live record at {@code position}, whose tag is read from the record */
    int slotOf(final int position)
    {
        return slotOf(Entries.tag(ring.memory(), position), position);
    }

    // ------------------------------------------------------------------------------------------
    // Changes (under the lock)
    // ------------------------------------------------------------------------------------------

    long slotValue(final int slot)
    {
        return memory.getLong(slot * SLOT_LENGTH);
    }

    void setSlotValue(final int slot, final long value)
    {
        memory.putLong(slot * SLOT_LENGTH, value);
    }

    /**
     * Robin Hood insertion of a record, unreferenced, stamped with {@code epoch}.
     *
     * @return {@link IndexDescriptor#EMPTY}, or the slot value of the entry an insertion at the
     *     probe limit overwrote: the caller must evict that entry (see the class comment)
     */
    long insert(final int tag, final int position, final int epoch)
    {
        long carried = IndexDescriptor.unreferenced(IndexDescriptor.referenced(IndexDescriptor.slot(tag, position),
            epoch));
        int slot = IndexDescriptor.home(tag, slots);
        for (int distance = 0; ; distance++)
        {
            final int offset = slot * SLOT_LENGTH;
            final long value = memory.getLong(offset);
            if (value == EMPTY)
            {
                memory.putLong(offset, carried);
                return EMPTY;
            }
            final int displacement = IndexDescriptor.displacement(value, slot, slots);
            if (displacement < distance)
            {
                memory.putLong(offset, carried);
                carried = value;
                distance = displacement;
            }
            else if (distance >= probeLimit)
            {
                memory.putLong(offset, carried);
                return value;
            }
            slot = next(slot);
        }
    }

    /** Robin Hood deletion: shifts the displaced entries after {@code slot} back by one; no tombstones. */
    void delete(final int slot)
    {
        int hole = slot;
        int current = next(slot);
        for (int shifted = 0; ; shifted++)
        {
            final long value = memory.getLong(current * SLOT_LENGTH);
            if (value == EMPTY || IndexDescriptor.displacement(value, current, slots) == 0)
            {
                break;
            }
            if (shifted == slots)
            {
                throw new IllegalStateException("corrupted segment: the index has no empty slot: slot=" + current +
                    ", slots=" + slots);
            }
            memory.putLong(hole * SLOT_LENGTH, value);
            hole = current;
            current = next(current);
        }
        memory.putLong(hole * SLOT_LENGTH, EMPTY);
    }

    /** Empties every slot. */
    void clear()
    {
        memory.zero(0, memory.capacity());
    }

    // ------------------------------------------------------------------------------------------
    // Access marks
    // ------------------------------------------------------------------------------------------

    /**
     * Sets R and {@code epoch} on the slot of a validated lock-free hit, when they change. The CAS
     * expects the slot value just read, and that value must still point at the record the reader
     * validated, so the write lands only on that record's slot; a slot changed since is left alone.
     *
     * @return true when this call changed the mark
     */
    boolean markAccessed(final int slot, final int position, final int epoch)
    {
        final int offset = slot * SLOT_LENGTH;
        final long value = memory.getLong(offset);
        if (value == EMPTY || IndexDescriptor.position(value) != position)
        {
            return false;
        }
        final long marked = IndexDescriptor.referenced(value, epoch);
        return marked != value && memory.compareAndSetLong(offset, value, marked);
    }

    /**
     * Sets R and {@code epoch} on a slot, under the lock.
     *
     * @return true when this call changed the mark
     */
    boolean markAccessedLocked(final int slot, final int epoch)
    {
        final int offset = slot * SLOT_LENGTH;
        final long value = memory.getLong(offset);
        final long marked = IndexDescriptor.referenced(value, epoch);
        // a CAS, not a put: a lock-free reader may be marking the same slot
        return marked != value && memory.compareAndSetLong(offset, value, marked);
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Checks the Robin Hood order: no entry past the probe limit, and displacement never rising by
     * more than one from a slot to the next.
     *
     * @return the number of occupied slots
     */
    int verify()
    {
        int occupied = 0;
        for (int slot = 0; slot < slots; slot++)
        {
            final long value = memory.getLong(slot * SLOT_LENGTH);
            if (value == EMPTY)
            {
                continue;
            }
            occupied++;
            final int displacement = IndexDescriptor.displacement(value, slot, slots);
            final long following = memory.getLong(next(slot) * SLOT_LENGTH);
            if (displacement > probeLimit || following != EMPTY &&
                IndexDescriptor.displacement(following, next(slot), slots) > displacement + 1)
            {
                throw new IllegalStateException("index breaks the Robin Hood order at slot " + slot +
                    ": displacement=" + displacement + ", probeLimit=" + probeLimit);
            }
        }
        return occupied;
    }

    private int next(final int slot)
    {
        final int next = slot + 1;
        return next == slots ? 0 : next;
    }
}
