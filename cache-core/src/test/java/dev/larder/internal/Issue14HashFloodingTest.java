package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.HashFunction;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 14: a key family that collides under the fast hash for every seed ({@link CollidingKeys})
 * must be harmless under the default keyed hash, and bounded under any hash.
 *
 * <p>Cost is counted, not timed: the index slots read, the record fields read and the key bytes
 * compared per operation ({@link CountingMemory}). That is what the time of a lookup is made of,
 * and unlike a timing it is the same on every run, so the ratio to ordinary keys of the same length
 * can be asserted tightly. docs/measurements.md has the timings (FloodBenchmark).
 */
class Issue14HashFloodingTest
{
    private static final byte[][] FAMILY = CollidingKeys.family(12); // 4096 keys of 192 bytes
    private static final int KEY_LENGTH = FAMILY[0].length;
    private static final int VALUE_LENGTH = 16;

    @Test
    void theFamilyCollidesUnderTheFastHashWhateverTheSeed()
    {
        assertEquals(4096, FAMILY.length);
        assertEquals(192, KEY_LENGTH);
        assertEquals(FAMILY.length, distinct(FAMILY), "the keys must be distinct");
        for (final long seed : new long[] {0, 42, new SecureRandom().nextLong()})
        {
            final long first = Hashing.hash(FAMILY[0], 0, KEY_LENGTH, seed);
            for (final byte[] key : FAMILY)
            {
                assertEquals(first, Hashing.hash(key, 0, KEY_LENGTH, seed), "seed " + seed);
            }
        }
    }

    @Test
    void theFamilyScattersUnderSipHash()
    {
        final KeyHasher hasher = KeyHasher.random(HashFunction.SIPHASH_1_3);
        final Set<Long> hashes = new HashSet<>();
        final Set<Long> segments = new HashSet<>();
        for (final byte[] key : FAMILY)
        {
            final long hash = hasher.hash(key, 0, KEY_LENGTH);
            hashes.add(hash);
            segments.add(hash & 255);
        }
        assertEquals(FAMILY.length, hashes.size(), "distinct hashes");
        // 4096 random hashes leave a given one of 256 segments empty with probability e^-16
        assertEquals(256, segments.size(), "segments reached");
    }

    @ParameterizedTest
    @EnumSource(HashFunction.class)
    void operationsOnTheFamilyCostASmallMultipleOfOrdinaryKeysOrLessThanTheProbeBound(final HashFunction function)
    {
        final KeyHasher hasher = KeyHasher.seeded(function, 14);
        final CountingMemory ring = new CountingMemory(Memories.wrap(MemoryKind.JDK,
            ByteBuffer.allocateDirect(4 << 20)));
        final CountingMemory index = new CountingMemory(Memories.wrap(MemoryKind.JDK,
            ByteBuffer.allocateDirect(16384 * 8)));
        final Segment segment = new Segment(ring, index, () -> 0L);
        final byte[][] ordinary = ordinaryKeys(FAMILY.length);
        final byte[] value = new byte[VALUE_LENGTH];
        for (int i = 0; i < FAMILY.length; i++)
        {
            assertTrue(put(segment, hasher, ordinary[i], value));
            assertTrue(put(segment, hasher, FAMILY[i], value));
        }
        segment.verifyInvariants();

        final Cost ordinaryGets = costOfGets(segment, hasher, ordinary, ring, index);
        final Cost collidingGets = costOfGets(segment, hasher, FAMILY, ring, index);
        final Cost ordinaryPuts = costOfPuts(segment, hasher, ordinary, ring, index);
        final Cost collidingPuts = costOfPuts(segment, hasher, FAMILY, ring, index);
        System.out.printf("%s: get %s vs %s, put %s vs %s%n", function, collidingGets, ordinaryGets, collidingPuts,
            ordinaryPuts);
        segment.verifyInvariants();

        final long[] stats = new long[SegmentStat.values().length];
        segment.addStatsTo(stats);
        if (function == HashFunction.FAST_TRUSTED_KEYS)
        {
            // every family key has the same home slot: at most MAX_DISPLACEMENT + 1 of them stay
            // indexed, each new one evicting one (counted); no operation probes past the bound
            assertTrue(
                stats[SegmentStat.COLLISION_EVICTIONS.ordinal()] >=
                    FAMILY.length - IndexDescriptor.MAX_DISPLACEMENT - 1,
                "collision evictions: " + stats[SegmentStat.COLLISION_EVICTIONS.ordinal()]);
            // a lookup reads at most MAX_DISPLACEMENT + 1 slots, plus one re-read to mark a hit; a
            // put that inserts walks the same slots twice (find, then insert); every key compared
            // lies inside the bound
            final int bound = IndexDescriptor.MAX_DISPLACEMENT + 1;
            assertTrue(collidingGets.maxSlots <= bound + 1, "slots read by one get: " + collidingGets);
            assertTrue(collidingPuts.maxSlots <= 2 * bound + 1, "slots read by one put: " + collidingPuts);
            for (final Cost cost : new Cost[] {collidingGets, collidingPuts})
            {
                assertTrue(cost.maxComparedBytes <= (long)bound * KEY_LENGTH, "key bytes compared by one operation: " +
                    cost);
            }
        }
        else
        {
            assertEquals(0, stats[SegmentStat.COLLISION_EVICTIONS.ordinal()], "collision evictions");
            assertEquals(2 * FAMILY.length, stats[SegmentStat.ENTRIES.ordinal()], "entries");
            assertTrue(collidingGets.perOperation() <= 2 * ordinaryGets.perOperation(),
                "get on the family: " + collidingGets + ", on ordinary keys: " + ordinaryGets);
            assertTrue(collidingPuts.perOperation() <= 2 * ordinaryPuts.perOperation(),
                "put on the family: " + collidingPuts + ", on ordinary keys: " + ordinaryPuts);
            assertTrue(collidingGets.maxSlots <= 16, "slots read by one get: " + collidingGets);
        }
        for (final byte[] key : ordinary)
        {
            assertArrayEquals(value, get(segment, hasher, key), "an ordinary key was lost");
        }
    }

    /** Work counted over a set of operations. */
    private static final class Cost
    {
        long operations;
        long slots;
        long recordReads;
        long comparedBytes;
        long maxSlots;
        long maxComparedBytes;

        void add(final long slotReads, final long ringReads, final long compared)
        {
            operations++;
            slots += slotReads;
            recordReads += ringReads;
            comparedBytes += compared;
            maxSlots = Math.max(maxSlots, slotReads);
            maxComparedBytes = Math.max(maxComparedBytes, compared);
        }

        /** @return memory words read plus key words compared, per operation */
        double perOperation()
        {
            return (slots + recordReads + comparedBytes / 8.0) / operations;
        }

        @Override
        public String toString()
        {
            return String.format("%.1f slots, %.1f record reads, %.0f key bytes per op (max %d slots, %d bytes)",
                (double)slots / operations, (double)recordReads / operations, (double)comparedBytes / operations,
                maxSlots, maxComparedBytes);
        }
    }

    private static Cost costOfGets(
        final Segment segment, final KeyHasher hasher, final byte[][] keys, final CountingMemory ring,
        final CountingMemory index)
    {
        final byte[] dst = new byte[VALUE_LENGTH];
        return costOf(keys, ring, index,
            key -> segment.get(key(hasher, key), dst, 0, dst.length, true));
    }

    private static Cost costOfPuts(
        final Segment segment, final KeyHasher hasher, final byte[][] keys, final CountingMemory ring,
        final CountingMemory index)
    {
        final byte[] value = new byte[VALUE_LENGTH];
        return costOf(keys, ring, index, key -> put(segment, hasher, key, value));
    }

    private static Cost costOf(
        final byte[][] keys, final CountingMemory ring, final CountingMemory index, final Consumer<byte[]> operation)
    {
        final Cost cost = new Cost();
        for (final byte[] key : keys)
        {
            final long slots = index.reads;
            final long reads = ring.reads;
            final long compared = ring.comparedBytes;
            operation.accept(key);
            cost.add(index.reads - slots, ring.reads - reads, ring.comparedBytes - compared);
        }
        return cost;
    }

    private static boolean put(final Segment segment, final KeyHasher hasher, final byte[] key, final byte[] value)
    {
        return segment.put(key(hasher, key), value, 0, value.length, 0, PutMode.PUT);
    }

    private static byte[] get(final Segment segment, final KeyHasher hasher, final byte[] key)
    {
        return segment.get(key(hasher, key), true);
    }

    private static KeyRef key(final KeyHasher hasher, final byte[] key)
    {
        return new KeyRef().set(key, 0, key.length, hasher);
    }

    private static byte[][] ordinaryKeys(final int count)
    {
        final SplittableRandom random = new SplittableRandom(14);
        final byte[][] keys = new byte[count][KEY_LENGTH];
        for (final byte[] key : keys)
        {
            random.nextBytes(key);
        }
        return keys;
    }

    private static int distinct(final byte[][] keys)
    {
        final Set<ByteBuffer> set = new HashSet<>();
        for (final byte[] key : keys)
        {
            set.add(ByteBuffer.wrap(key));
        }
        return set.size();
    }
}
