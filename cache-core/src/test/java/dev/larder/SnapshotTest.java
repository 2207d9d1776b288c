package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.codec.Codecs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading snapshots (#11): round trips, time to live across a restart, other cache shapes, bad files. */
class SnapshotTest
{
    static final long WALL_START = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void entriesSurviveARestart() throws IOException
    {
        final Path file = dir.resolve("cache.snap");
        final Map<Long, byte[]> expected = new HashMap<>();
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(8).build())
        {
            for (long key = 0; key < 2000; key++)
            {
                final byte[] value = valueOf(key);
                assertTrue(cache.put(key, value));
                expected.put(key, value);
            }
            assertTrue(cache.put(new byte[0], new byte[0]), "empty key and value");
            final SnapshotSave saved = cache.save(file);
            assertEquals(2001, saved.entries());
            assertEquals(Files.size(file), saved.bytes());
            assertEquals(0, saved.expired());
            assertTrue(saved.maxSegmentPause().compareTo(saved.duration()) <= 0);
        }
        try (OffHeapCache restored = OffHeapCache.builder().capacity(1 << 20).segments(8).loadSnapshot(file).build())
        {
            final SnapshotLoad load = restored.snapshotLoad();
            assertTrue(load.found());
            assertEquals(2001, load.entries());
            assertEquals(2001, load.loaded());
            assertEquals(0, load.expired() + load.rejected() + load.evicted());
            assertEquals(2001, restored.size());
            expected.forEach((key, value) -> assertArrayEquals(value, restored.get(key), "key " + key));
            assertArrayEquals(new byte[0], restored.get(new byte[0]));
            restored.verifyInvariants();
        }
    }

    @Test
    void anAbsentFileBuildsAnEmptyCache()
    {
        final Path file = dir.resolve("never-saved.snap");
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).loadSnapshot(file).build())
        {
            assertEquals(0, cache.size());
            final SnapshotLoad load = cache.snapshotLoad();
            assertFalse(load.found());
            assertEquals(file, load.file());
            assertEquals(0, load.entries());
        }
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).build())
        {
            assertNull(cache.snapshotLoad(), "built without a snapshot");
        }
    }

    @Test
    void timeToLiveKeepsCountingWhileTheProcessIsDown() throws IOException
    {
        final Path file = dir.resolve("ttl.snap");
        final FakeTicker ticker = new FakeTicker();
        final AtomicLong wall = new AtomicLong(WALL_START);
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(2).ticker(ticker)
            .wallClock(wall::get).build())
        {
            cache.put(1L, valueOf(1), Duration.ofSeconds(10));
            cache.put(2L, valueOf(2), Duration.ofSeconds(4));
            cache.put(3L, valueOf(3), Duration.ofSeconds(2)); // expired at the save: left out
            cache.put(4L, valueOf(4));                         // never expires
            ticker.advance(Duration.ofSeconds(3));
            wall.addAndGet(3000);
            final SnapshotSave saved = cache.save(file);
            assertEquals(3, saved.entries());
            assertEquals(1, saved.expired());
        }
        wall.addAndGet(2000); // down for 2 s: key 2 expired meanwhile
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(2).ticker(new FakeTicker())
            .wallClock(wall::get).loadSnapshot(file).build())
        {
            final SnapshotLoad load = cache.snapshotLoad();
            assertEquals(3, load.entries());
            assertEquals(2, load.loaded());
            assertEquals(1, load.expired());
            assertEquals(5000, cache.ttlMillis(1L), "10 s - 3 s before the save - 2 s down");
            assertEquals(OffHeapCache.ABSENT, cache.ttlMillis(2L));
            assertEquals(OffHeapCache.NO_EXPIRY, cache.ttlMillis(4L));
            assertArrayEquals(valueOf(1), cache.get(1L));
        }
    }

    @Test
    void aSmallerCacheWithOtherSegmentsKeepsWhatFitsAndCountsTheRest() throws IOException
    {
        final Path file = dir.resolve("big.snap");
        saveFilled(OffHeapCache.builder().capacity(4 << 20).segments(16).build(), 20_000, file);
        for (final int segments : new int[] {1, 4, 64})
        {
            try (OffHeapCache small = OffHeapCache.builder().capacity(512 << 10).segments(segments).loadSnapshot(file)
                .build())
            {
                final SnapshotLoad load = small.snapshotLoad();
                assertEquals(20_000, load.entries());
                assertEquals(20_000, load.loaded());
                assertTrue(load.evicted() > 0, "evicted " + load.evicted());
                assertEquals(load.loaded() - load.evicted(), small.size(), "segments=" + segments);
                assertEquals(load.evicted(), small.stats().evictionCount());
                long found = 0;
                for (long key = 0; key < 20_000; key++)
                {
                    final byte[] value = small.get(key);
                    if (value != null)
                    {
                        assertArrayEquals(valueOf(key), value);
                        found++;
                    }
                }
                assertEquals(small.size(), found);
                small.verifyInvariants();
            }
        }
    }

    @Test
    void entriesTooLargeForTheLoadingCacheAreRejectedAndCounted() throws IOException
    {
        final Path file = dir.resolve("large.snap");
        try (OffHeapCache cache = OffHeapCache.builder().capacity(4 << 20).segments(1).build())
        {
            cache.put(1L, new byte[100_000]);
            cache.put(2L, valueOf(2));
            cache.save(file);
        }
        try (OffHeapCache small = OffHeapCache.builder().capacity(64 << 10).segments(1).loadSnapshot(file).build())
        {
            final SnapshotLoad load = small.snapshotLoad();
            assertEquals(1, load.rejected());
            assertEquals(1, load.loaded());
            assertEquals(1, small.stats().rejectionCount());
            assertNull(small.get(1L));
            assertArrayEquals(valueOf(2), small.get(2L));
        }
    }

    @Test
    void theHashKeyIsNotSavedAndKeysAreHashedAnew() throws IOException
    {
        final Path file = dir.resolve("hash.snap");
        saveFilled(OffHeapCache.builder().capacity(1 << 20).hashSeed(42).build(), 500, file);
        final byte[] bytes = Files.readAllBytes(file);
        assertFalse(contains(bytes, Long.toString(42).getBytes()), "seed in clear");
        try (OffHeapCache other = OffHeapCache.builder().capacity(1 << 20).hashFunction(HashFunction.FAST_TRUSTED_KEYS)
            .loadSnapshot(file).build())
        {
            for (long key = 0; key < 500; key++)
            {
                assertArrayEquals(valueOf(key), other.get(key));
            }
        }
    }

    @Test
    void typedCachesSaveAndLoadThroughTheirCodecs() throws IOException
    {
        final Path file = dir.resolve("typed.snap");
        try (Cache<String, String> cache = OffHeapCache.builder().capacity(1 << 20).build(Codecs.utf8(), Codecs.utf8()))
        {
            cache.put("alpha", "one");
            cache.put("beta", "two", Duration.ofHours(1));
            assertEquals(2, cache.save(file).entries());
        }
        try (Cache<String, String> cache = OffHeapCache.builder().capacity(1 << 20).loadSnapshot(file)
            .build(Codecs.utf8(), Codecs.utf8()))
        {
            assertEquals(2, cache.snapshotLoad().loaded());
            assertEquals("one", cache.get("alpha"));
            assertEquals("two", cache.get("beta"));
            assertTrue(cache.ttl("beta").compareTo(Duration.ofMinutes(59)) > 0);
        }
    }

    @Test
    void savingOverwritesThePreviousSnapshotAndLeavesNoTemporaryFile() throws IOException
    {
        final Path file = dir.resolve("again.snap");
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).build())
        {
            cache.put(1L, valueOf(1));
            cache.save(file);
            cache.put(2L, valueOf(2));
            assertEquals(2, cache.save(file).entries());
        }
        assertEquals(List.of(file), filesIn(dir));
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).loadSnapshot(file).build())
        {
            assertEquals(2, cache.size());
        }
    }

    @Test
    void anEmptyCacheSavesAndLoads() throws IOException
    {
        final Path file = dir.resolve("empty-cache.snap");
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(4).build())
        {
            assertEquals(0, cache.save(file).entries());
        }
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).loadSnapshot(file).build())
        {
            assertTrue(cache.snapshotLoad().found());
            assertEquals(0, cache.size());
        }
    }

    @Test
    void savingRunsAlongsideWritersAndEveryEntryItHoldsIsOneThatWasWritten() throws Exception
    {
        final Path file = dir.resolve("busy.snap");
        try (OffHeapCache cache = OffHeapCache.builder().capacity(2 << 20).segments(8).build())
        {
            final AtomicBoolean stop = new AtomicBoolean();
            final CountDownLatch started = new CountDownLatch(2);
            final List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++)
            {
                final int writer = w;
                final Thread thread = new Thread(() ->
                {
                    started.countDown();
                    for (long round = 0; !stop.get(); round++)
                    {
                        final long key = writer * 1_000_000L + round % 3000;
                        cache.put(key, selfChecking(key, round));
                    }
                });
                thread.start();
                writers.add(thread);
            }
            started.await();
            for (int i = 0; i < 5; i++)
            {
                cache.save(file);
            }
            stop.set(true);
            for (final Thread thread : writers)
            {
                thread.join();
            }
        }
        try (OffHeapCache cache = OffHeapCache.builder().capacity(2 << 20).segments(8).loadSnapshot(file).build())
        {
            assertTrue(cache.size() > 0);
            for (final CacheEntry<byte[], byte[]> entry : cache.entries())
            {
                final long key = ByteBuffer.wrap(entry.key()).getLong();
                final ByteBuffer value = ByteBuffer.wrap(entry.value());
                assertEquals(key, value.getLong(), "value belongs to its key");
                assertEquals(value.getLong(8) * 31 + key, value.getLong(16), "value intact");
            }
        }
    }

    @Test
    void concurrentSavesToOnePathLeaveOneCompleteSnapshot() throws Exception
    {
        final Path file = dir.resolve("race.snap");
        try (OffHeapCache a = OffHeapCache.builder().capacity(1 << 20).build();
             OffHeapCache b = OffHeapCache.builder().capacity(1 << 20).build())
        {
            for (long key = 0; key < 1000; key++)
            {
                a.put(key, valueOf(key));
                b.put(key + 10_000, valueOf(key));
            }
            final List<Thread> savers = new ArrayList<>();
            final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (final OffHeapCache cache : List.of(a, b, a, b))
            {
                final Thread thread = new Thread(() ->
                {
                    try
                    {
                        for (int i = 0; i < 5; i++)
                        {
                            cache.save(file);
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                });
                thread.start();
                savers.add(thread);
            }
            for (final Thread thread : savers)
            {
                thread.join();
            }
            assertEquals(List.of(), failures);
        }
        assertEquals(List.of(file), filesIn(dir));
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).loadSnapshot(file).build())
        {
            assertEquals(1000, cache.size());
            final boolean fromA = cache.containsKey(0L);
            for (long key = 0; key < 1000; key++)
            {
                assertArrayEquals(valueOf(key), cache.get(fromA ? key : key + 10_000));
            }
        }
    }

    @Test
    void aCallbackMaySaveNothing() throws IOException
    {
        final Path file = dir.resolve("callback.snap");
        final List<Throwable> thrown = new ArrayList<>();
        final OffHeapCache[] self = new OffHeapCache[1];
        try (OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).removalListener((key, value, cause) ->
        {
            try
            {
                self[0].save(file);
            }
            catch (final IOException | RuntimeException ex)
            {
                thrown.add(ex);
            }
        }).build())
        {
            self[0] = cache;
            cache.put(1L, valueOf(1));
            cache.remove(1L);
        }
        assertEquals(1, thrown.size());
        assertEquals("the cache must not be called from its own callbacks: callback=RemovalListener",
            thrown.get(0).getMessage());
        assertEquals(List.of(), filesIn(dir));
    }

    @Test
    void evictionsWhileLoadingReachTheRemovalListener() throws IOException
    {
        final Path file = dir.resolve("listener.snap");
        saveFilled(OffHeapCache.builder().capacity(4 << 20).segments(4).build(), 20_000, file);
        final Map<RemovalCause, Integer> causes = new java.util.EnumMap<>(RemovalCause.class);
        try (OffHeapCache small = OffHeapCache.builder().capacity(256 << 10).segments(4)
            .removalListener((key, value, cause) -> causes.merge(cause, 1, Integer::sum)).loadSnapshot(file).build())
        {
            final SnapshotLoad load = small.snapshotLoad();
            assertTrue(load.evicted() > 0);
            assertEquals(Map.of(RemovalCause.EVICTED, (int)load.evicted()), causes);
        }
    }

    @Test
    void closingDuringASaveEndsItCleanly() throws Exception
    {
        final Path file = dir.resolve("closing.snap");
        for (int round = 0; round < 4; round++)
        {
            final OffHeapCache cache = OffHeapCache.builder().capacity(8 << 20).segments(64).build();
            for (long key = 0; key < 20_000; key++)
            {
                cache.put(key, valueOf(key));
            }
            final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            final Thread saver = new Thread(() ->
            {
                try
                {
                    while (true)
                    {
                        cache.save(file);
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            });
            saver.start();
            Thread.sleep(round * 7L);
            cache.close();
            saver.join();
            assertEquals(1, failures.size());
            assertInstanceOf(IllegalStateException.class, failures.get(0));
            assertEquals("cache is closed", failures.get(0).getMessage());
            for (final Path left : filesIn(dir))
            {
                assertEquals(file, left, "no temporary file left");
            }
        }
        try (OffHeapCache cache = OffHeapCache.builder().capacity(8 << 20).segments(64).loadSnapshot(file).build())
        {
            assertTrue(!cache.snapshotLoad().found() || cache.size() == 20_000, "absent or complete");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Files that cannot be loaded
    // ---------------------------------------------------------------------------------------------

    @Test
    void anEmptyFileIsRefused() throws IOException
    {
        final Path file = Files.createFile(dir.resolve("empty.snap"));
        assertRefused(file, "cannot load the snapshot " + file + ": the file is empty");
    }

    @Test
    void aForeignFileIsRefused() throws IOException
    {
        final Path file = Files.write(dir.resolve("foreign.snap"),
            "PK\u0003\u0004 this is a zip file, not a snapshot".getBytes());
        assertRefused(file, "cannot load the snapshot " + file +
            ": not a Larder snapshot: it does not start with \"LARDERSN\"");
        final Path tiny = Files.write(dir.resolve("tiny.snap"), new byte[] {'X'});
        assertRefused(tiny, "cannot load the snapshot " + tiny +
            ": not a Larder snapshot: it does not start with \"LARDERSN\"");
        final Path prefix = Files.write(dir.resolve("prefix.snap"), "LARD".getBytes());
        assertRefused(prefix, "cannot load the snapshot " + prefix +
            ": truncated: the file has 4 bytes, the header alone needs 64");
    }

    @Test
    void aNewerVersionIsRefused() throws IOException
    {
        final Path file = savedSnapshot("newer.snap");
        final byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        Files.write(file, bytes);
        assertRefused(file, "cannot load the snapshot " + file +
            ": written by a newer version of Larder: format version=2, this version reads up to 1");
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException
    {
        final Path file = savedSnapshot("truncated.snap");
        final byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        final String message = assertRefused(file, null);
        assertTrue(message.matches(
            ".*: truncated: section 3 of 4 needs \\d+ payload bytes and a trailer after byte \\d+"),
            message);
        Files.write(file, java.util.Arrays.copyOf(bytes, 40));
        assertRefused(file, "cannot load the snapshot " + file +
            ": truncated: the file has 40 bytes, the header alone needs 64");
    }

    @Test
    void aDamagedSectionRefusesTheWholeLoad() throws IOException
    {
        final Path file = savedSnapshot("damaged.snap");
        final byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 40] ^= 1; // in the last section's payload
        Files.write(file, bytes);
        final String message = assertRefused(file, null);
        assertTrue(message.matches(".*: damaged: section 3 of 4 fails its CRC32C check"), message);
    }

    @Test
    void garbageAfterTheTrailerIsRefused() throws IOException
    {
        final Path file = savedSnapshot("garbage.snap");
        Files.write(file, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        assertRefused(file, "cannot load the snapshot " + file + ": damaged: the file has 1 bytes after the trailer");
    }

    /** A cache of 4 segments and 200 entries, saved. */
    Path savedSnapshot(final String name) throws IOException
    {
        final Path file = dir.resolve(name);
        saveFilled(OffHeapCache.builder().capacity(1 << 20).segments(4).build(), 200, file);
        return file;
    }

    /** Puts keys 0 to {@code entries - 1} with {@link #valueOf}, saves to {@code file}, and closes the cache. */
    static void saveFilled(final OffHeapCache cache, final long entries, final Path file) throws IOException
    {
        try (cache)
        {
            for (long key = 0; key < entries; key++)
            {
                cache.put(key, valueOf(key));
            }
            cache.save(file);
        }
    }

    /** @return the message; asserts it equals {@code expected} unless that is null */
    static String assertRefused(final Path file, final String expected)
    {
        final UncheckedIOException thrown = assertThrows(UncheckedIOException.class,
            () -> OffHeapCache.builder().capacity(1 << 20).loadSnapshot(file).build().close());
        final SnapshotException cause = assertInstanceOf(SnapshotException.class, thrown.getCause());
        assertEquals(file, cause.file());
        if (expected != null)
        {
            assertEquals(expected, cause.getMessage());
        }
        assertEquals(cause.getMessage(), thrown.getMessage());
        return cause.getMessage();
    }

    static byte[] valueOf(final long key)
    {
        final byte[] value = new byte[(int)(key % 50) + 8];
        ByteBuffer.wrap(value).putLong(key * 0x9E3779B97F4A7C15L);
        return value;
    }

    static byte[] selfChecking(final long key, final long round)
    {
        return ByteBuffer.allocate(24).putLong(key).putLong(round).putLong(round * 31 + key).array();
    }

    static List<Path> filesIn(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.sorted().toList();
        }
    }

    /** The file without its header's saved-at time and CRC, which differ between two saves. */
    static byte[] withoutSavedAt(final byte[] bytes)
    {
        final byte[] copy = bytes.clone();
        java.util.Arrays.fill(copy, 32, 40, (byte)0);
        java.util.Arrays.fill(copy, 60, 64, (byte)0);
        return copy;
    }

    private static boolean contains(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
