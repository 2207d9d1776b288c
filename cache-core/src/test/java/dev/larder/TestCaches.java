package dev.larder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Shared helpers for building caches and keys in tests. */
final class TestCaches
{
    private TestCaches()
    {
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bigEndian(final long value)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    /** A small cache with a fixed seed and a fake ticker. */
    static OffHeapCache small(final FakeTicker ticker)
    {
        return OffHeapCache.builder().capacity(1 << 20).segments(4).hashSeed(42).ticker(ticker).build();
    }
}
