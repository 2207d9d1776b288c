package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.codec.Codecs;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The model-based test of {@link ModelBasedTest}, on the typed API: {@code Cache<String, String>}
 * with loaders, compute, putIfAbsent, replace, touch and expiry against a {@code HashMap} model.
 * With room to spare every result must match.
 */
class TypedModelBasedTest
{
    enum Kind
    {
        PUT, GET, LOAD, LOAD_NULL, COMPUTE_APPEND, COMPUTE_REMOVE, COMPUTE_KEEP, REMOVE, PUT_IF_ABSENT, REPLACE,
        TOUCH, ADVANCE, CONTAINS
    }

    record Op(Kind kind, int key, String value, int millis)
    {
    }

    /** Latest value as the cache stores it (UTF-8 turns an unpaired surrogate into '?'), and its expiry. */
    record Entry(String value, long expireAt)
    {
        Entry
        {
            value = new String(value.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static String stored(final String value)
    {
        return new Entry(value, 0).value();
    }

    @Provide
    Arbitrary<List<Op>> ops()
    {
        final Arbitrary<Op> op = Combinators.combine(
            Arbitraries.of(Kind.class),
            Arbitraries.integers().between(0, 15),
            Arbitraries.strings().withChars('a', 'z', 'é', '€', '\uD834', '\uDD1E').ofMaxLength(30),
            Arbitraries.integers().between(1, 3000)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(100);
    }

    private static String key(final int key)
    {
        return key == 0 ? "" : "key-" + "𝄞".repeat(key % 3) + key;
    }

    @Property(tries = 200)
    void typedOperationsMatchTheModel(@ForAll("ops") final List<Op> ops)
    {
        final FakeTicker ticker = new FakeTicker();
        final Map<Integer, Entry> model = new HashMap<>();
        final long[] now = {0};
        final AtomicInteger loads = new AtomicInteger();
        try (Cache<String, String> cache = OffHeapCache.builder().capacity(1 << 20).segments(4).ticker(ticker)
            .defaultTtl(Duration.ofSeconds(10)).build(Codecs.utf8(), Codecs.utf8()))
        {
            for (final Op op : ops)
            {
                final String key = key(op.key());
                final Entry entry = model.get(op.key());
                final boolean present = entry != null && entry.expireAt() > now[0];
                final String current = present ? entry.value() : null;
                final long defaultExpiry = now[0] + 10_000;
                switch (op.kind())
                {
                    case PUT:
                        assertTrue(cache.put(key, op.value()));
                        model.put(op.key(), new Entry(op.value(), defaultExpiry));
                        break;
                    case GET:
                        assertEquals(current, cache.get(key));
                        break;
                    case LOAD:
                    {
                        final int before = loads.get();
                        final String loaded = cache.get(key, k -> {
                            loads.incrementAndGet();
                            return op.value();
                        });
                        assertEquals(present ? current : op.value(), loaded, "the loaded value is returned as is");
                        assertEquals(present ? before : before + 1, loads.get(), "the loader runs only on a miss");
                        if (!present)
                        {
                            model.put(op.key(), new Entry(op.value(), defaultExpiry));
                        }
                        break;
                    }
                    case LOAD_NULL:
                        assertEquals(current, cache.get(key, k -> null));
                        break;
                    case COMPUTE_APPEND:
                    {
                        final String next = (current == null ? "" : current) + op.value();
                        assertEquals(next, cache.compute(key, (k, old) -> (old == null ? "" : old) + op.value()));
                        assertEquals(stored(next), cache.get(key));
                        model.put(op.key(), new Entry(next, defaultExpiry));
                        break;
                    }
                    case COMPUTE_REMOVE:
                        assertEquals(null, cache.compute(key, (k, old) -> null));
                        model.remove(op.key());
                        break;
                    case COMPUTE_KEEP:
                        assertEquals(current, cache.compute(key, (k, old) -> old));
                        break;
                    case REMOVE:
                        assertEquals(present, cache.remove(key));
                        model.remove(op.key());
                        break;
                    case PUT_IF_ABSENT:
                        assertEquals(!present, cache.putIfAbsent(key, op.value()));
                        if (!present)
                        {
                            model.put(op.key(), new Entry(op.value(), defaultExpiry));
                        }
                        break;
                    case REPLACE:
                        assertEquals(present, cache.replace(key, op.value()));
                        if (present)
                        {
                            model.put(op.key(), new Entry(op.value(), defaultExpiry));
                        }
                        break;
                    case TOUCH:
                        assertEquals(present, cache.touch(key, Duration.ofMillis(op.millis())));
                        if (present)
                        {
                            model.put(op.key(), new Entry(current, now[0] + op.millis()));
                        }
                        break;
                    case CONTAINS:
                        assertEquals(present, cache.containsKey(key));
                        break;
                    case ADVANCE:
                        now[0] += op.millis();
                        ticker.advanceMillis(op.millis());
                        break;
                    default:
                        throw new AssertionError(op);
                }
            }
            for (final Map.Entry<Integer, Entry> expected : model.entrySet())
            {
                final boolean live = expected.getValue().expireAt() > now[0];
                assertEquals(live ? expected.getValue().value() : null, cache.get(key(expected.getKey())));
            }
            cache.bytes().verifyInvariants();
        }
    }
}
