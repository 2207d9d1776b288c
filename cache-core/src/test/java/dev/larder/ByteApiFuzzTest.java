package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.larder.internal.Memories;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.function.Executable;

/**
 * Fuzzes the public byte API with Jazzer: random sequences of every operation, by {@code byte[]},
 * {@code long} and {@link DirectBuffer}-range keys, with random keys, values, time-to-live values,
 * buffer offsets and lengths (some outside their buffer, or a time to live out of range, which
 * must be refused and leave the cache as it was), a remapping function that removes, keeps,
 * replaces, throws or grows too large, and a fake ticker moved by the input. Every result is
 * checked against a plain map, as in {@link ModelBasedTest}, and the segment invariants after every
 * operation.
 *
 * <p>The input first chooses the cache: roomy (never evicts within an input, so every result must
 * match the model) or tight (evicts: a read may miss, and the model then forgets the key, but never
 * returns a stale or foreign value; values may exceed {@link OffHeapCache#maxEntrySize()}, which
 * must be refused).
 *
 * <p>{@code mvn test} replays the inputs under
 * src/test/resources/dev/larder/ByteApiFuzzTestInputs/byteApiMatchesTheModel; {@code JAZZER_FUZZ=1}
 * fuzzes for {@code maxDuration} (see docs/verification.md).
 */
class ByteApiFuzzTest
{
    /** Operations per input, at most. */
    private static final int MAX_OPERATIONS = 200;

    enum Kind
    {
        PUT, PUT_TTL, PUT_LONG, PUT_BUFFER, PUT_IF_ABSENT, PUT_IF_ABSENT_LONG, PUT_IF_ABSENT_BUFFER, REPLACE,
        REPLACE_BUFFER, GET, GET_LONG, GET_INTO, GET_BUFFER, PEEK, PEEK_BUFFER, READ, REMOVE, REMOVE_LONG,
        REMOVE_BUFFER, CONTAINS, CONTAINS_BUFFER, TOUCH, TOUCH_BUFFER, TTL, TTL_LONG, TTL_BUFFER, COMPUTE,
        COMPUTE_LONG, ADVANCE, CLEAR
    }

    /** What a remapping function does. */
    enum Remap
    {
        REMOVE, KEEP, REPLACE, THROW, TOO_LARGE
    }

    @FuzzTest(maxDuration = "40s")
    void byteApiMatchesTheModel(final FuzzedDataProvider data)
    {
        final boolean roomy = data.consumeBoolean();
        final FakeTicker ticker = new FakeTicker();
        final int defaultTtl = data.consumeBoolean() ? data.consumeInt(1, 5000) : 0;
        final OffHeapCacheBuilder builder = OffHeapCache.builder().ticker(ticker).hashSeed(data.consumeLong());
        if (defaultTtl > 0)
        {
            builder.defaultTtl(Duration.ofMillis(defaultTtl));
        }
        if (roomy)
        {
            // 200 records of at most 136 bytes (header, a 32-byte key range, an 80-byte value range)
            // never fill a segment's ring of ~60 KiB: nothing is evicted
            builder.capacity(128 << 10).segments(2);
        }
        else
        {
            final int segments = 1 << data.consumeInt(0, 1);
            builder.capacity(8192L * segments).segments(segments);
        }
        final OffHeapCache cache = builder.build();
        try (cache)
        {
            final Run run = new Run(cache, ticker, roomy, defaultTtl, data);
            for (int i = 0; i < MAX_OPERATIONS && data.remainingBytes() > 0; i++)
            {
                run.step(data.pickValue(Kind.values()));
                cache.verifyInvariants();
            }
            if (roomy)
            {
                run.checkContents();
            }
        }
        assertClosed(() -> cache.get(new byte[1]));
        assertClosed(() -> cache.put(1L, new byte[1]));
    }

    private static void assertClosed(final Executable call)
    {
        assertEquals("cache is closed", assertThrows(IllegalStateException.class, call).getMessage());
    }

    /** Latest value written for a key and when it expires (0 = never), in model milliseconds. */
    record Entry(byte[] value, long expireAt)
    {
    }

    /** A buffer and the range of it that a call names, maybe outside it; {@code bytes}: what the range holds. */
    record Range(MutableDirectBuffer buffer, int offset, int length, byte[] bytes)
    {
        boolean valid()
        {
            return bytes != null;
        }

        String outside(final String name)
        {
            return name + " range must lie inside the buffer: " + name + "Offset=" + offset + ", " + name + "Length=" +
                length + ", capacity=" + buffer.capacity();
        }
    }

    /** Applies operations drawn from the input to the cache and the model, and compares. */
    private static final class Run
    {
        private final OffHeapCache cache;
        private final FakeTicker ticker;
        private final boolean exact;
        private final long defaultTtl;
        private final FuzzedDataProvider data;
        private final int keys;
        private final int maxValue;
        private final Map<ByteBuffer, Entry> model = new HashMap<>();
        private long now;
        private int version;

        Run(final OffHeapCache cache, final FakeTicker ticker, final boolean exact, final long defaultTtl,
            final FuzzedDataProvider data)
        {
            this.cache = cache;
            this.ticker = ticker;
            this.exact = exact;
            this.defaultTtl = defaultTtl;
            this.data = data;
            this.keys = exact ? 12 : 48;
            this.maxValue = exact ? 64 : cache.maxEntrySize() + 16;
        }

        // ------------------------------------------------------------------------------------------
        // Inputs
        // ------------------------------------------------------------------------------------------

        /** Mostly keys from a small pool (many lengths, the empty key too), sometimes raw input bytes. */
        private byte[] key()
        {
            if (data.consumeInt(0, 7) == 0)
            {
                return data.consumeBytes(data.consumeInt(0, 16));
            }
            final int k = data.consumeInt(0, keys - 1);
            final byte[] key = new byte[k % 13];
            Arrays.fill(key, (byte)(k * 37));
            return key;
        }

        private long longKey()
        {
            return data.consumeInt(0, 7) == 0 ? data.consumeLong() : data.consumeInt(0, keys - 1);
        }

        private static byte[] bytesOf(final long key)
        {
            return ByteBuffer.allocate(Long.BYTES).putLong(key).array();
        }

        /** A value that names its version, so a stale or foreign read cannot pass. */
        private byte[] value()
        {
            final byte[] value = new byte[data.consumeInt(0, maxValue)];
            version++;
            for (int i = 0; i < value.length; i++)
            {
                value[i] = (byte)(i < 4 ? version >>> 8 * i : version * 17 + i);
            }
            return value;
        }

        /** A time to live in milliseconds: now and then one the cache must refuse. */
        private int ttl()
        {
            return data.consumeInt(0, 15) == 0 ? data.consumeInt(-1, 0) : data.consumeInt(1, 5000);
        }

        /** {@code bytes} in a heap or direct buffer with margins; the range names them or, now and then, anything. */
        private Range range(final byte[] bytes)
        {
            final int before = data.consumeInt(0, 8);
            final int capacity = before + bytes.length + data.consumeInt(0, 8);
            final MutableDirectBuffer buffer = data.consumeBoolean() ? Buffers.wrap(new byte[capacity]) :
                Buffers.wrap(ByteBuffer.allocateDirect(capacity));
            buffer.setMemory(0, capacity, (byte)data.consumeInt(0, 255));
            buffer.putBytes(before, bytes);
            int offset = before;
            int length = bytes.length;
            if (data.consumeInt(0, 7) == 0)
            {
                offset = data.consumeBoolean() ? data.consumeInt(-2, capacity + 2) : data.consumeInt();
                length = data.consumeBoolean() ? data.consumeInt(-2, capacity + 2) : data.consumeInt();
            }
            final boolean inside = offset >= 0 && length >= 0 && (long)offset + length <= capacity;
            byte[] named = null;
            if (inside)
            {
                named = new byte[length];
                buffer.getBytes(offset, named);
            }
            return new Range(buffer, offset, length, named);
        }

        // ------------------------------------------------------------------------------------------
        // Model
        // ------------------------------------------------------------------------------------------

        private boolean live(final Entry entry)
        {
            return entry != null && (entry.expireAt() == 0 || entry.expireAt() > now);
        }

        private Entry current(final byte[] key)
        {
            final Entry entry = model.get(ByteBuffer.wrap(key));
            return live(entry) ? entry : null;
        }

        private boolean fits(final byte[] key, final byte[] value)
        {
            return key.length + value.length <= cache.maxEntrySize();
        }

        /** compute takes values up to the inline limit only (issue 11): above it, a value is large. */
        private boolean fitsCompute(final byte[] key, final byte[] value)
        {
            return key.length + value.length <= cache.maxInlineEntrySize();
        }

        private long expireAt(final long ttlMillis)
        {
            final long ttl = ttlMillis > 0 ? ttlMillis : defaultTtl;
            return ttl > 0 ? now + ttl : 0;
        }

        private void store(final byte[] key, final byte[] value, final long ttlMillis)
        {
            model.put(ByteBuffer.wrap(key), new Entry(value, expireAt(ttlMillis)));
        }

        private void forget(final byte[] key)
        {
            model.remove(ByteBuffer.wrap(key));
        }

        /** Exact: presence must match. Tight: the cache may have lost an entry, never gained one. */
        private void checkPresence(final byte[] key, final boolean cachePresent, final String what)
        {
            final boolean modelPresent = current(key) != null;
            if (exact)
            {
                assertEquals(modelPresent, cachePresent, what);
            }
            else
            {
                assertTrue(!cachePresent || modelPresent, what + " saw an entry the model does not have");
            }
            if (!cachePresent)
            {
                forget(key);
            }
        }

        private void checkRead(final byte[] key, final byte[] read, final String what)
        {
            final Entry entry = current(key);
            checkPresence(key, read != null, what);
            if (read != null)
            {
                assertArrayEquals(entry.value(), read, what + " read a stale or foreign value");
            }
        }

        /** The cache must refuse the call with {@code type} and {@code message}, and change nothing. */
        private void refused(final Class<? extends RuntimeException> type, final String message, final Executable call)
        {
            assertEquals(message, assertThrows(type, call).getMessage());
        }

        // ------------------------------------------------------------------------------------------
        // Operations
        // ------------------------------------------------------------------------------------------

        void step(final Kind kind)
        {
            switch (kind)
            {
                case PUT:
                case PUT_TTL:
                {
                    final byte[] key = key();
                    final byte[] value = value();
                    final int ttl = kind == Kind.PUT_TTL ? ttl() : 0;
                    if (ttl < 1 && kind == Kind.PUT_TTL)
                    {
                        refused(IllegalArgumentException.class, ttlRule(ttl),
                            () -> cache.put(key, value, Duration.ofMillis(ttl)));
                        break;
                    }
                    put(key, value, ttl, kind == Kind.PUT ? cache.put(key, value) :
                        cache.put(key, value, Duration.ofMillis(ttl)));
                    break;
                }
                case PUT_LONG:
                {
                    final long key = longKey();
                    final byte[] value = value();
                    put(bytesOf(key), value, 0, cache.put(key, value));
                    break;
                }
                case PUT_BUFFER:
                {
                    final Range key = range(key());
                    final Range value = range(value());
                    if (refusedRanges(key, value, () -> cache.put(key.buffer(), key.offset(), key.length(),
                        value.buffer(), value.offset(), value.length())))
                    {
                        break;
                    }
                    put(key.bytes(), value.bytes(), 0, cache.put(key.buffer(), key.offset(), key.length(),
                        value.buffer(), value.offset(), value.length()));
                    break;
                }
                case PUT_IF_ABSENT:
                {
                    final byte[] key = key();
                    final byte[] value = value();
                    putIfAbsent(key, value, cache.putIfAbsent(key, value));
                    break;
                }
                case PUT_IF_ABSENT_LONG:
                {
                    final long key = longKey();
                    final byte[] value = value();
                    putIfAbsent(bytesOf(key), value, cache.putIfAbsent(key, value));
                    break;
                }
                case PUT_IF_ABSENT_BUFFER:
                {
                    final Range key = range(key());
                    final Range value = range(value());
                    if (refusedRanges(key, value, () -> cache.putIfAbsent(key.buffer(), key.offset(), key.length(),
                        value.buffer(), value.offset(), value.length())))
                    {
                        break;
                    }
                    putIfAbsent(key.bytes(), value.bytes(), cache.putIfAbsent(key.buffer(), key.offset(),
                        key.length(), value.buffer(), value.offset(), value.length()));
                    break;
                }
                case REPLACE:
                {
                    final byte[] key = key();
                    final byte[] value = value();
                    replace(key, value, cache.replace(key, value));
                    break;
                }
                case REPLACE_BUFFER:
                {
                    final Range key = range(key());
                    final Range value = range(value());
                    if (refusedRanges(key, value, () -> cache.replace(key.buffer(), key.offset(), key.length(),
                        value.buffer(), value.offset(), value.length())))
                    {
                        break;
                    }
                    replace(key.bytes(), value.bytes(), cache.replace(key.buffer(), key.offset(), key.length(),
                        value.buffer(), value.offset(), value.length()));
                    break;
                }
                case GET:
                {
                    final byte[] key = key();
                    checkRead(key, cache.get(key), "get");
                    break;
                }
                case GET_LONG:
                {
                    final long key = longKey();
                    checkRead(bytesOf(key), cache.get(key), "get(long)");
                    break;
                }
                case PEEK:
                {
                    final byte[] key = key();
                    checkRead(key, cache.peek(key), "peek");
                    break;
                }
                case GET_INTO:
                {
                    final byte[] key = key();
                    final byte[] dst = new byte[data.consumeInt(0, maxValue)];
                    final int length = data.consumeBoolean() ? cache.get(key, dst) : cache.peek(key, dst);
                    copied(key, length, dst, 0, dst.length, "get into byte[]");
                    break;
                }
                case GET_BUFFER:
                case PEEK_BUFFER:
                {
                    final Range key = range(key());
                    final boolean expandable = data.consumeBoolean() && Memories.agronaAvailable();
                    final int capacity = data.consumeInt(0, maxValue);
                    final MutableDirectBuffer dst = expandable ? new ExpandableArrayBuffer(Math.max(1, capacity)) :
                        Buffers.allocate(capacity);
                    final int dstOffset = data.consumeInt(0, 7) == 0 ? data.consumeInt(-2, 80) :
                        data.consumeInt(0, dst.capacity());
                    final Supplier<Integer> call = kind == Kind.GET_BUFFER ?
                        () -> cache.get(key.buffer(), key.offset(), key.length(), dst, dstOffset) :
                        () -> cache.peek(key.buffer(), key.offset(), key.length(), dst, dstOffset);
                    if (!key.valid())
                    {
                        refused(IndexOutOfBoundsException.class, key.outside("key"), call::get);
                        break;
                    }
                    if (dstOffset < 0 || dstOffset > dst.capacity() && !expandable)
                    {
                        refused(IndexOutOfBoundsException.class, "dstOffset must lie inside the buffer: dstOffset=" +
                            dstOffset + ", capacity=" + dst.capacity(), call::get);
                        break;
                    }
                    final int room = expandable ? Integer.MAX_VALUE : dst.capacity() - dstOffset;
                    final int length = call.get();
                    final byte[] out = new byte[Math.max(0, Math.min(length, room))];
                    if (length >= 0 && length <= room)
                    {
                        dst.getBytes(dstOffset, out);
                    }
                    copied(key.bytes(), length, out, 0, room, "get into a buffer");
                    break;
                }
                case READ:
                {
                    final byte[] key = key();
                    final DirectBuffer[] leaked = new DirectBuffer[1];
                    final byte[] read = cache.read(key, view -> {
                        leaked[0] = view;
                        return ByteCompute.copyOf(view);
                    });
                    checkRead(key, read, "read");
                    if (leaked[0] != null)
                    {
                        assertThrows(RuntimeException.class, () -> leaked[0].getByte(0), "a view outlives its read");
                    }
                    break;
                }
                case REMOVE:
                {
                    final byte[] key = key();
                    checkPresence(key, cache.remove(key), "remove");
                    forget(key);
                    break;
                }
                case REMOVE_LONG:
                {
                    final long key = longKey();
                    checkPresence(bytesOf(key), cache.remove(key), "remove(long)");
                    forget(bytesOf(key));
                    break;
                }
                case REMOVE_BUFFER:
                {
                    final Range key = range(key());
                    if (!key.valid())
                    {
                        refused(IndexOutOfBoundsException.class, key.outside("key"),
                            () -> cache.remove(key.buffer(), key.offset(), key.length()));
                        break;
                    }
                    checkPresence(key.bytes(), cache.remove(key.buffer(), key.offset(), key.length()),
                        "remove(buffer)");
                    forget(key.bytes());
                    break;
                }
                case CONTAINS:
                {
                    final byte[] key = key();
                    checkPresence(key, cache.containsKey(key), "containsKey");
                    break;
                }
                case CONTAINS_BUFFER:
                {
                    final Range key = range(key());
                    if (!key.valid())
                    {
                        refused(IndexOutOfBoundsException.class, key.outside("key"),
                            () -> cache.containsKey(key.buffer(), key.offset(), key.length()));
                        break;
                    }
                    checkPresence(key.bytes(), cache.containsKey(key.buffer(), key.offset(), key.length()),
                        "containsKey(buffer)");
                    break;
                }
                case TOUCH:
                case TOUCH_BUFFER:
                {
                    final Range key = kind == Kind.TOUCH ? new Range(null, 0, 0, key()) : range(key());
                    final int ttl = ttl();
                    final Supplier<Boolean> call = kind == Kind.TOUCH ?
                        () -> cache.touch(key.bytes(), Duration.ofMillis(ttl)) :
                        () -> cache.touch(key.buffer(), key.offset(), key.length(), Duration.ofMillis(ttl));
                    if (!key.valid())
                    {
                        refused(IndexOutOfBoundsException.class, key.outside("key"), call::get);
                        break;
                    }
                    if (ttl < 1)
                    {
                        refused(IllegalArgumentException.class, ttlRule(ttl), call::get);
                        break;
                    }
                    final Entry entry = current(key.bytes());
                    final boolean touched = call.get();
                    checkPresence(key.bytes(), touched, "touch");
                    if (touched)
                    {
                        model.put(ByteBuffer.wrap(key.bytes()), new Entry(entry.value(), now + ttl));
                    }
                    break;
                }
                case TTL:
                {
                    final byte[] key = key();
                    checkTtl(key, cache.ttlMillis(key));
                    break;
                }
                case TTL_LONG:
                {
                    final long key = longKey();
                    final long ttl = cache.ttlMillis(key);
                    checkTtl(bytesOf(key), ttl);
                    final Duration duration = cache.ttl(key);
                    assertEquals(ttl, duration == null ? OffHeapCache.ABSENT :
                        duration.equals(ChronoUnit.FOREVER.getDuration()) ? OffHeapCache.NO_EXPIRY :
                        duration.toMillis(), "ttl(long) agrees with ttlMillis(long)");
                    break;
                }
                case TTL_BUFFER:
                {
                    final Range key = range(key());
                    if (!key.valid())
                    {
                        refused(IndexOutOfBoundsException.class, key.outside("key"),
                            () -> cache.ttlMillis(key.buffer(), key.offset(), key.length()));
                        break;
                    }
                    checkTtl(key.bytes(), cache.ttlMillis(key.buffer(), key.offset(), key.length()));
                    break;
                }
                case COMPUTE:
                {
                    final byte[] key = key();
                    compute(key, remapping -> cache.compute(key, remapping));
                    break;
                }
                case COMPUTE_LONG:
                {
                    final long key = longKey();
                    compute(bytesOf(key), remapping -> cache.compute(key, remapping));
                    break;
                }
                case ADVANCE:
                {
                    final int millis = data.consumeInt(0, 3000);
                    now += millis;
                    ticker.advanceMillis(millis);
                    break;
                }
                case CLEAR:
                    cache.clear();
                    model.clear();
                    assertEquals(0, cache.size());
                    break;
                default:
                    throw new AssertionError(kind);
            }
        }

        private static String ttlRule(final int ttlMillis)
        {
            return "ttl must be at least 1 ms and at most 365000 days: ttl=" + Duration.ofMillis(ttlMillis);
        }

        /** @return true when a range lies outside its buffer: then the call must be refused, key first. */
        private boolean refusedRanges(final Range key, final Range value, final Executable call)
        {
            if (!key.valid())
            {
                refused(IndexOutOfBoundsException.class, key.outside("key"), call);
                return true;
            }
            if (!value.valid())
            {
                refused(IndexOutOfBoundsException.class, value.outside("value"), call);
                return true;
            }
            return false;
        }

        private void put(final byte[] key, final byte[] value, final long ttl, final boolean stored)
        {
            assertEquals(fits(key, value), stored, "put stores what fits and refuses the rest");
            if (stored)
            {
                store(key, value, ttl);
            }
        }

        private void putIfAbsent(final byte[] key, final byte[] value, final boolean stored)
        {
            if (!fits(key, value))
            {
                assertTrue(!stored, "putIfAbsent of an entry too large");
                return;
            }
            checkPresence(key, !stored, "putIfAbsent");
            if (stored)
            {
                store(key, value, 0);
            }
        }

        private void replace(final byte[] key, final byte[] value, final boolean replaced)
        {
            if (!fits(key, value))
            {
                assertTrue(!replaced, "replace with an entry too large");
                return;
            }
            checkPresence(key, replaced, "replace");
            if (replaced)
            {
                store(key, value, 0);
            }
        }

        /** A copying get returned {@code length}; {@code out} holds the copied bytes when they fit {@code room}. */
        private void copied(final byte[] key, final int length, final byte[] out, final int outOffset, final int room,
            final String what)
        {
            if (length == OffHeapCache.ABSENT)
            {
                checkRead(key, null, what);
                return;
            }
            final Entry entry = current(key);
            assertTrue(entry != null, what + " found a value the model does not have");
            assertEquals(entry.value().length, length, what + " length");
            if (length <= room)
            {
                assertArrayEquals(entry.value(), Arrays.copyOfRange(out, outOffset, outOffset + length),
                    what + " read a stale or foreign value");
            }
        }

        private void checkTtl(final byte[] key, final long ttl)
        {
            if (ttl == OffHeapCache.ABSENT)
            {
                checkPresence(key, false, "ttl");
                return;
            }
            final Entry entry = current(key);
            assertTrue(entry != null, "ttl of an entry the model does not have");
            assertEquals(entry.expireAt() == 0 ? OffHeapCache.NO_EXPIRY : entry.expireAt() - now, ttl, "ttl");
        }

        /** The remapping function drawn from the input, applied through {@code compute}. */
        private void compute(final byte[] key, final Function<UnaryOperator<byte[]>, byte[]> compute)
        {
            final Entry held = current(key);
            if (held != null && !fitsCompute(key, held.value()))
            {
                computeOverALargeValue(key, compute);
                return;
            }
            final Remap remap = data.pickValue(Remap.values());
            final byte[] next = remap == Remap.REPLACE ? value() : remap == Remap.TOO_LARGE ?
                new byte[(data.consumeBoolean() ? cache.maxInlineEntrySize() : cache.maxEntrySize()) - key.length + 1] :
                null;
            final byte[][] given = new byte[1][];
            final boolean[] called = new boolean[1];
            final UnaryOperator<byte[]> remapping = current -> {
                called[0] = true;
                given[0] = current;
                switch (remap)
                {
                    case REMOVE:
                        return null;
                    case KEEP:
                        return current == null ? null : current.clone();
                    case THROW:
                        throw new IllegalStateException("remapping failed");
                    default:
                        return next;
                }
            };
            final Entry before = current(key);
            if (next != null && !fitsCompute(key, next))
            {
                // refused like a put (issue 8): the entry is unchanged, and compute returns its current value
                final byte[] result = compute.apply(remapping);
                checkRead(key, given[0], "compute's current value");
                // the current value is what the function was given, checked against the model just
                // above; a tight cache may have evicted an entry the model still holds (a finding
                // of the CI fuzzing run, kept as the regression input crash-76ee8d2f...)
                if (given[0] == null)
                {
                    assertNull(result, "compute refused as too large, of an absent key");
                }
                else
                {
                    assertArrayEquals(given[0], result, "compute refused as too large: the current value");
                }
                return;
            }
            if (remap == Remap.THROW)
            {
                refused(IllegalStateException.class, "remapping failed", () -> compute.apply(remapping));
                checkRead(key, given[0], "compute's current value");
                return;
            }
            final byte[] result = compute.apply(remapping);
            assertTrue(called[0], "compute calls the remapping function");
            checkRead(key, given[0], "compute's current value");
            switch (remap)
            {
                case REMOVE:
                    assertNull(result);
                    forget(key);
                    break;
                case KEEP:
                    // the same bytes keep the entry untouched, its time to live too
                    if (given[0] == null)
                    {
                        assertNull(result);
                    }
                    else
                    {
                        assertArrayEquals(before.value(), result);
                    }
                    break;
                default:
                    assertArrayEquals(next, result);
                    store(key, next, 0);
            }
        }

        /**
         * compute over a key whose model value is large: refused without calling the function (issue
         * 11), returning the current value; unless the cache lost the value (under pressure), when the
         * function sees an absent key. The function removes, so both outcomes leave a model to match.
         */
        private void computeOverALargeValue(final byte[] key, final Function<UnaryOperator<byte[]>, byte[]> compute)
        {
            final boolean[] called = new boolean[1];
            final byte[][] given = new byte[1][];
            final byte[] result = compute.apply(current -> {
                called[0] = true;
                given[0] = current;
                return null;
            });
            if (called[0])
            {
                assertTrue(!exact && given[0] == null, "compute called its function over a large value");
                assertNull(result);
                forget(key);
                return;
            }
            checkRead(key, result, "refused compute over a large value: the current value");
        }

        /** Roomy runs only: iteration and size show exactly the live entries of the model. */
        void checkContents()
        {
            final Map<ByteBuffer, Entry> live = new HashMap<>();
            model.forEach((key, entry) -> {
                if (live(entry))
                {
                    live.put(key, entry);
                }
            });
            int seen = 0;
            for (final CacheEntry<byte[], byte[]> entry : cache.entries())
            {
                final Entry expected = live.get(ByteBuffer.wrap(entry.key()));
                assertTrue(expected != null, "iteration returned an entry the model does not have");
                assertArrayEquals(expected.value(), entry.value(), "iteration value");
                assertEquals(expected.expireAt() == 0 ? OffHeapCache.NO_EXPIRY : expected.expireAt() - now,
                    entry.ttlMillis(), "iteration ttl");
                seen++;
            }
            assertEquals(live.size(), seen, "iteration returns every live entry once");
            assertEquals(0, cache.stats().evictionCount(), "a roomy cache evicts nothing");
            final long entries = cache.size(); // expired entries count until the cache notices them
            assertTrue(live.size() <= entries && entries <= model.size(), "size " + entries);
        }
    }
}
