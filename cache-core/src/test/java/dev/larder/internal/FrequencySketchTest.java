package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The engine's off-heap sketch against the simulator's on-heap one (copied below as the oracle:
 * cache-core cannot see cache-bench), and the count-min properties the admission relies on.
 */
class FrequencySketchTest
{
    private static FrequencySketch sketch(final int entries)
    {
        return new FrequencySketch(new HeapMemory(FrequencySketch.bytesFor(entries)), entries);
    }

    @Property(tries = 60)
    void countsExactlyAsTheSimulatorsSketch(
        @ForAll @IntRange(min = 1, max = 3000) final int entries,
        @ForAll @IntRange(min = 1, max = 4000) final int keys,
        @ForAll final long seed)
    {
        final FrequencySketch sketch = sketch(entries);
        final ModelSketch model = new ModelSketch(entries);
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] hashes = new long[keys];
        for (int i = 0; i < keys; i++)
        {
            hashes[i] = random.nextLong();
        }
        // skewed picks, so that some counters saturate and several agings happen
        final int operations = 25 * Math.max(16, 10 * entries) / 10;
        for (int op = 0; op < operations; op++)
        {
            final long hash = hashes[(int)(keys * Math.pow(random.nextDouble(), 3))];
            sketch.increment(hash);
            model.increment(hash);
            assertEquals(model.frequency(hash), sketch.frequency(hash), "frequency after increment " + op);
            assertEquals(model.additions, sketch.additions(), "additions after increment " + op);
        }
        for (final long hash : hashes)
        {
            assertEquals(model.frequency(hash), sketch.frequency(hash));
        }
        for (int i = 0; i < 100; i++)
        {
            final long unseen = random.nextLong();
            assertEquals(model.frequency(unseen), sketch.frequency(unseen));
        }
    }

    @Property(tries = 40)
    void neverUnderCountsBetweenAgings(
        @ForAll @IntRange(min = 1, max = 2000) final int entries,
        @ForAll final long seed)
    {
        final FrequencySketch sketch = sketch(entries);
        final SplittableRandom random = new SplittableRandom(seed);
        final Map<Long, Integer> counts = new HashMap<>();
        // stay below the aging point: sampleSize counted increments
        for (int op = 0; op < sketch.sampleSize() - 1; op++)
        {
            final long hash = random.nextLong() & ~0L >>> random.nextInt(1, 64);
            sketch.increment(hash);
            counts.merge(hash, 1, Integer::sum);
        }
        assertTrue(sketch.additions() < sketch.sampleSize(), "no aging happened");
        for (final Map.Entry<Long, Integer> count : counts.entrySet())
        {
            final int estimate = sketch.frequency(count.getKey());
            assertTrue(estimate >= Math.min(15, count.getValue()),
                "estimate " + estimate + " below the true count " + count.getValue());
        }
    }

    @Property(tries = 30)
    void fittedToTheEntriesHeldCountsAsTheSimulatorsSketchOfThatSize(
        @ForAll @IntRange(min = 1, max = 2000) final int entries,
        @ForAll @IntRange(min = 0, max = 3) final int doublings,
        @ForAll final long seed)
    {
        final FrequencySketch sketch = sketch(entries << doublings);
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 500; i++)
        {
            sketch.increment(random.nextLong());
        }
        final boolean narrower = SketchDescriptor.words(entries) < SketchDescriptor.words(entries << doublings);
        assertEquals(narrower, sketch.fitTo(entries), "the width changes only when fewer words serve the entries");
        assertEquals(false, sketch.fitTo(entries), "fitting again to the same entries changes nothing");
        sketch.sampleFor(entries);
        final ModelSketch model = new ModelSketch(entries);
        if (narrower)
        {
            assertEquals(0, sketch.additions(), "a new width forgets the counts");
            for (int op = 0; op < 30 * entries; op++)
            {
                final long hash = random.nextLong() % (2L * entries);
                sketch.increment(hash);
                model.increment(hash);
                assertEquals(model.frequency(hash), sketch.frequency(hash), "frequency after increment " + op);
                assertEquals(model.additions, sketch.additions(), "additions after increment " + op);
            }
        }
        assertEquals(narrower, sketch.fitTo(Integer.MAX_VALUE >> 4), "widens back to the memory allocated, no further");
        assertEquals(SketchDescriptor.words(entries << doublings) * (long)Long.BYTES, sketch.bytes());
    }

    @Test
    void saturatesAtFifteenAndStopsCountingAdditions()
    {
        final FrequencySketch sketch = sketch(1000);
        final long hash = 0x1234_5678_9ABC_DEF0L;
        for (int i = 0; i < 40; i++)
        {
            sketch.increment(hash);
            assertEquals(Math.min(15, i + 1), sketch.frequency(hash));
        }
        assertEquals(15, sketch.additions(), "an increment that changes no counter does not count");
    }

    @Test
    void halvesAllCountsAfterTenTimesEntriesCountedIncrements()
    {
        final int entries = 64;
        final FrequencySketch sketch = sketch(entries);
        assertEquals(640, sketch.sampleSize());
        final long hot = 0x0123_4567_89AB_CDEFL;
        for (int i = 0; i < 9; i++)
        {
            sketch.increment(hot);
        }
        final SplittableRandom random = new SplittableRandom(3);
        final long[] seen = new long[sketch.sampleSize()];
        int n = 0;
        while (sketch.additions() < sketch.sampleSize() - 1)
        {
            final long hash = random.nextLong();
            sketch.increment(hash);
            seen[n++] = hash;
        }
        final int before = sketch.frequency(hot);
        assertTrue(before >= 9);
        final int[] frequencies = new int[n];
        for (int i = 0; i < n; i++)
        {
            frequencies[i] = sketch.frequency(seen[i]);
        }
        // one more counted increment of a fresh key ages the sketch
        long fresh = random.nextLong();
        while (sketch.frequency(fresh) == 15)
        {
            fresh = random.nextLong();
        }
        sketch.increment(fresh);
        assertEquals((sketch.sampleSize()) / 2, sketch.additions(), "additions halve");
        final int halved = sketch.frequency(hot);
        assertTrue(halved == before / 2 || halved == (before + 1) / 2, "counts halve: " + before + " -> " + halved);
        for (int i = 0; i < n; i++)
        {
            final int after = sketch.frequency(seen[i]);
            // every counter halves; the minimum of four halved counters is the halved minimum,
            // except where the fresh key's increment raised one of them before the halving
            assertTrue(after == frequencies[i] / 2 || after == (frequencies[i] + 1) / 2,
                "frequency " + frequencies[i] + " became " + after);
        }
    }

    /** The engine's segments count with {@code add} and report in batches with {@code added}. */
    @Test
    void addLeavesAgingToTheBatchesReported()
    {
        final FrequencySketch sketch = sketch(64);
        final long hash = 0x1234_5678_9ABC_DEF0L;
        int grew = 0;
        for (int i = 0; i < 20; i++)
        {
            grew += sketch.add(hash) ? 1 : 0;
        }
        assertEquals(15, grew, "an add grows a counter until it saturates at 15");
        assertEquals(15, sketch.frequency(hash));
        assertEquals(0, sketch.additions(), "add alone counts nothing toward aging");
        sketch.added(sketch.sampleSize() - 1);
        assertEquals(15, sketch.frequency(hash), "one short of the sample: no aging");
        sketch.added(1);
        assertEquals(7, sketch.frequency(hash), "the batch that reaches the sample halves the counts");
        assertEquals(sketch.sampleSize() / 2, sketch.additions(), "and the additions");
    }

    /** {@code touch} only reads: the first word of the key's block, within the sketch, counting nothing. */
    @Test
    void touchReadsTheKeysBlockAndCountsNothing()
    {
        final HeapMemory memory = new HeapMemory(FrequencySketch.bytesFor(1024));
        final FrequencySketch sketch = new FrequencySketch(memory, 1024);
        final SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 5_000; i++)
        {
            sketch.increment(random.nextLong());
        }
        final byte[] before = new byte[memory.capacity()];
        memory.getBytes(0, before, 0, before.length);
        final int additions = sketch.additions();
        for (int i = 0; i < 1_000; i++)
        {
            final long hash = random.nextLong();
            final int block = SketchDescriptor.blockOffset(hash, 1024 / SketchDescriptor.BLOCK_WORDS - 1);
            assertEquals(memory.getLong(block), sketch.touch(hash), "the first word of the key's block");
        }
        final byte[] after = new byte[memory.capacity()];
        memory.getBytes(0, after, 0, after.length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, after, "touch writes nothing");
        assertEquals(additions, sketch.additions(), "touch counts nothing toward aging");
    }

    @Test
    void clearForgetsEveryCount()
    {
        final FrequencySketch sketch = sketch(100);
        for (long hash = 0; hash < 500; hash++)
        {
            sketch.increment(hash * 0x9E37_79B9_7F4A_7C15L);
        }
        sketch.clear();
        assertEquals(0, sketch.additions());
        for (long hash = 0; hash < 500; hash++)
        {
            assertEquals(0, sketch.frequency(hash * 0x9E37_79B9_7F4A_7C15L));
        }
    }

    @Test
    void distinctHashesSpreadOverTheBlocks()
    {
        final int entries = 1 << 14;
        final FrequencySketch sketch = sketch(entries);
        final int blocks = (int)(sketch.bytes() / SketchDescriptor.BLOCK_LENGTH);
        final int[] perBlock = new int[blocks];
        final long seed = 0x5EED;
        for (long key = 0; key < 8L * blocks; key++)
        {
            final int block = SketchDescriptor.blockOffset(Hashing.hash(key, seed), blocks - 1);
            perBlock[block / SketchDescriptor.BLOCK_LENGTH]++;
        }
        final double mean = 8.0;
        for (final int count : perBlock)
        {
            assertTrue(count <= 4 * mean, "a block holds " + count + " keys, mean " + mean);
        }
    }

    @Test
    void sizesItselfAndRejectsMemoryOfTheWrongSize()
    {
        assertEquals(64, FrequencySketch.bytesFor(1));
        assertEquals(64, FrequencySketch.bytesFor(8));
        assertEquals(128, FrequencySketch.bytesFor(9));
        assertEquals(8192, FrequencySketch.bytesFor(1000));
        assertEquals(1 << 30, FrequencySketch.bytesFor(SketchDescriptor.MAX_ENTRIES));
        assertEquals(8192, sketch(1000).bytes());
        final IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
            () -> new FrequencySketch(new HeapMemory(4096), 1000));
        assertEquals("sketch memory must be bytesFor(entries): entries=1000, bytesFor=8192, capacity=4096",
            wrong.getMessage());
        assertEquals("sketch entries must be between 1 and 134217728: entries=0",
            assertThrows(IllegalArgumentException.class, () -> FrequencySketch.bytesFor(0)).getMessage());
        assertEquals("sketch entries must be between 1 and 134217728: entries=134217729",
            assertThrows(IllegalArgumentException.class,
                () -> FrequencySketch.bytesFor(SketchDescriptor.MAX_ENTRIES + 1)).getMessage());
    }

    /**
     * The simulator's {@code FrequencySketch} (cache-bench, {@code dev.larder.bench.sim}) with its
     * default settings (1 word per entry, sample factor 10, no doorkeeper), copied as the oracle.
     */
    private static final class ModelSketch
    {
        private final long[] table;
        private final int blockMask;
        private final int sampleSize;
        private int additions;

        ModelSketch(final int entries)
        {
            final int words = Math.max(8, SketchDescriptor.ceilingPowerOfTwo(entries));
            table = new long[words];
            blockMask = words / 8 - 1;
            sampleSize = Math.max(16, 10 * entries);
        }

        int frequency(final long hash)
        {
            final int base = ((int)(hash >>> 32) & blockMask) * 8;
            int min = 15;
            for (int i = 0; i < 4; i++)
            {
                min = Math.min(min, counter(base, hash, i));
            }
            return min;
        }

        void increment(final long hash)
        {
            boolean added = false;
            final int base = ((int)(hash >>> 32) & blockMask) * 8;
            for (int i = 0; i < 4; i++)
            {
                if (counter(base, hash, i) < 15)
                {
                    table[base + 2 * i + (int)(hash >>> i & 1)] += 1L << nibbleShift(hash, i);
                    added = true;
                }
            }
            if (added && ++additions >= sampleSize)
            {
                for (int i = 0; i < table.length; i++)
                {
                    table[i] = table[i] >>> 1 & 0x7777_7777_7777_7777L;
                }
                additions = additions / 2;
            }
        }

        private int counter(final int base, final long hash, final int i)
        {
            return (int)(table[base + 2 * i + (int)(hash >>> i & 1)] >>> nibbleShift(hash, i)) & 0xF;
        }

        private static int nibbleShift(final long hash, final int i)
        {
            return (int)(hash >>> (4 + 4 * i) & 0xF) << 2;
        }
    }
}
