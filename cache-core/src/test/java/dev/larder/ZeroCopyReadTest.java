package dev.larder;

import static dev.larder.TestCaches.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.codec.Codecs;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ZeroCopyReadTest
{
    private final OffHeapCache cache = OffHeapCache.builder().capacity(1 << 20).segments(2).build();

    @AfterEach
    void close()
    {
        if (!cache.isClosed())
        {
            cache.verifyInvariants();
            cache.close();
        }
    }

    @Test
    void theReaderSeesTheValueInPlace()
    {
        cache.put(bytes("k"), bytes("hello, world"));
        assertEquals(12, (int)cache.read(bytes("k"), DirectBuffer::capacity));
        assertEquals("hello", cache.read(bytes("k"), view -> view.getStringWithoutLengthAscii(0, 5)));
        assertNull(cache.read(bytes("absent"), view -> "never called"));
        final CacheStats stats = cache.stats();
        assertEquals(2, stats.hitCount());
        assertEquals(1, stats.missCount());
        cache.put(9L, bytes("long key"));
        assertEquals((int)'l', (int)cache.read(9L, view -> view.getByte(0)));
    }

    @Test
    void theViewIsReadOnlyAndBounded()
    {
        cache.put(bytes("k"), bytes("abc"));
        assertThrows(UnsupportedOperationException.class,
            () -> cache.read(bytes("k"), view -> {
                ((MutableDirectBuffer)view).putByte(0, (byte)'z');
                return null;
            }));
        assertThrows(IndexOutOfBoundsException.class, () -> cache.read(bytes("k"), view -> view.getByte(3)));
        assertThrows(IndexOutOfBoundsException.class, () -> cache.read(bytes("k"), view -> view.getInt(0)));
        assertEquals("abc", cache.read(bytes("k"), view -> view.getStringWithoutLengthAscii(0, 3)));
    }

    @Test
    void aViewKeptAfterTheCallbackRefusesAccessEvenAfterClose() throws Exception
    {
        cache.put(bytes("k"), bytes("secret"));
        final DirectBuffer leaked = cache.read(bytes("k"), view -> view);
        assertThrows(IndexOutOfBoundsException.class, () -> leaked.getByte(0));
        assertEquals(0, leaked.capacity());
        // moving the entry and freeing the memory leave the leaked view harmless
        for (long i = 0; i < 20_000; i++)
        {
            cache.put(i, new byte[100]);
        }
        cache.close();
        assertThrows(IndexOutOfBoundsException.class, () -> leaked.getByte(0));
    }

    @Test
    void aViewHandedToAnotherThreadDuringTheCallbackIsRefused() throws Exception
    {
        cache.put(bytes("k"), bytes("secret"));
        final AtomicReference<Throwable> seen = new AtomicReference<>();
        cache.read(bytes("k"), view -> {
            final Thread other = new Thread(() -> {
                try
                {
                    view.getByte(0);
                }
                catch (final Throwable ex)
                {
                    seen.set(ex);
                }
            });
            other.start();
            try
            {
                other.join();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        assertTrue(seen.get() instanceof IllegalStateException, String.valueOf(seen.get()));
    }

    @Test
    void theReaderMustNotCallTheCache()
    {
        cache.put(bytes("k"), bytes("v"));
        final IllegalStateException ex = assertThrows(IllegalStateException.class,
            () -> cache.read(bytes("k"), view -> cache.get(bytes("k"))));
        assertEquals("the cache must not be called from its own callbacks: callback=ValueReader or Codec.decode",
            ex.getMessage());
        assertEquals("v", new String(cache.get(bytes("k")), java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Issue 8: a bulk copy between cache memory and a buffer of an unknown class (here a proxy that
     * records every {@code ByteBuffer} it is handed) goes byte by byte, so that buffer never gets a
     * {@code ByteBuffer} over the cache's memory to keep.
     */
    @Test
    void aForeignBufferNeverGetsAByteBufferOfCacheMemory()
    {
        final List<ByteBuffer> handed = new ArrayList<>();
        final byte[] backing = new byte[16];
        final MutableDirectBuffer foreign = (MutableDirectBuffer)Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {MutableDirectBuffer.class}, (proxy, method, args) -> {
                for (final Object arg : args == null ? new Object[0] : args)
                {
                    if (arg instanceof ByteBuffer)
                    {
                        handed.add((ByteBuffer)arg);
                    }
                }
                switch (method.getName())
                {
                    case "capacity":
                        return backing.length;
                    case "isExpandable":
                        return false;
                    case "getByte":
                        return backing[(Integer)args[0]];
                    case "putByte":
                        backing[(Integer)args[0]] = (Byte)args[1];
                        return null;
                    case "boundsCheck":
                    case "checkLimit":
                        return null;
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
        cache.put(bytes("k"), bytes("value"));
        final DirectBuffer key = Buffers.wrap(bytes("k"));
        assertEquals(5, cache.get(key, 0, 1, foreign, 0), "a copying get into the foreign buffer");
        assertEquals("value", new String(backing, 0, 5, StandardCharsets.UTF_8));
        backing[0] = 'V';
        assertTrue(cache.put(Buffers.wrap(bytes("f")), 0, 1, foreign, 0, 5), "a put from the foreign buffer");
        assertEquals("Value", new String(cache.get(bytes("f")), StandardCharsets.UTF_8));
        assertEquals(5, (int)cache.read(bytes("k"), view -> {
            view.getBytes(0, foreign, 8, 5);
            return view.capacity();
        }), "a view's copy into the foreign buffer");
        assertEquals("value", new String(backing, 8, 5, StandardCharsets.UTF_8));
        assertEquals(List.of(), handed);
    }

    @Test
    void typedZeroCopyRead()
    {
        try (Cache<String, String> typed = OffHeapCache.builder().capacity(1 << 20).build(Codecs.utf8(), Codecs.utf8()))
        {
            typed.put("k", "value");
            assertEquals(5, (int)typed.read("k", DirectBuffer::capacity));
            assertNull(typed.read("absent", DirectBuffer::capacity));
        }
    }
}
