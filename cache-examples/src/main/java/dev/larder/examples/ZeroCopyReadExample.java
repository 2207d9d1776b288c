package dev.larder.examples;

import dev.larder.OffHeapCache;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads values in place: the reader gets a view of the off-heap bytes, valid during the call only.
 */
public final class ZeroCopyReadExample
{
    private ZeroCopyReadExample()
    {
    }

    public static void main(final String[] args)
    {
        try (OffHeapCache cache = OffHeapCache.builder().capacity(16L << 20).build())
        {
            // a value holding a 4-byte big-endian version followed by a UTF-8 payload
            final byte[] payload = "{\"name\":\"ada\"}".getBytes(StandardCharsets.UTF_8);
            final byte[] value = java.nio.ByteBuffer.allocate(4 + payload.length).putInt(7).put(payload).array();
            cache.put(1L, value);

            // parse only the version, without copying the value out
            final Integer version = cache.read(1L, view -> view.getInt(0, ByteOrder.BIG_ENDIAN));
            System.out.println("version = " + version);

            // the length comes for free
            System.out.println("value length = " + cache.read(1L, view -> view.capacity()));

            // a missing key: the reader is not called
            System.out.println("absent -> " + cache.read(2L, view -> "never"));

            // keeping the view is useless: after the callback it refuses every access
            final org.agrona.DirectBuffer leaked = cache.read(1L, view -> view);
            try
            {
                leaked.getByte(0);
            }
            catch (final IndexOutOfBoundsException expected)
            {
                System.out.println("a view used after its callback fails safely: " + expected.getMessage());
            }
        }
    }
}
