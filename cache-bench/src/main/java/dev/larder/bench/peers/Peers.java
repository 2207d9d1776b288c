package dev.larder.bench.peers;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.larder.EvictionMode;
import dev.larder.HashFunction;
import dev.larder.MemoryBackend;
import dev.larder.OffHeapCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import net.openhft.chronicle.map.ChronicleMap;
import org.caffinitas.ohc.CacheSerializer;
import org.caffinitas.ohc.OHCache;
import org.caffinitas.ohc.OHCacheBuilder;
import org.ehcache.CacheManager;
import org.ehcache.config.builders.CacheConfigurationBuilder;
import org.ehcache.config.builders.CacheManagerBuilder;
import org.ehcache.config.builders.ResourcePoolsBuilder;
import org.ehcache.config.units.MemoryUnit;

/**
 * Builds each cache under test, sized to hold {@code entries} entries of {@code valueSize} bytes
 * without evicting (capacity with headroom), so that every cache measures the same work.
 *
 * <table>
 *   <caption>Caches</caption>
 *   <tr><th>name</th><th>what</th></tr>
 *   <tr><td>larder</td><td>OffHeapCache, Agrona backend (the JVM has the export flag)</td></tr>
 *   <tr><td>larder-jdk</td><td>OffHeapCache, pure-JDK backend forced</td></tr>
 *   <tr><td>larder-fasthash</td><td>OffHeapCache on {@link HashFunction#FAST_TRUSTED_KEYS} instead of the
 *       default SipHash-1-3 (not in {@link #NAMES}: asked for by name, to measure the hash)</td></tr>
 *   <tr><td>caffeine</td><td>Caffeine 3 bounded cache (maximumSize), on-heap</td></tr>
 *   <tr><td>ohc</td><td>OHC 0.7.4 off-heap cache, linked implementation, byte[] serializers</td></tr>
 *   <tr><td>chronicle</td><td>Chronicle Map 3 in memory, byte[] keys and values</td></tr>
 *   <tr><td>ehcache</td><td>Ehcache 3 with an off-heap-only resource pool</td></tr>
 *   <tr><td>chm</td><td>ConcurrentHashMap, the on-heap baseline (unbounded)</td></tr>
 * </table>
 */
public final class Peers
{
    /** Every cache name, in report order. */
    public static final List<String> NAMES =
        List.of("larder", "larder-jdk", "caffeine", "ohc", "chronicle", "ehcache", "chm");

    private Peers()
    {
    }

    /** @return a new cache of kind {@code name}, with keys 0 .. entries - 1 built for the index-based methods. */
    public static ByteCache create(final String name, final int entries, final int valueSize)
    {
        return create(name, entries, valueSize, true);
    }

    /**
     * @param indexedKeys whether to build the keys for {@link ByteCache#put(int, byte[])} and
     *                    {@link ByteCache#get(int, byte[])} up front (off for footprint measurements,
     *                    where only the byte-array methods are used and the harness must hold no keys)
     * @return a new cache of kind {@code name}
     */
    public static ByteCache create(final String name, final int entries, final int valueSize, final boolean indexedKeys)
    {
        final int keyCount = indexedKeys ? entries : 0;
        final long bytes = (long)entries * (Keys.LENGTH + valueSize + 64) * 13 / 10 + (32L << 20);
        switch (name)
        {
            case "larder":
                return larder(keyCount, entries, bytes, valueSize, MemoryBackend.AUTO, HashFunction.SIPHASH_1_3);
            case "larder-second-chance":
                return larder(keyCount, bytes, valueSize, MemoryBackend.AUTO, HashFunction.SIPHASH_1_3,
                    EvictionMode.SECOND_CHANCE);
            case "larder-jdk":
                return larder(keyCount, entries, bytes, valueSize, MemoryBackend.JDK, HashFunction.SIPHASH_1_3);
            case "larder-fasthash":
                return larder(keyCount, entries, bytes, valueSize, MemoryBackend.AUTO, HashFunction.FAST_TRUSTED_KEYS);
            case "caffeine":
                return onHeap(keyCount, Caffeine.newBuilder().maximumSize(entries * 2L).<Keys.Wrapped, byte[]>build()
                    .asMap());
            case "chm":
                return onHeap(keyCount, new ConcurrentHashMap<>(entries * 2));
            case "ohc":
                return ohc(keyCount, entries, bytes);
            case "chronicle":
                return chronicle(keyCount, entries, valueSize);
            case "ehcache":
                return ehcache(keyCount, bytes);
            default:
                throw new IllegalArgumentException("unknown cache: " + name + ", expected one of " + NAMES);
        }
    }

    /**
     * An adapter over a cache keyed by raw byte arrays: the index-based methods look the key up in
     * keys built once; subclasses say how to store and load.
     */
    private abstract static class ByteArrayKeyed implements ByteCache
    {
        private final byte[][] keys;

        ByteArrayKeyed(final int keyCount)
        {
            this.keys = Keys.keys(keyCount);
        }

        @Override
        public final void put(final int key, final byte[] value)
        {
            putOwnKey(keys[key], value);
        }

        /** Stores under a key array that is never changed afterwards, so the cache may keep it. */
        void putOwnKey(final byte[] key, final byte[] value)
        {
            put(key, value);
        }

        @Override
        public final int get(final int key, final byte[] dst)
        {
            return get(keys[key], dst);
        }

        /** @return the stored value (a fresh copy for the off-heap peers), or null. */
        abstract byte[] load(byte[] key);

        @Override
        public int get(final byte[] key, final byte[] dst)
        {
            final byte[] value = load(key);
            return value == null ? -1 : value.length;
        }

        @Override
        public int getInto(final byte[] key, final byte[] dst)
        {
            return copy(load(key), dst);
        }
    }

    /** @return the length of {@code value}, copied into {@code dst} when it fits, or -1 when null. */
    static int copy(final byte[] value, final byte[] dst)
    {
        if (value == null)
        {
            return -1;
        }
        if (value.length <= dst.length)
        {
            System.arraycopy(value, 0, dst, 0, value.length);
        }
        return value.length;
    }

    private static ByteCache larder(
        final int keyCount, final int entries, final long bytes, final int valueSize, final MemoryBackend backend,
        final HashFunction hash)
    {
        return larder(keyCount, bytes, valueSize, backend, hash, EvictionMode.ADAPTIVE);
    }

    private static ByteCache larder(
        final int keyCount, final long bytes, final int valueSize, final MemoryBackend backend,
        final HashFunction hash, final EvictionMode eviction)
    {
        final OffHeapCache cache = OffHeapCache.builder().capacity(bytes).expectedEntrySize(Keys.LENGTH + valueSize)
            .memoryBackend(backend).hashFunction(hash).eviction(eviction).build();
        return new ByteArrayKeyed(keyCount)
        {
            @Override
            public void put(final byte[] key, final byte[] value)
            {
                cache.put(key, value);
            }

            @Override
            public int get(final byte[] key, final byte[] dst)
            {
                return cache.get(key, dst);
            }

            @Override
            public int getInto(final byte[] key, final byte[] dst)
            {
                return cache.get(key, dst);
            }

            @Override
            byte[] load(final byte[] key)
            {
                return cache.get(key);
            }

            @Override
            public long size()
            {
                return cache.stats().entryCount();
            }

            @Override
            public long offHeapBytes()
            {
                return cache.stats().usedBytes();
            }

            @Override
            public void close()
            {
                cache.close();
            }
        };
    }

    private static ByteCache onHeap(
        final int keyCount, final java.util.concurrent.ConcurrentMap<Keys.Wrapped, byte[]> map)
    {
        final Keys.Wrapped[] keys = new Keys.Wrapped[keyCount];
        for (int i = 0; i < keyCount; i++)
        {
            keys[i] = new Keys.Wrapped(Keys.key(i));
        }
        return new ByteCache()
        {
            @Override
            public void put(final int key, final byte[] value)
            {
                // an on-heap map keeps the array it is given, so each put stores its own copy
                map.put(keys[key], value.clone());
            }

            @Override
            public int get(final int key, final byte[] dst)
            {
                final byte[] value = map.get(keys[key]);
                return value == null ? -1 : value.length;
            }

            @Override
            public void put(final byte[] key, final byte[] value)
            {
                map.put(new Keys.Wrapped(key.clone()), value.clone());
            }

            @Override
            public int get(final byte[] key, final byte[] dst)
            {
                final byte[] value = map.get(new Keys.Wrapped(key));
                return value == null ? -1 : value.length;
            }

            @Override
            public int getInto(final byte[] key, final byte[] dst)
            {
                return copy(map.get(new Keys.Wrapped(key)), dst);
            }

            @Override
            public long size()
            {
                return map.size();
            }

            @Override
            public long offHeapBytes()
            {
                return 0;
            }

            @Override
            public void close()
            {
                map.clear();
            }
        };
    }

    /** OHC's serializer for byte[]: a 4-byte length then the bytes. */
    private static final class BytesSerializer implements CacheSerializer<byte[]>
    {
        @Override
        public void serialize(final byte[] value, final ByteBuffer buffer)
        {
            buffer.putInt(value.length);
            buffer.put(value);
        }

        @Override
        public byte[] deserialize(final ByteBuffer buffer)
        {
            final byte[] value = new byte[buffer.getInt()];
            buffer.get(value);
            return value;
        }

        @Override
        public int serializedSize(final byte[] value)
        {
            return 4 + value.length;
        }
    }

    private static ByteCache ohc(final int keyCount, final int entries, final long bytes)
    {
        final OHCache<byte[], byte[]> cache = OHCacheBuilder.<byte[], byte[]>newBuilder()
            .keySerializer(new BytesSerializer())
            .valueSerializer(new BytesSerializer())
            .capacity(bytes)
            .hashTableSize(Math.max(8192, Integer.highestOneBit(entries / 64) * 2))
            .build();
        return new ByteArrayKeyed(keyCount)
        {
            @Override
            public void put(final byte[] key, final byte[] value)
            {
                cache.put(key, value);
            }

            @Override
            byte[] load(final byte[] key)
            {
                return cache.get(key);
            }

            @Override
            public long size()
            {
                return cache.size();
            }

            @Override
            public long offHeapBytes()
            {
                return cache.memUsed();
            }

            @Override
            public void close()
            {
                try
                {
                    cache.close();
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
        };
    }

    private static ByteCache chronicle(final int keyCount, final int entries, final int valueSize)
    {
        final ChronicleMap<byte[], byte[]> map = ChronicleMap.of(byte[].class, byte[].class)
            .name("bench")
            .entries(entries)
            .averageKeySize(Keys.LENGTH)
            .averageValueSize(valueSize)
            .create();
        return new ByteArrayKeyed(keyCount)
        {
            @Override
            public void put(final byte[] key, final byte[] value)
            {
                map.put(key, value);
            }

            @Override
            byte[] load(final byte[] key)
            {
                return map.get(key);
            }

            @Override
            public long size()
            {
                return map.longSize();
            }

            @Override
            public long offHeapBytes()
            {
                return map.offHeapMemoryUsed();
            }

            @Override
            public void close()
            {
                map.close();
            }
        };
    }

    private static ByteCache ehcache(final int keyCount, final long bytes)
    {
        final CacheManager manager = CacheManagerBuilder.newCacheManagerBuilder()
            .withCache("bench", CacheConfigurationBuilder.newCacheConfigurationBuilder(byte[].class, byte[].class,
                ResourcePoolsBuilder.newResourcePoolsBuilder().offheap(Math.max(1, bytes >> 20), MemoryUnit.MB)))
            .build(true);
        final org.ehcache.Cache<byte[], byte[]> cache = manager.getCache("bench", byte[].class, byte[].class);
        return new ByteArrayKeyed(keyCount)
        {
            @Override
            public void put(final byte[] key, final byte[] value)
            {
                // Ehcache may keep the key object it is given; callers may reuse their array
                cache.put(key.clone(), value);
            }

            @Override
            void putOwnKey(final byte[] key, final byte[] value)
            {
                cache.put(key, value);
            }

            @Override
            byte[] load(final byte[] key)
            {
                return cache.get(key);
            }

            @Override
            public long size()
            {
                long count = 0;
                for (final org.ehcache.Cache.Entry<byte[], byte[]> ignored : cache)
                {
                    count++;
                }
                return count;
            }

            @Override
            public long offHeapBytes()
            {
                return -1;
            }

            @Override
            public void close()
            {
                manager.close();
            }
        };
    }
}
