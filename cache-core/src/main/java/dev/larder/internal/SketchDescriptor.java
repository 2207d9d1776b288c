package dev.larder.internal;

/**
 * Layout of a segment's frequency sketch ({@link FrequencySketch}): a count-min sketch of 4-bit
 * counters, off-heap, a power of two of 64-bit words grouped in blocks of 8 words, one 64-byte
 * cache line per block, so that an increment or an estimate touches one line.
 *
 * <pre>
 *  one block (8 words, 64 bytes) at byte offset 64 * ((hash &gt;&gt;&gt; 32) &amp; (blocks - 1)):
 *  +--------+--------+--------+--------+--------+--------+--------+--------+
 *  | word 0 | word 1 | word 2 | word 3 | word 4 | word 5 | word 6 | word 7 |
 *  +--------+--------+--------+--------+--------+--------+--------+--------+
 *  |  counter 0 of   |  counter 1 of   |  counter 2 of   |  counter 3 of   |
 *  |  the key, in    |  the key, in    |  the key, in    |  the key, in    |
 *  |  word 0 + bit 0 |  word 2 + bit 1 |  word 4 + bit 2 |  word 6 + bit 3 |
 *  +-----------------+-----------------+-----------------+-----------------+
 *
 *  one word (native-order long) = 16 four-bit counters:
 *   63   60 59   56                                   7    4 3    0
 *  +-------+-------+-----------------------------------+------+------+
 *  |  c15  |  c14  |                ...                |  c1  |  c0  |
 *  +-------+-------+-----------------------------------+------+------+
 *  counter i of a key: nibble (hash &gt;&gt;&gt; (4 + 4i)) &amp; 0xF of word 2i + ((hash &gt;&gt;&gt; i) &amp; 1)
 * </pre>
 *
 * A key's 64-bit keyed hash (SipHash-1-3 under the cache's secret seed, the hash the index already
 * computes) picks the block with bits 32 and up, and its four counters with bits 0-19: bits 0-3
 * choose the word of each pair, bits 4-19 the nibble in it. Bits 20-31 are unused (the
 * simulator's optional doorkeeper used them; the engine has none). Aging halves every counter with
 * one shift and {@link #RESET_MASK} per word: the mask clears the bit each nibble would receive from
 * its upper neighbour.
 */
final class SketchDescriptor
{
    /** Bits per counter. */
    static final int COUNTER_BITS = 4;
    /** Counters per 64-bit word. */
    static final int COUNTERS_PER_WORD = Long.SIZE / COUNTER_BITS;
    /** The largest count: a counter saturates there. */
    static final int MAX_COUNT = (1 << COUNTER_BITS) - 1;
    /** Counters per key (the rows of the count-min sketch). */
    static final int COUNTERS_PER_KEY = 4;
    /** Words per block: two candidate words per counter of a key. */
    static final int BLOCK_WORDS = 2 * COUNTERS_PER_KEY;
    /** Bytes per block: one cache line. */
    static final int BLOCK_LENGTH = BLOCK_WORDS * Long.BYTES;
    /** The fewest words of a sketch: one block. */
    static final int MIN_WORDS = BLOCK_WORDS;
    /** The most entries a sketch is sized for: its bytes must fit an {@code int}. */
    static final int MAX_ENTRIES = 1 << 27;
    /** Counted increments between two agings, in multiples of the entries the sketch is sized for. */
    static final int SAMPLE_FACTOR = 10;
    /** Keeps the low three bits of every nibble: a word shifted right by one and masked is halved. */
    static final long RESET_MASK = 0x7777_7777_7777_7777L;
    /** The first hash bit that picks the block. */
    static final int BLOCK_HASH_SHIFT = 32;

    private SketchDescriptor()
    {
    }

    /** @return the words of a sketch for {@code entries} entries: one per entry, a power of two, at least a block */
    static int words(final int entries)
    {
        return Math.max(MIN_WORDS, ceilingPowerOfTwo(entries));
    }

    /** @return the byte offset of the block of {@code hash}, for {@code blockMask} = blocks - 1 */
    static int blockOffset(final long hash, final int blockMask)
    {
        return ((int)(hash >>> BLOCK_HASH_SHIFT) & blockMask) * BLOCK_LENGTH;
    }

    /** @return the byte offset, in the block at {@code blockOffset}, of the word that holds counter {@code i} */
    static int wordOffset(final int blockOffset, final long hash, final int i)
    {
        return blockOffset + (2 * i + (int)(hash >>> i & 1)) * Long.BYTES;
    }

    /** @return the shift of counter {@code i}'s nibble in its word, 0 to 60 */
    static int nibbleShift(final long hash, final int i)
    {
        return (int)(hash >>> (COUNTER_BITS + COUNTER_BITS * i) & 0xF) * COUNTER_BITS;
    }

    /** @return the smallest power of two at least {@code value} (1 for values up to 1) */
    static int ceilingPowerOfTwo(final int value)
    {
        return value <= 1 ? 1 : Integer.highestOneBit(value - 1) << 1;
    }
}
