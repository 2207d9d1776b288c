package dev.larder.internal;

import static dev.larder.internal.SketchDescriptor.COUNTERS_PER_KEY;
import static dev.larder.internal.SketchDescriptor.MAX_COUNT;
import static dev.larder.internal.SketchDescriptor.RESET_MASK;

/**
 * A segment's frequency sketch: how often each key was seen lately, estimated from a count-min
 * sketch of 4-bit counters in off-heap memory, for the admission decision of the frequency-aware
 * policy (docs/policy.md). The engine port of the simulator's sketch with its default settings,
 * counter for counter: one word (16 counters) per entry, aging every 10 × entries counted
 * increments, no doorkeeper.
 *
 * <h2>Layout</h2>
 * {@link SketchDescriptor}: blocks of 8 words, one 64-byte line each; a key's hash picks a block
 * and four counters in four different words of it. {@link #bytesFor(int)} is what the allocator
 * carves out of the capacity budget (8 bytes per entry, rounded up to a power of two words).
 *
 * <h2>Counting and aging</h2>
 * {@link #increment} raises each of the key's four counters that is below 15; the estimate
 * ({@link #frequency}) is the smallest of the four, so it never under-counts a key between two
 * agings (count-min). An increment counts towards aging only when it changed a counter (Caffeine's
 * rule: a loop of saturated keys is not aged away); after {@code 10 × entries} counted increments
 * every counter is halved and the count of additions too.
 *
 * <h2>Hash flooding</h2>
 * Indexed only by the keyed hash, so an attacker who does not know the cache's seed cannot choose
 * keys that share counters (to pin a victim's estimate high), and the admission's 1-in-128 coin
 * ({@code docs/policy.md}) covers a victim kept hot by reads.
 *
 * <h2>Concurrency</h2>
 * {@link #increment}, {@link #clear} and aging run under the segment lock. {@link #frequency} may
 * run on another thread without it: it makes plain reads of four words, each of which is read
 * whole (aligned 8-byte reads do not tear), and may see a word before or after a concurrent
 * increment or aging. A stale estimate only makes one admission decision less exact; nothing
 * about memory safety depends on it (every offset is computed from the hash and the fixed block
 * mask, inside the sketch's memory).
 */
final class FrequencySketch
{
    private final Memory memory;
    /** Words allocated: the most {@link #fitTo} may use. */
    private final int capacityWords;
    /** Words in use, a power of two up to {@link #capacityWords}. */
    private int words;
    private int blockMask;
    private int sampleSize;
    private int additions;

    /**
     * @param memory  the counters, {@link #bytesFor(int) bytesFor(entries)} bytes, zero-filled
     * @param entries the entries the segment holds at most, 1 to {@link SketchDescriptor#MAX_ENTRIES}
     */
    FrequencySketch(final Memory memory, final int entries)
    {
        final int bytes = bytesFor(entries);
        if (memory.capacity() != bytes)
        {
            throw new IllegalArgumentException("sketch memory must be bytesFor(entries): entries=" + entries +
                ", bytesFor=" + bytes + ", capacity=" + memory.capacity());
        }
        this.memory = memory;
        this.capacityWords = SketchDescriptor.words(entries);
        this.words = capacityWords;
        this.blockMask = words / SketchDescriptor.BLOCK_WORDS - 1;
        this.sampleSize = Math.max(16, SketchDescriptor.SAMPLE_FACTOR * entries);
    }

    /**
     * @param entries the entries the segment holds at most
     * @return the bytes a sketch for {@code entries} needs: 8 per entry, a power of two, at least 64
     */
    static int bytesFor(final int entries)
    {
        if (entries < 1 || entries > SketchDescriptor.MAX_ENTRIES)
        {
            throw new IllegalArgumentException("sketch entries must be between 1 and " + SketchDescriptor.MAX_ENTRIES +
                ": entries=" + entries);
        }
        return SketchDescriptor.words(entries) * Long.BYTES;
    }

    /** @return the bytes allocated for the counters */
    long bytes()
    {
        return (long)capacityWords * Long.BYTES;
    }

    /**
     * May run without the segment lock (see the class comment).
     *
     * @return the estimated count of the key with this hash since the last agings, 0 to 15
     */
    int frequency(final long hash)
    {
        final int block = SketchDescriptor.blockOffset(hash, blockMask);
        int min = MAX_COUNT;
        for (int i = 0; i < COUNTERS_PER_KEY; i++)
        {
            min = Math.min(min, counter(block, hash, i));
        }
        return min;
    }

    /**
     * Reads the first word of the key's block, so that the line is on its way to the CPU's cache
     * while the caller does other work before it counts or estimates the key (a plain load: the
     * JDK has no prefetch instruction). May run without the lock, like {@link #frequency}.
     *
     * @return the word read, for the caller to keep where the JIT cannot drop the load
     */
    long touch(final long hash)
    {
        return memory.getLong(SketchDescriptor.blockOffset(hash, blockMask));
    }

    /** Counts one sighting of the key with this hash; halves all counts every 10 × entries counted ones. Locked. */
    void increment(final long hash)
    {
        if (add(hash))
        {
            added(1);
        }
    }

    /**
     * Counts one sighting of the key with this hash, leaving the count toward the next aging to the
     * caller ({@link #added}): the engine's segments report theirs in batches, so that threads
     * counting at once do not all write one shared field.
     *
     * @return true when a counter grew (a sighting that counts toward aging)
     */
    boolean add(final long hash)
    {
        final int block = SketchDescriptor.blockOffset(hash, blockMask);
        boolean added = false;
        for (int i = 0; i < COUNTERS_PER_KEY; i++)
        {
            final int word = SketchDescriptor.wordOffset(block, hash, i);
            final int shift = SketchDescriptor.nibbleShift(hash, i);
            final long value = memory.getLong(word);
            if ((int)(value >>> shift & MAX_COUNT) < MAX_COUNT)
            {
                memory.putLong(word, value + (1L << shift));
                added = true;
            }
        }
        return added;
    }

    /** Counts {@code count} sightings that {@link #add} counted; halves all counts when they reach the sample. */
    void added(final int count)
    {
        additions += count;
        if (additions >= sampleSize)
        {
            age();
        }
    }

    /** Forgets every count (for {@code clear()} of the cache). Locked. */
    void clear()
    {
        memory.zero(0, capacityWords * Long.BYTES);
        additions = 0;
    }

    /** @return counted increments since the last aging (for tests) */
    int additions()
    {
        return additions;
    }

    /** @return counted increments between two agings */
    int sampleSize()
    {
        return sampleSize;
    }

    /**
     * Ages the counts every {@link SketchDescriptor#SAMPLE_FACTOR} times {@code entries} counted
     * increments from now on: the cache tells the sketch how many entries it really holds once it
     * is full (its budget, not the index, decides that).
     */
    void sampleFor(final int entries)
    {
        sampleSize = Math.max(16, SketchDescriptor.SAMPLE_FACTOR * Math.max(1, entries));
    }

    /**
     * Uses one word per entry for {@code entries} entries (a power of two, at most the words
     * allocated), forgetting every count when that changes the width: the builder sizes the sketch
     * from an estimate of the entries, and a sketch twice as wide as the model's (one word per entry
     * the cache really holds) counts differently (docs/policy.md). Locked; a concurrent
     * {@link #frequency} reads within the old width or the new one, both inside the memory.
     *
     * @return true when the width changed
     */
    boolean fitTo(final int entries)
    {
        final int fitted = Math.min(capacityWords, SketchDescriptor.words(Math.max(1, entries)));
        if (fitted == words)
        {
            return false;
        }
        clear();
        words = fitted;
        blockMask = fitted / SketchDescriptor.BLOCK_WORDS - 1;
        return true;
    }

    private int counter(final int block, final long hash, final int i)
    {
        final long value = memory.getLong(SketchDescriptor.wordOffset(block, hash, i));
        return (int)(value >>> SketchDescriptor.nibbleShift(hash, i)) & MAX_COUNT;
    }

    /** Halves every counter: a shift and a mask per word. */
    private void age()
    {
        for (int offset = 0; offset < words * Long.BYTES; offset += Long.BYTES)
        {
            memory.putLong(offset, memory.getLong(offset) >>> 1 & RESET_MASK);
        }
        additions = additions / 2;
    }
}
