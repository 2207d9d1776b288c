package dev.larder;

import static dev.larder.Issue11LargeValuesTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.internal.Segment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, snapshots of large values: a chunk is restored as a chunk (under its id, in segment
 * {@code id mod segments} of the loading cache), a head under its key with its flag; a value
 * whose chunks did not all survive the load is removed at the end of the load and counted, never
 * read partly; new large values never take a restored chunk's id; a large value counts as one entry.
 */
class Issue11SnapshotLargeValuesTest
{
    @TempDir
    Path dir;

    /** 1 MiB over 4 segments: records of at most 64 KiB, chunk records of 16 KiB. */
    private static OffHeapCacheBuilder saver()
    {
        return secondChance().capacity(1 << 20).segments(4).hashSeed(11);
    }

    /** Fills a cache with large values of 2 to 9 chunks and small ones; @return what it holds */
    private static Map<String, byte[]> fill(final OffHeapCache cache, final int large, final int small)
    {
        final Map<String, byte[]> expected = new LinkedHashMap<>();
        for (int i = 0; i < large; i++)
        {
            final byte[] value = pattern(cache.maxInlineEntrySize() + 1 + i * 15_001 % 100_000, i);
            expected.put("large-" + i, value);
        }
        for (int i = 0; i < small; i++)
        {
            expected.put("small-" + i, pattern(10 + i, 1000 + i));
        }
        expected.forEach((key, value) -> assertTrue(cache.put(TestCaches.bytes(key), value), key));
        return expected;
    }

    private static int liveChunks(final OffHeapCache cache)
    {
        int chunks = 0;
        for (final Segment segment : cache.segments())
        {
            chunks += segment.liveChunks();
        }
        return chunks;
    }

    /** @return the chunks of a value cut into chunks of {@code stride} bytes */
    private static int chunksOf(final byte[] value, final int stride)
    {
        return (value.length + stride - 1) / stride;
    }

    /** @return the chunk length of {@link #saver()}'s caches, which restored values keep */
    private static int savedStride()
    {
        try (OffHeapCache cache = saver().build())
        {
            return cache.chunkLength();
        }
    }

    /** @return the largest key + value {@link #saver()}'s caches store in one record */
    private static int savedInline()
    {
        try (OffHeapCache cache = saver().build())
        {
            return cache.maxInlineEntrySize();
        }
    }

    /** Saves a filled cache of {@link #saver()}'s shape; @return what it held */
    private Map<String, byte[]> save(final Path file, final int large, final int small) throws IOException
    {
        try (OffHeapCache cache = saver().build())
        {
            final Map<String, byte[]> expected = fill(cache, large, small);
            final int chunks = liveChunks(cache);
            assertTrue(chunks > large, "each large value has several chunks: " + chunks);
            final SnapshotSave saved = cache.save(file);
            assertEquals(large + small, saved.entries(), "a large value is one entry, its chunks none");
            return expected;
        }
    }

    /** Reads every key back: whole, or (when {@code complete} is false) a miss; @return the whole ones */
    private static int readBack(final OffHeapCache cache, final Map<String, byte[]> expected, final boolean complete)
    {
        final int stride = savedStride();
        final int inline = savedInline();
        cache.verifyInvariants();
        final long entries = cache.size();
        int chunks = 0;
        int whole = 0;
        for (final Map.Entry<String, byte[]> entry : expected.entrySet())
        {
            final byte[] found = cache.get(TestCaches.bytes(entry.getKey()));
            if (complete || found != null)
            {
                assertArrayEquals(entry.getValue(), found, entry.getKey());
                chunks += entry.getValue().length > inline ? chunksOf(entry.getValue(), stride) : 0;
                whole++;
            }
        }
        assertEquals(entries, whole, "no entry of the load reads as a miss: broken heads were removed by the load");
        assertEquals(chunks, liveChunks(cache), "no chunk is left that no whole value names");
        return whole;
    }

    @Test
    void largeValuesSurviveARestartOfTheSameShape() throws IOException
    {
        final Path file = dir.resolve("same.snap");
        final Map<String, byte[]> expected = save(file, 6, 40);
        try (OffHeapCache cache = secondChance().capacity(1 << 20).segments(4).loadSnapshot(file).build())
        {
            final SnapshotLoad load = cache.snapshotLoad();
            assertEquals(46, load.entries());
            assertEquals(46, load.loaded());
            assertEquals(0, load.expired() + load.rejected() + load.evicted());
            assertEquals(46, readBack(cache, expected, true));
        }
    }

    @Test
    void largeValuesSurviveALoadIntoOtherSegmentCounts() throws IOException
    {
        final Path file = dir.resolve("shape.snap");
        final Map<String, byte[]> expected = save(file, 6, 40);
        for (final int segments : new int[] {1, 2, 8, 16})
        {
            try (OffHeapCache cache = secondChance().capacity(4 << 20).segments(segments).hashSeed(segments)
                .loadSnapshot(file).build())
            {
                final SnapshotLoad load = cache.snapshotLoad();
                assertEquals(46, load.loaded(), segments + " segments");
                assertEquals(0, load.rejected() + load.evicted(), segments + " segments");
                assertEquals(46, readBack(cache, expected, true), segments + " segments");
            }
        }
    }

    @Test
    void aSmallerCacheKeepsWholeValuesOnlyAndCountsTheRest() throws IOException
    {
        final Path file = dir.resolve("smaller.snap");
        final Map<String, byte[]> expected = save(file, 6, 0);
        try (OffHeapCache cache = secondChance().capacity(512 << 10).segments(4).hashSeed(3)
            .loadSnapshot(file).build())
        {
            final SnapshotLoad load = cache.snapshotLoad();
            assertEquals(6, load.entries());
            assertEquals(6, load.loaded() + load.rejected());
            final int whole = readBack(cache, expected, false);
            assertTrue(whole > 0 && whole < 6, "some values fit, some not: " + whole);
            assertTrue(load.evicted() + load.rejected() >= 6 - whole,
                "every value lost is counted: " + load + ", whole=" + whole);
            assertEquals(6 - whole, cache.stats().missCount(), "the lost ones read as misses");
        }
    }

    @Test
    void aValueWhoseChunksThisCacheRefusesIsRefusedWholeAndCounted() throws IOException
    {
        final Path file = dir.resolve("refused.snap");
        final byte[] large = pattern(1_200_000, 1);
        final byte[] mid = pattern(100_000, 2);
        try (OffHeapCache cache = secondChance().capacity(4 << 20).segments(1).build())
        {
            assertTrue(cache.put(TestCaches.bytes("large"), large));
            assertTrue(cache.put(TestCaches.bytes("mid"), mid), "inline here: a record of 1 MiB at most");
            assertEquals(2, cache.save(file).entries());
        }
        try (OffHeapCache cache = secondChance().capacity(4 << 20).segments(64).loadSnapshot(file).build())
        {
            assertTrue(cache.maxEntrySize() > large.length, "a value this cache could take, in its own chunks");
            final SnapshotLoad load = cache.snapshotLoad();
            assertEquals(2, load.entries());
            assertEquals(1, load.loaded());
            assertEquals(1, load.rejected(), "its chunks are too large for this cache's records");
            assertEquals(1, cache.stats().rejectionCount());
            assertNull(cache.get(TestCaches.bytes("large")));
            assertArrayEquals(mid, cache.get(TestCaches.bytes("mid")), "a large value here: chunked at the load");
            assertEquals(chunksOf(mid, cache.chunkLength()), liveChunks(cache));
            cache.verifyInvariants();
        }
    }

    @Test
    void newLargeValuesNeverTakeARestoredChunkId() throws IOException
    {
        final Path file = dir.resolve("ids.snap");
        final Map<String, byte[]> expected = save(file, 3, 0);
        // the same seed: without the rule, the loading cache's counter would start at the saver's first id
        try (OffHeapCache cache = saver().loadSnapshot(file).build())
        {
            final Map<String, byte[]> all = new LinkedHashMap<>(expected);
            for (int i = 0; i < 3; i++)
            {
                final byte[] value = pattern(cache.maxInlineEntrySize() * 2 + i, 100 + i);
                assertTrue(cache.put(TestCaches.bytes("new-" + i), value), "new-" + i);
                all.put("new-" + i, value);
            }
            assertEquals(6, readBack(cache, all, true));
            cache.save(dir.resolve("ids2.snap"));
        }
        try (OffHeapCache cache = saver().loadSnapshot(dir.resolve("ids2.snap")).build())
        {
            final byte[] newer = pattern(cache.maxInlineEntrySize() + 1, 200);
            assertTrue(cache.put(TestCaches.bytes("newer"), newer));
            assertArrayEquals(newer, cache.get(TestCaches.bytes("newer")));
            cache.verifyInvariants();
            for (final Map.Entry<String, byte[]> entry : expected.entrySet())
            {
                assertArrayEquals(entry.getValue(), cache.get(TestCaches.bytes(entry.getKey())), entry.getKey());
            }
        }
    }

    @Test
    void aRestoredLargeValueIsSavedAgainExactlyAsItWas() throws IOException
    {
        final Path file = dir.resolve("verbatim.snap");
        save(file, 4, 10);
        try (OffHeapCache cache = saver().loadSnapshot(file).build())
        {
            cache.save(dir.resolve("verbatim2.snap"));
        }
        assertArrayEquals(SnapshotTest.withoutSavedAt(Files.readAllBytes(file)),
            SnapshotTest.withoutSavedAt(Files.readAllBytes(dir.resolve("verbatim2.snap"))),
            "chunks under their ids and checks, heads with their descriptors");
    }

    @Test
    void anExpiredLargeValueIsDroppedWithItsChunks() throws IOException
    {
        final Path file = dir.resolve("ttl.snap");
        final AtomicLong wall = new AtomicLong(SnapshotTest.WALL_START);
        final byte[] lasting = pattern(200_000, 1);
        try (OffHeapCache cache = saver().ticker(new FakeTicker()).wallClock(wall::get).build())
        {
            assertTrue(cache.put(TestCaches.bytes("short"), pattern(150_000, 2), Duration.ofSeconds(2)));
            assertTrue(cache.put(TestCaches.bytes("lasting"), lasting, Duration.ofSeconds(60)));
            assertEquals(2, cache.save(file).entries());
        }
        wall.addAndGet(5000);
        try (OffHeapCache cache = saver().ticker(new FakeTicker()).wallClock(wall::get).loadSnapshot(file).build())
        {
            final SnapshotLoad load = cache.snapshotLoad();
            assertEquals(2, load.entries());
            assertEquals(1, load.loaded());
            assertEquals(1, load.expired());
            assertNull(cache.get(TestCaches.bytes("short")));
            assertArrayEquals(lasting, cache.get(TestCaches.bytes("lasting")));
            assertEquals(55_000, cache.ttlMillis(TestCaches.bytes("lasting")));
            assertEquals(chunksOf(lasting, savedStride()), liveChunks(cache),
                "the expired value's chunks were dropped");
            cache.verifyInvariants();
        }
    }

    @Test
    void aRecordWhoseKindContradictsItsLengthsIsRefusedAsDamaged() throws IOException
    {
        final Path file = dir.resolve("kinds.snap");
        try (OffHeapCache cache = secondChance().capacity(1 << 20).segments(1).build())
        {
            cache.put(pattern(16, 1), pattern(16, 2));
            cache.save(file);
        }
        final byte[] saved = Files.readAllBytes(file);
        assertEquals("is not a valid chunk", refusal(file, saved, 4, 0), "a chunk's key is its 8-byte id");
        assertEquals("is a large value's head", refusal(file, saved, 1 << 30, 0), "a head's value is 24 bytes");
        assertEquals("is not a valid entry", refusal(file, saved, 0, 7), "only a chunk has a check");
        assertEquals("has unknown kind bits", refusal(file, saved, 4 | 1 << 30, 0));
    }

    /**
     * Gives the one record of a one-segment snapshot other kind bits and check, reseals the
     * section's checksums so that only the record's own checks can refuse it, and loads it.
     *
     * @return which check refused it
     */
    private static String refusal(final Path file, final byte[] saved, final int kind, final int check)
        throws IOException
    {
        final int section = 64;
        final int payload = section + 32;
        final byte[] bytes = saved.clone();
        final ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        le.putInt(payload, kind);
        le.putInt(payload + 4, check);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, payload, (int)le.getLong(section + 8));
        le.putInt(section + 20, (int)crc.getValue());
        crc.reset();
        crc.update(bytes, section, 28);
        le.putInt(section + 28, (int)crc.getValue());
        Files.write(file, bytes);
        final UncheckedIOException ex = assertThrows(UncheckedIOException.class,
            () -> secondChance().capacity(1 << 20).loadSnapshot(file).build().close());
        final String message = assertInstanceOf(SnapshotException.class, ex.getCause()).getMessage();
        assertTrue(message.contains("damaged: section 0 of 1, entry 0 "), message);
        for (final String rule : new String[] {"is not a valid chunk", "is a large value's head",
            "is not a valid entry",
            "has unknown kind bits"})
        {
            if (message.contains(rule))
            {
                return rule;
            }
        }
        return message;
    }

    /**
     * @return a builder of a cache running second chance: its records reach a quarter of a segment's
     *     ring, which the sizes here rely on
     */
    private static OffHeapCacheBuilder secondChance()
    {
        return OffHeapCache.builder().eviction(EvictionMode.SECOND_CHANCE);
    }
}
