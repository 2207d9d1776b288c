package dev.larder.internal;

import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * One of {@link WindowShadows}' shadows: the adaptive policy's rings and marks (docs/policy.md)
 * over the hashes of sampled keys, at one fixed window share. A window CLOCK, and a main region of
 * probation and protected (at most 80% of the main region) rings; an unread window head is a
 * candidate (in a large window also a head read too long ago: {@link AdaptivePolicy#windowKeepAge})
 * that replaces the probation victim when its frequency (the cache's own sketches: a shadow counts
 * nothing) is higher, or, when it is at least 6, when the shared 1-in-128 coin says so; protected
 * heads read within the last 6 epochs (16 epochs, one per capacity/8 insertions) go
 * round again. The simulator's model ({@code RingPolicyModel.Segment} as a shadow) step for step.
 *
 * <h2>Layout</h2>
 * Primitive arrays sized once for {@code capacity + 1} entries: the hashes, a mark byte per entry
 * (R bit and 4-bit epoch, as the index slot), one {@code int} link per entry that chains each
 * ring's FIFO and the free list (a ring is a head, a tail and a size), and an open-addressing table
 * of entry ids (linear probing, deletion by backward shift, no tombstones) keyed by the hash.
 * {@link #access} allocates nothing; {@link #reset} allocates only when the arrays must grow.
 *
 * <h2>Concurrency</h2>
 * Not thread-safe: run under the lock of the {@link WindowShadows} that owns it.
 */
final class ShadowPolicy
{
    private static final int EPOCHS = 16;
    private static final int EPOCHS_PER_TURNOVER = 8;
    private static final int MAIN_KEEP_AGE = 6;
    private static final double PROTECTED_SHARE = 0.8;
    private static final int RETRY_FREQUENCY = 6;
    private static final int NIL = -1;
    private static final int WINDOW = 0;
    private static final int PROBATION = 1;
    private static final int PROTECTED = 2;
    private static final byte REFERENCED = 0x10;
    private static final int EPOCH_MASK = EPOCHS - 1;
    /** Remixes the hash for the table's home slot (a constant other than {@link WindowShadows#SAMPLE_MIX}). */
    private static final long TABLE_MIX = 0xC2B2_AE3D_27D4_EB4FL;

    private final FrequencySource frequencies;
    private final BooleanSupplier coin;

    private long[] hashes = new long[0];
    /** R bit and epoch of each entry, as the index slot keeps them. */
    private byte[] marks = new byte[0];
    /** Next entry in the entry's ring, or in the free list. */
    private int[] links = new int[0];
    /** Entry id + 1 per slot, 0 when empty. */
    private int[] table = new int[0];
    private final int[] ringHead = new int[3];
    private final int[] ringTail = new int[3];
    private final int[] ringSize = new int[3];
    private int tableMask;
    private int tableShift;
    private int freeHead;
    private int capacity;
    private int windowTarget;
    /** {@link AdaptivePolicy#windowKeepAge} of this shadow's window. */
    private int windowKeepAge;
    private int epoch;
    private int insertsThisEpoch;
    /** True once this shadow has had to make room since its last reset. */
    private boolean madeRoom;

    /**
     * @param frequencies the cache's sketches, for the admission decision
     * @param coin        the 1-in-128 admission coin the shadows share
     */
    ShadowPolicy(final FrequencySource frequencies, final BooleanSupplier coin)
    {
        this.frequencies = frequencies;
        this.coin = coin;
    }

    /** @return true once this shadow has had to make room since its last {@link #reset} */
    boolean madeRoom()
    {
        return madeRoom;
    }

    long bytes()
    {
        return (long)hashes.length * Long.BYTES + marks.length + (long)links.length * Integer.BYTES +
            (long)table.length * Integer.BYTES;
    }

    void reset(final int entries, final int window)
    {
        capacity = entries;
        windowTarget = window;
        windowKeepAge = AdaptivePolicy.windowKeepAge(window, capacity);
        final int ids = entries + 1;
        // at most 2/3 full
        final int slots = SketchDescriptor.ceilingPowerOfTwo(ids + ids / 2 + 1);
        if (hashes.length < ids)
        {
            hashes = new long[ids];
            marks = new byte[ids];
            links = new int[ids];
        }
        if (table.length < slots)
        {
            table = new int[slots];
        }
        Arrays.fill(table, 0, slots, 0);
        tableMask = slots - 1;
        tableShift = Long.SIZE - Integer.numberOfTrailingZeros(slots);
        for (int id = 0; id < ids; id++)
        {
            links[id] = id + 1 < ids ? id + 1 : NIL;
        }
        freeHead = 0;
        Arrays.fill(ringHead, NIL);
        Arrays.fill(ringTail, NIL);
        Arrays.fill(ringSize, 0);
        epoch = 0;
        insertsThisEpoch = 0;
        madeRoom = false;
    }

    /** @return true on a hit */
    boolean access(final long hash)
    {
        final int found = find(hash);
        if (found != NIL)
        {
            marks[found] = (byte)(REFERENCED | epoch);
            return true;
        }
        final int id = freeHead;
        freeHead = links[id];
        hashes[id] = hash;
        marks[id] = (byte)epoch;
        insert(id);
        add(WINDOW, id);
        if (++insertsThisEpoch >= Math.max(1, capacity / EPOCHS_PER_TURNOVER))
        {
            insertsThisEpoch = 0;
            epoch = (epoch + 1) & EPOCH_MASK;
        }
        while (ringSize[WINDOW] + ringSize[PROBATION] + ringSize[PROTECTED] > capacity)
        {
            madeRoom = true;
            makeRoom();
        }
        return false;
    }

    /** One step of making room: the model's {@code makeRoom}. */
    private void makeRoom()
    {
        final int mainSize = ringSize[PROBATION] + ringSize[PROTECTED];
        if (ringSize[WINDOW] > windowTarget || mainSize == 0)
        {
            final int candidate = poll(WINDOW);
            if (ringSize[WINDOW] > 0)
            {
                final boolean read = referenced(candidate);
                // AdaptivePolicy.windowKeepAge: a recent read, or in a large window a record a
                // lap passed forward; the lap ages the mark there
                if (read && young(candidate, windowKeepAge) ||
                    !read && windowKeepAge < EPOCHS && young(candidate, windowKeepAge / 2))
                {
                    if (windowKeepAge < EPOCHS)
                    {
                        marks[candidate] = (byte)((epoch - windowKeepAge) & EPOCH_MASK);
                    }
                    else
                    {
                        clearReferenced(candidate);
                    }
                    add(WINDOW, candidate);
                    return;
                }
            }
            if (mainSize < capacity - windowTarget)
            {
                clearReferenced(candidate);
                add(PROBATION, candidate);
                return;
            }
            if (mainSize == 0)
            {
                evict(candidate);
                return;
            }
            final int victim = findVictim();
            if (admit(hashes[candidate], hashes[victim]))
            {
                evict(poll(PROBATION));
                clearReferenced(candidate);
                add(PROBATION, candidate);
            }
            else
            {
                evict(candidate);
            }
            return;
        }
        findVictim();
        evict(poll(PROBATION));
    }

    /** Runs the main rings until the probation head is the victim; returns it, still at the head. */
    private int findVictim()
    {
        final int protectedTarget = (int)((capacity - windowTarget) * PROTECTED_SHARE);
        while (true)
        {
            if (ringSize[PROBATION] == 0)
            {
                final int demoted = poll(PROTECTED);
                clearReferenced(demoted);
                add(PROBATION, demoted);
                continue;
            }
            final int head = ringHead[PROBATION];
            if (!referenced(head))
            {
                return head;
            }
            clearReferenced(head);
            add(PROTECTED, poll(PROBATION));
            while (ringSize[PROTECTED] > protectedTarget && ringSize[PROTECTED] > 0)
            {
                final int top = poll(PROTECTED);
                final boolean keep = referenced(top) && young(top, MAIN_KEEP_AGE);
                clearReferenced(top);
                add(keep ? PROTECTED : PROBATION, top);
            }
        }
    }

    private boolean admit(final long candidateHash, final long victimHash)
    {
        final int candidateFrequency = frequencies.frequency(candidateHash);
        if (candidateFrequency > frequencies.frequency(victimHash))
        {
            return true;
        }
        return candidateFrequency >= RETRY_FREQUENCY && coin.getAsBoolean();
    }

    private boolean referenced(final int id)
    {
        return (marks[id] & REFERENCED) != 0;
    }

    private void clearReferenced(final int id)
    {
        marks[id] &= ~REFERENCED;
    }

    private boolean young(final int id, final int keepAge)
    {
        return ((epoch - (marks[id] & EPOCH_MASK)) & EPOCH_MASK) < keepAge;
    }

    private void add(final int ring, final int id)
    {
        links[id] = NIL;
        if (ringSize[ring] == 0)
        {
            ringHead[ring] = id;
        }
        else
        {
            links[ringTail[ring]] = id;
        }
        ringTail[ring] = id;
        ringSize[ring]++;
    }

    private int poll(final int ring)
    {
        final int id = ringHead[ring];
        ringHead[ring] = links[id];
        ringSize[ring]--;
        return id;
    }

    private void evict(final int id)
    {
        remove(hashes[id]);
        links[id] = freeHead;
        freeHead = id;
    }

    private int home(final long hash)
    {
        return (int)((hash * TABLE_MIX) >>> tableShift);
    }

    /** @return the id of the entry with this hash, or {@link #NIL} */
    private int find(final long hash)
    {
        // bounded by the table: a probe never runs round it, whatever state it is left in
        int slot = home(hash);
        for (int probes = 0; probes <= tableMask && table[slot] != 0; probes++, slot = (slot + 1) & tableMask)
        {
            if (hashes[table[slot] - 1] == hash)
            {
                return table[slot] - 1;
            }
        }
        return NIL;
    }

    private void insert(final int id)
    {
        int slot = home(hashes[id]);
        for (int probes = 0; table[slot] != 0; probes++)
        {
            if (probes > tableMask)
            {
                throw new IllegalStateException("shadow table full: slots=" + (tableMask + 1));
            }
            slot = (slot + 1) & tableMask;
        }
        table[slot] = id + 1;
    }

    /** Removes the entry with this hash (present); shifts the probe run after it back: no tombstones. */
    private void remove(final long hash)
    {
        int hole = home(hash);
        while (hashes[table[hole] - 1] != hash)
        {
            hole = (hole + 1) & tableMask;
        }
        for (int slot = (hole + 1) & tableMask; table[slot] != 0; slot = (slot + 1) & tableMask)
        {
            final int home = home(hashes[table[slot] - 1]);
            // the entry at slot may fill the hole when its home is not cyclically in (hole, slot]
            if (((slot - home) & tableMask) >= ((slot - hole) & tableMask))
            {
                table[hole] = table[slot];
                hole = slot;
            }
        }
        table[hole] = 0;
    }
}
