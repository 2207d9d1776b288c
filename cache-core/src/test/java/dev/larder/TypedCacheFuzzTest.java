package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.larder.codec.Codecs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the typed API over the UTF-8 codec with Jazzer, differentially against the JDK: strings
 * of any chars (unpaired surrogates included) must be stored as {@code String.getBytes(UTF_8)}
 * encodes them, and any bytes (malformed UTF-8 included), stored through the byte API, must read
 * back as {@code new String(bytes, UTF_8)} decodes them. The model maps the key's UTF-8 bytes to
 * the value's bytes; the cache is roomy (100 operations cannot fill it), so every result must match.
 *
 * <p>{@code mvn test} replays the inputs under
 * src/test/resources/dev/larder/TypedCacheFuzzTestInputs/utf8CacheMatchesTheJdk; {@code JAZZER_FUZZ=1}
 * fuzzes for {@code maxDuration} (see docs/verification.md).
 */
class TypedCacheFuzzTest
{
    private static final int MAX_OPERATIONS = 100;

    enum Kind
    {
        PUT, PUT_IF_ABSENT, REPLACE, GET, GET_ALL, REMOVE, CONTAINS, COMPUTE, PUT_BYTES, GET_BYTES
    }

    @FuzzTest(maxDuration = "30s")
    void utf8CacheMatchesTheJdk(final FuzzedDataProvider data)
    {
        try (Cache<String, String> cache = OffHeapCache.builder().capacity(256 << 10).segments(2)
            .hashSeed(data.consumeLong()).build(Codecs.utf8(), Codecs.utf8()))
        {
            final Map<ByteBuffer, byte[]> model = new HashMap<>();
            for (int i = 0; i < MAX_OPERATIONS && data.remainingBytes() > 0; i++)
            {
                final String key = string(data);
                final ByteBuffer k = ByteBuffer.wrap(utf8(key));
                switch (data.pickValue(Kind.values()))
                {
                    case PUT:
                    {
                        final String value = string(data);
                        assertTrue(cache.put(key, value));
                        model.put(k, utf8(value));
                        break;
                    }
                    case PUT_IF_ABSENT:
                    {
                        final String value = string(data);
                        assertEquals(!model.containsKey(k), cache.putIfAbsent(key, value), "putIfAbsent");
                        model.putIfAbsent(k, utf8(value));
                        break;
                    }
                    case REPLACE:
                    {
                        final String value = string(data);
                        assertEquals(model.containsKey(k), cache.replace(key, value), "replace");
                        model.computeIfPresent(k, (unused, old) -> utf8(value));
                        break;
                    }
                    case GET:
                        assertEquals(decoded(model.get(k)), cache.get(key), "get");
                        break;
                    case GET_ALL:
                    {
                        final String other = string(data);
                        final Map<String, String> found = cache.getAll(List.of(key, other));
                        final Map<String, String> expected = new HashMap<>();
                        for (final String wanted : List.of(key, other))
                        {
                            final byte[] value = model.get(ByteBuffer.wrap(utf8(wanted)));
                            if (value != null)
                            {
                                expected.put(wanted, decoded(value));
                            }
                        }
                        assertEquals(expected, found, "getAll");
                        break;
                    }
                    case REMOVE:
                        assertEquals(model.remove(k) != null, cache.remove(key), "remove");
                        break;
                    case CONTAINS:
                        assertEquals(model.containsKey(k), cache.containsKey(key), "containsKey");
                        break;
                    case COMPUTE:
                    {
                        final String suffix = string(data);
                        // appends, up to a length that keeps 100 operations far from filling the ring
                        final String now = cache.compute(key,
                            (unused, old) -> old == null || old.length() > 200 ? suffix : old + suffix);
                        final String old = decoded(model.get(k));
                        final String expected = old == null || old.length() > 200 ? suffix : old + suffix;
                        assertEquals(expected, now, "compute returns what the function returned");
                        model.put(k, utf8(expected));
                        break;
                    }
                    case PUT_BYTES:
                    {
                        final byte[] value = data.consumeBytes(data.consumeInt(0, 64));
                        assertTrue(cache.bytes().put(utf8(key), value));
                        model.put(k, value);
                        break;
                    }
                    case GET_BYTES:
                    {
                        final byte[] expected = model.get(k);
                        final byte[] read = cache.bytes().get(utf8(key));
                        if (expected == null)
                        {
                            assertEquals(null, read, "raw get of an absent key");
                        }
                        else
                        {
                            assertArrayEquals(expected, read, "the codec encodes as String.getBytes(UTF_8)");
                        }
                        break;
                    }
                    default:
                        throw new AssertionError();
                }
            }
            assertEquals(model.size(), cache.bytes().size(), "size");
        }
    }

    /** Any chars, unpaired surrogates included; short, so that keys repeat. */
    private static String string(final FuzzedDataProvider data)
    {
        final int length = data.consumeInt(0, data.consumeBoolean() ? 2 : 24);
        final StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            text.append(data.consumeBoolean() ? (char)data.consumeInt('a', 'c') : data.consumeChar());
        }
        return text.toString();
    }

    private static byte[] utf8(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String decoded(final byte[] bytes)
    {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
