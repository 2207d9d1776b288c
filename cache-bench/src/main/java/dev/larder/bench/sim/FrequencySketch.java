package dev.larder.bench.sim;

/**
 * A count-min sketch of 4-bit counters with periodic aging, as the engine would keep it off-heap:
 * one {@code long[]} of 16 counters per word, no per-key objects, O(1) work per operation. The
 * model in {@link RingPolicyModel} keeps one per segment.
 *
 * <h2>Layout</h2>
 * {@code words} 64-bit words (a power of two), grouped in blocks of 8 words (64 bytes, one cache
 * line). A key's 64-bit keyed hash picks one block; its four counters lie in four different words
 * of that block (words {@code 2i} or {@code 2i + 1} for counter {@code i}, by one hash bit), each
 * at a nibble chosen by four more hash bits. So an increment or an estimate touches one cache line.
 *
 * <h2>Counting</h2>
 * An increment raises each of the key's four counters that is below 15; the estimate is the
 * minimum of the four. (Conservative update, raising only the minimal counters, was tried: its
 * sharper counts give a key read a moment ago a one-count lead over an equally frequent victim,
 * and on the loop trace that turned the admission filter into churn, 3 to 18 points lost.)
 *
 * <h2>Aging</h2>
 * After {@code sampleSize} increments every counter is halved (one shift and mask per word), so
 * the sketch forgets old popularity with a half-life of one sample; a sample is a multiple of the
 * entries the segment holds.
 *
 * <h2>Doorkeeper (optional)</h2>
 * A one-bit-per-key Bloom filter (two probes) in front of the counters: a key's first sighting in
 * a sample sets its doorkeeper bits only; later ones go to the counters, and the estimate adds one
 * when the doorkeeper holds the key. One-hit wonders then never reach the counters. The
 * doorkeeper is cleared at each aging.
 *
 * <h2>Hash flooding</h2>
 * Indexed only by the keyed hash (SipHash under the cache's secret seed in the engine, the mix in
 * the same SipHash-1-3 through {@code KeyHasher} in the model), so an attacker cannot choose keys that share counters.
 */
final class FrequencySketch
{
    private static final long RESET_MASK = 0x7777_7777_7777_7777L;
    private static final int BLOCK_WORDS = 8;

    private final long[] table;
    private final long[] doorkeeper;
    private final int blockMask;
    private final int doorkeeperMask;
    private final int sampleSize;
    private int additions;

    /**
     * @param entries       the entries the owner holds
     * @param wordsPerEntry sketch words per entry (0.5 = 8 counters per entry, 4 bytes)
     * @param sampleFactor  increments per aging, in multiples of {@code entries}
     * @param doorkeeper    whether to keep a doorkeeper (one bit per sample key, rounded up)
     */
    FrequencySketch(final int entries, final double wordsPerEntry, final int sampleFactor, final boolean doorkeeper)
    {
        final int words = Math.max(BLOCK_WORDS, ceilingPowerOfTwo((int)Math.ceil(entries * wordsPerEntry)));
        table = new long[words];
        blockMask = words / BLOCK_WORDS - 1;
        sampleSize = Math.max(16, sampleFactor * entries);
        final int doorkeeperWords = doorkeeper ? Math.max(1, ceilingPowerOfTwo(sampleSize) / 64) : 0;
        this.doorkeeper = doorkeeper ? new long[doorkeeperWords] : null;
        doorkeeperMask = doorkeeperWords * 64 - 1;
    }

    /** @return the bytes this sketch occupies (counters and doorkeeper) */
    long bytes()
    {
        return 8L * (table.length + (doorkeeper == null ? 0 : doorkeeper.length));
    }

    /** @return the estimated frequency of the key with this hash, 0 to 16 */
    int frequency(final long hash)
    {
        final int base = ((int)(hash >>> 32) & blockMask) * BLOCK_WORDS;
        int min = 15;
        for (int i = 0; i < 4; i++)
        {
            min = Math.min(min, counter(base, hash, i));
        }
        return doorkeeper != null && inDoorkeeper(hash) ? min + 1 : min;
    }

    /**
     * Counts one access of the key with this hash. The sketch ages after {@code sampleSize}
     * increments that changed something: a key whose counters are saturated does not count
     * (Caffeine's rule), so a steady working set of saturated keys, a loop, is not aged away.
     */
    void increment(final long hash)
    {
        boolean added = false;
        if (doorkeeper != null && !admitToDoorkeeper(hash))
        {
            added = true;
        }
        else
        {
            final int base = ((int)(hash >>> 32) & blockMask) * BLOCK_WORDS;
            for (int i = 0; i < 4; i++)
            {
                if (counter(base, hash, i) < 15)
                {
                    table[base + 2 * i + (int)(hash >>> i & 1)] += 1L << nibbleShift(hash, i);
                    added = true;
                }
            }
        }
        if (added && ++additions >= sampleSize)
        {
            age();
        }
    }

    private int counter(final int base, final long hash, final int i)
    {
        final int word = base + 2 * i + (int)(hash >>> i & 1);
        return (int)(table[word] >>> nibbleShift(hash, i)) & 0xF;
    }

    private static int nibbleShift(final long hash, final int i)
    {
        return (int)(hash >>> (4 + 4 * i) & 0xF) << 2;
    }

    /** @return true when the key was already in the doorkeeper; sets its bits either way */
    private boolean admitToDoorkeeper(final long hash)
    {
        final boolean present = inDoorkeeper(hash);
        final int a = (int)(hash >>> 20) & doorkeeperMask;
        final int b = (int)(hash >>> 42) & doorkeeperMask;
        doorkeeper[a >>> 6] |= 1L << a;
        doorkeeper[b >>> 6] |= 1L << b;
        return present;
    }

    private boolean inDoorkeeper(final long hash)
    {
        final int a = (int)(hash >>> 20) & doorkeeperMask;
        final int b = (int)(hash >>> 42) & doorkeeperMask;
        return (doorkeeper[a >>> 6] & 1L << a) != 0 && (doorkeeper[b >>> 6] & 1L << b) != 0;
    }

    /** Halves every counter and clears the doorkeeper. */
    private void age()
    {
        for (int i = 0; i < table.length; i++)
        {
            table[i] = table[i] >>> 1 & RESET_MASK;
        }
        if (doorkeeper != null)
        {
            java.util.Arrays.fill(doorkeeper, 0L);
        }
        additions = additions / 2;
    }

    static int ceilingPowerOfTwo(final int value)
    {
        return value <= 1 ? 1 : Integer.highestOneBit(value - 1) << 1;
    }
}
