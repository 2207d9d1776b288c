package dev.larder;

import static dev.larder.TestCaches.bigEndian;
import static dev.larder.TestCaches.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.codec.Codecs;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, section 3: one convention for every operation. Every operation comes in the three key
 * forms, every write with and without a time to live (the table in {@link OffHeapCache}'s javadoc),
 * the three forms of one key find one entry, and an entry too large is refused the same way by
 * every write.
 */
class Issue8ConventionsTest
{
    private static final long KEY = 42;
    private final FakeTicker ticker = new FakeTicker();

    /** The key forms as parameter lists, and the value that goes with each. */
    private static final String BYTES = "byte[]";
    private static final String LONG = "long";
    private static final String RANGE = "DirectBuffer,int,int";

    @Test
    void everyOperationComesInEveryKeyFormWithAndWithoutTimeToLive()
    {
        final Set<String> expected = new TreeSet<>();
        for (final String key : List.of(BYTES, LONG, RANGE))
        {
            final String value = key.equals(RANGE) ? RANGE : BYTES;
            for (final String write : List.of("put", "putIfAbsent", "replace"))
            {
                expected.add("boolean " + write + "(" + key + "," + value + ")");
                expected.add("boolean " + write + "(" + key + "," + value + ",Duration)");
            }
            expected.add("byte[] compute(" + key + ",UnaryOperator)");
            expected.add("byte[] compute(" + key + ",UnaryOperator,Duration)");
            for (final String read : List.of("get", "peek"))
            {
                expected.add("byte[] " + read + "(" + key + ")");
                expected.add("int " + read + "(" + key + ",byte[])");
                expected.add("int " + read + "(" + key + ",MutableDirectBuffer,int)");
            }
            expected.add("Object read(" + key + ",ValueReader)");
            expected.add("boolean containsKey(" + key + ")");
            expected.add("boolean remove(" + key + ")");
            expected.add("boolean touch(" + key + ",Duration)");
            expected.add("Duration ttl(" + key + ")");
            expected.add("long ttlMillis(" + key + ")");
        }
        final Set<String> names = Set.of("put", "putIfAbsent", "replace", "compute", "get", "peek", "read",
            "containsKey", "remove", "touch", "ttl", "ttlMillis");
        final Set<String> actual = new TreeSet<>();
        for (final Method method : OffHeapCache.class.getDeclaredMethods())
        {
            if (Modifier.isPublic(method.getModifiers()) && names.contains(method.getName()))
            {
                final List<String> parameters = new ArrayList<>();
                for (final Class<?> type : method.getParameterTypes())
                {
                    parameters.add(type.getSimpleName());
                }
                actual.add(method.getReturnType().getSimpleName() + " " + method.getName() + "(" +
                    String.join(",", parameters) + ")");
            }
        }
        assertEquals(expected, actual);
    }

    @Test
    void theThreeFormsOfOneKeyFindOneEntry()
    {
        try (OffHeapCache cache = TestCaches.small(ticker))
        {
            final byte[] bytes = bigEndian(KEY);
            final DirectBuffer range = Buffers.wrap(concat(bytes("..."), bytes));
            final Duration minute = Duration.ofMinutes(1);

            assertTrue(cache.putIfAbsent(KEY, bytes("a"), minute));
            assertFalse(cache.putIfAbsent(range, 3, 8, Buffers.wrap(bytes("b")), 0, 1, minute));
            assertEquals(Duration.ofMinutes(1), cache.ttl(range, 3, 8));
            assertTrue(cache.replace(range, 3, 8, Buffers.wrap(bytes("xbx")), 1, 1, Duration.ofMinutes(2)));
            assertArrayEquals(bytes("b"), cache.peek(range, 3, 8));
            assertEquals(Duration.ofMinutes(2), cache.ttl(bytes));
            assertTrue(cache.replace(KEY, bytes("cc"), Duration.ofMinutes(3)));
            assertEquals(180_000, cache.ttlMillis(range, 3, 8));

            final MutableDirectBuffer dst = Buffers.allocate(8);
            assertEquals(2, cache.get(bytes, dst, 1));
            assertEquals('c', dst.getByte(2));
            final byte[] into = new byte[2];
            assertEquals(2, cache.get(range, 3, 8, into));
            assertArrayEquals(bytes("cc"), into);
            assertEquals(2, cache.peek(KEY, new byte[1]), "the length, even when it does not fit");
            assertEquals(2, cache.peek(KEY, dst, 0));
            assertEquals(2, cache.peek(bytes, dst, 0));
            assertEquals(2, cache.peek(range, 3, 8, into));
            final long hits = cache.stats().hitCount();

            assertArrayEquals(bytes("ccd"), cache.compute(range, 3, 8, old -> concat(old, bytes("d"))));
            assertArrayEquals(bytes("ccde"), cache.compute(KEY, old -> concat(old, bytes("e")), Duration.ofSeconds(9)));
            assertEquals(Duration.ofSeconds(9), cache.ttl(KEY));
            assertArrayEquals(bytes("ccdef"),
                cache.compute(range, 3, 8, old -> concat(old, bytes("f")), Duration.ofSeconds(8)));
            assertArrayEquals(bytes("ccdefg"), cache.compute(bytes, old -> concat(old, bytes("g")), minute));
            assertEquals(hits, cache.stats().hitCount(), "peeks and computes count no hits");
            assertEquals(1, cache.size());
            cache.verifyInvariants();
        }
    }

    @Test
    void anEntryTooLargeIsRefusedTheSameWayByEveryWrite()
    {
        try (OffHeapCache cache = TestCaches.small(ticker))
        {
            final byte[] key = bigEndian(KEY);
            final DirectBuffer range = Buffers.wrap(key);
            final byte[] huge = new byte[cache.maxEntrySize() - Long.BYTES + 1];
            final DirectBuffer hugeBuffer = Buffers.wrap(huge);
            final Duration minute = Duration.ofMinutes(1);
            final List<String> refusals = new ArrayList<>();

            // absent: refused writes leave it absent
            check(cache, refusals, "put", cache.put(key, huge), null);
            check(cache, refusals, "put ttl", cache.put(KEY, huge, minute), null);
            check(cache, refusals, "put range", cache.put(range, 0, 8, hugeBuffer, 0, huge.length), null);
            check(cache, refusals, "putIfAbsent", cache.putIfAbsent(KEY, huge), null);
            check(cache, refusals, "putIfAbsent range ttl",
                cache.putIfAbsent(range, 0, 8, hugeBuffer, 0, huge.length, minute), null);
            final UnaryOperator<byte[]> grow = old -> huge;
            assertNull(cache.compute(key, grow), "compute of an absent key, refused: null");
            refusals.add("compute");

            // present: refused writes leave the entry as it was, time to live included
            assertTrue(cache.put(KEY, bytes("kept"), minute));
            check(cache, refusals, "put over", cache.put(KEY, huge), bytes("kept"));
            check(cache, refusals, "replace", cache.replace(key, huge), bytes("kept"));
            check(cache, refusals, "replace range ttl",
                cache.replace(range, 0, 8, hugeBuffer, 0, huge.length, minute), bytes("kept"));
            final byte[] current = cache.compute(range, 0, 8, grow, minute);
            assertArrayEquals(bytes("kept"), current, "compute, refused: the current value");
            refusals.add("compute over");
            assertArrayEquals(bytes("kept"), cache.get(KEY));
            assertEquals(minute, cache.ttl(KEY));
            assertEquals(refusals.size(), cache.stats().rejectionCount(), "each refusal counted: " + refusals);

            // a function that changes the array it was given still gets the value the cache holds
            assertArrayEquals(bytes("kept"), cache.compute(KEY, old -> {
                Arrays.fill(old, (byte)'x');
                return huge;
            }));
            cache.verifyInvariants();
        }
    }

    @Test
    void aTypedEntryTooLargeIsRefusedAsInTheByteCache()
    {
        try (Cache<Long, String> cache = OffHeapCache.builder().capacity(1 << 20).build(Codecs.longs(), Codecs.utf8()))
        {
            final String huge = "x".repeat(cache.bytes().maxEntrySize());
            assertNull(cache.compute(1L, (k, v) -> huge), "absent, refused: null");
            assertFalse(cache.put(1L, huge));
            cache.put(1L, "kept");
            final String kept = cache.get(1L);
            assertEquals("kept", cache.compute(1L, (k, v) -> huge));
            assertFalse(cache.replace(1L, huge));
            assertEquals(kept, cache.get(1L));
            assertEquals(4, cache.stats().rejectionCount());
            final String next = "next";
            assertSame(next, cache.compute(1L, (k, v) -> next), "stored: the function's value");
        }
    }

    private static void check(
        final OffHeapCache cache, final List<String> refusals, final String write, final boolean stored,
        final byte[] expected)
    {
        assertFalse(stored, write + " of an entry too large: refused");
        refusals.add(write);
        assertEquals(refusals.size(), cache.stats().rejectionCount(), write + ": counted");
        final byte[] value = cache.get(KEY);
        if (expected == null)
        {
            assertNull(value, write + ": still absent");
        }
        else
        {
            assertArrayEquals(expected, value, write + ": unchanged");
        }
    }

    private static byte[] concat(final byte[] first, final byte[] second)
    {
        final byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
