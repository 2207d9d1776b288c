package dev.larder.internal;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;

/**
 * Restores the records of a snapshot ({@link SnapshotReader}) into a new cache, large values
 * included: one per load, used by the loading thread only, before the cache is handed out.
 *
 * <h2>Records</h2>
 * <ul>
 *   <li>An ordinary record is stored under its key, re-hashed by this cache. One that is too large
 *       for this cache's records but not for its large values (the snapshot came from a cache with
 *       larger segments) is kept aside and stored as a large value by {@link #finish}, once the
 *       generation counter is past every restored chunk id.</li>
 *   <li>A chunk (flag C) is stored as a chunk, never as a user's key: under its id, read from its
 *       8 key bytes, and its check, from the record's word at 16, in segment {@code id mod segments}
 *       of this cache, whatever the segment count of the cache that saved it. Nothing is counted
 *       for it: a chunk is not an entry.</li>
 *   <li>A head (flag H) is stored under its user key, re-hashed, with the head flag; its value (the
 *       {@link LargeValueDescriptor}) is kept as it was, so the generation, chunk length and check
 *       still name the restored chunks.</li>
 * </ul>
 *
 * <h2>Finishing</h2>
 * {@link #finish} runs once every record is in:
 * <ol>
 *   <li>The generation counter is moved past the restored ids (see {@link #finish} for why this
 *       keeps new chunk ids away from restored ones).</li>
 *   <li>Every restored head whose chunks are not all live (one was evicted by a later record of a
 *       smaller cache, or refused as too large for this cache's records, or the head names a length
 *       this cache does not take) is removed: counted as an eviction, or as a rejection when a chunk
 *       was refused or the length is not taken, as a read that met it would (so no read ever sees a
 *       partial value); its chunks go with it.</li>
 *   <li>Every restored chunk that no whole head names (its head expired before the load, was
 *       evicted or removed above) is removed; nothing is counted.</li>
 *   <li>The records kept aside are stored as large values.</li>
 * </ol>
 */
public final class LargeValueRestore
{
    private final LargeValues large;
    private final KeyRef scratch = new KeyRef();
    /** Restored chunk ids and their checks. */
    private final Long2LongHashMap chunks = new Long2LongHashMap(Long.MIN_VALUE);
    /** Chunk ids this cache refused. */
    private final LongHashSet refused = new LongHashSet();
    private final List<Head> heads = new ArrayList<>();
    private final List<Deferred> deferred = new ArrayList<>();
    /** True once an id was noted; ids are then kept as offsets from {@link #reference}. */
    private boolean anyId;
    private long reference;
    private long highest;

    LargeValueRestore(final LargeValues large)
    {
        this.large = large;
    }

    /**
     * Stores one record of a snapshot.
     *
     * @param key         this thread's key, set to the record's key bytes by the caller
     * @param kindBits    the record's kind ({@link SnapshotDescriptor#KIND_MASK}), checked by the reader
     * @param chunkCheck  a chunk's check (the record's word at 16); 0 for other records
     * @return for an entry, true when stored (a record kept aside counts as stored until
     *     {@link #finish}); for a chunk, whether it was stored (not an entry either way)
     */
    public boolean restore(
        final KeyRef key, final DirectBuffer buffer, final int keyOffset, final int valueOffset, final int valueLength,
        final long ttlMillis, final int kindBits, final int chunkCheck)
    {
        if ((kindBits & EntryDescriptor.FLAG_CHUNK) != 0)
        {
            return restoreChunk(key, buffer.getLong(keyOffset, ByteOrder.BIG_ENDIAN), chunkCheck, buffer, valueOffset,
                valueLength);
        }
        final Segment segment = large.segmentOf(key);
        try
        {
            if ((kindBits & EntryDescriptor.FLAG_HEAD) != 0)
            {
                return restoreHead(key, segment, buffer, keyOffset, valueOffset, ttlMillis);
            }
            if (large.isLarge(key.length(), valueLength))
            {
                final byte[] keyBytes = new byte[key.length()];
                buffer.getBytes(keyOffset, keyBytes);
                final byte[] value = new byte[valueLength];
                buffer.getBytes(valueOffset, value);
                deferred.add(new Deferred(keyBytes, value, ttlMillis));
                return true;
            }
            return segment.put(key, buffer, valueOffset, valueLength, ttlMillis, PutMode.PUT);
        }
        finally
        {
            large.removeOrphans(key); // a record appended may have evicted a head
        }
    }

    private boolean restoreChunk(
        final KeyRef owner, final long id, final int check, final DirectBuffer buffer, final int valueOffset,
        final int valueLength)
    {
        noteIds(id, 1);
        final KeyRef chunkKey = owner.chunkKey().setChunk(id, check, large.hasher());
        try
        {
            if (large.segmentOf(chunkKey).restoreChunk(chunkKey, buffer, valueOffset, valueLength))
            {
                chunks.put(id, check & 0xFFFFFFFFL);
                return true;
            }
            refused.add(id);
            return false;
        }
        finally
        {
            large.removeOrphans(owner);
        }
    }

    private boolean restoreHead(
        final KeyRef key, final Segment segment, final DirectBuffer buffer, final int keyOffset, final int headOffset,
        final long ttlMillis)
    {
        final long generation = buffer.getLong(headOffset + LargeValueDescriptor.GENERATION_OFFSET,
            ByteOrder.nativeOrder());
        final int length = buffer.getInt(headOffset + LargeValueDescriptor.VALUE_LENGTH_OFFSET,
            ByteOrder.nativeOrder());
        final int stride = buffer.getInt(headOffset + LargeValueDescriptor.CHUNK_LENGTH_OFFSET,
            ByteOrder.nativeOrder());
        final int check = buffer.getInt(headOffset + LargeValueDescriptor.CHECK_OFFSET, ByteOrder.nativeOrder());
        final boolean takes = length >= 0 && length <= large.maxEntrySize() && stride > 0;
        final int count = takes ? LargeValueDescriptor.chunkCount(length, stride) : 0;
        noteIds(generation, count);
        if (!segment.restoreHead(key, buffer, headOffset, ttlMillis))
        {
            return false;
        }
        final byte[] keyBytes = new byte[key.length()];
        buffer.getBytes(keyOffset, keyBytes);
        heads.add(new Head(keyBytes, generation, takes ? count : -1, check));
        return true;
    }

    /**
     * Ends the load (see the class comment).
     *
     * <p>Generations: the cache that saved the snapshot drew every chunk id from one counter that
     * starts at a random value and only moves up (modulo 2^64) by the chunk count of each value;
     * a cache loaded from a snapshot moves its counter just past the restored ids (this method), so
     * that holds across any chain of saves and loads. So every restored id lies in one arc
     * {@code [start, counter)} of the 2^64 ids, as long as the number of chunks ever written, which
     * stays far below 2^63 (292 years at 10^9 chunks a second); the signed distance of every id from
     * any one of them then orders them. Moving this cache's counter one past the highest restored
     * id, head ranges included, makes every id it hands out lie outside that arc until it has
     * handed out 2^64 minus the arc's length ids: a new chunk never takes a restored chunk's id, so
     * {@link Segment#putChunk} never finds its id taken.
     *
     * @return the entries counted as stored by {@link #restore} that are not: heads removed because
     *     a chunk was refused or their length is not taken, and records kept aside and then refused
     */
    public int finish()
    {
        if (anyId)
        {
            large.continueGenerationsAfter(reference + highest);
        }
        int notStored = 0;
        final LongHashSet named = new LongHashSet();
        final KeyRef chunkKey = scratch.chunkKey();
        for (final Head head : heads)
        {
            // the loop stops at the first missing chunk: at most chunks.size() + 1 turns
            boolean whole = head.count >= 0;
            boolean refusal = head.count < 0;
            for (int i = 0; whole && i < head.count; i++)
            {
                final long id = head.generation + i;
                refusal = refused.contains(id);
                whole = chunks.get(id) == (head.check & 0xFFFFFFFFL) &&
                    large.segmentOf(chunkKey.setChunk(id, head.check, large.hasher())).containsChunk(chunkKey);
            }
            if (whole)
            {
                for (int i = 0; i < head.count; i++)
                {
                    named.add(head.generation + i);
                }
                continue;
            }
            scratch.set(head.key, 0, head.key.length, large.hasher());
            try
            {
                if (large.segmentOf(scratch).removeBrokenHead(scratch, head.generation, refusal) && refusal)
                {
                    notStored++;
                }
            }
            finally
            {
                large.removeOrphans(scratch);
            }
        }
        final Long2LongHashMap.EntryIterator entries = chunks.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            final long id = entries.getLongKey();
            if (!named.contains(id))
            {
                large.segmentOf(chunkKey.setChunk(id, (int)entries.getLongValue(),
                    large.hasher())).removeChunk(chunkKey);
            }
        }
        for (final Deferred record : deferred)
        {
            scratch.set(record.key, 0, record.key.length, large.hasher());
            if (!large.put(scratch, record.value, 0, record.value.length, record.ttlMillis, PutMode.PUT))
            {
                notStored++;
            }
        }
        return notStored;
    }

    /** Notes the ids {@code [first, first + count)} (see {@link #finish}). */
    private void noteIds(final long first, final int count)
    {
        if (count <= 0)
        {
            return;
        }
        if (!anyId)
        {
            anyId = true;
            reference = first;
        }
        highest = Math.max(highest, first + count - 1 - reference);
    }

    /** A restored head: its key's bytes and what its value names. */
    private record Head(byte[] key, long generation, int count, int check)
    {
    }

    /** An ordinary record that this cache stores as a large value, at the end of the load. */
    private record Deferred(byte[] key, byte[] value, long ttlMillis)
    {
    }
}
