package dev.larder.bench.sim;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.larder.OffHeapCache;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policies the simulator compares: the real Larder cache, the reference policies exact LRU,
 * FIFO and CLOCK, real Caffeine (W-TinyLFU), and {@code larder-next}, the model of the ring engine
 * with the frequency-aware policy of docs/policy.md ({@link RingPolicyModel}). Each holds
 * {@code capacity} entries.
 */
public final class Policies
{
    /** Every policy name, in report order. */
    public static final List<String> NAMES = List.of("larder", "lru", "fifo", "clock", "caffeine", "larder-next");

    private Policies()
    {
    }

    /** @return a new policy of kind {@code name} holding {@code capacity} entries. */
    public static Policy create(final String name, final int capacity)
    {
        return create(name, capacity, 1);
    }

    /**
     * @param nextSeed the seed of {@code larder-next}'s hash key and admission coin (the engine draws
     *                 its hash key at random per cache, so results should hold for any seed)
     * @return a new policy of kind {@code name} holding {@code capacity} entries
     */
    public static Policy create(final String name, final int capacity, final long nextSeed)
    {
        switch (name)
        {
            case "larder":
                return new Larder(capacity);
            case "lru":
                return new LinkedHashMapPolicy("lru", capacity, true);
            case "fifo":
                return new LinkedHashMapPolicy("fifo", capacity, false);
            case "clock":
                return new Clock(capacity);
            case "caffeine":
                return new CaffeinePolicy(capacity);
            case "larder-next":
                return new RingPolicyModel("larder-next", capacity,
                    RingPolicyModel.Config.defaults().withSeed(nextSeed));
            default:
                throw new IllegalArgumentException("unknown policy: " + name + ", expected one of " + NAMES);
        }
    }

    /** Exact LRU (access order) or FIFO (insertion order) on a LinkedHashMap. */
    static final class LinkedHashMapPolicy implements Policy
    {
        private final String name;
        private final Map<Long, Boolean> map;

        LinkedHashMapPolicy(final String name, final int capacity, final boolean accessOrder)
        {
            this.name = name;
            this.map = new LinkedHashMap<>(capacity * 2, 0.75f, accessOrder)
            {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(final Map.Entry<Long, Boolean> eldest)
                {
                    return size() > capacity;
                }
            };
        }

        @Override
        public boolean access(final long key)
        {
            if (map.get(key) != null)
            {
                return true;
            }
            map.put(key, Boolean.TRUE);
            return false;
        }

        @Override
        public String name()
        {
            return name;
        }
    }

    /** CLOCK: a circular buffer with a reference bit per slot; the hand clears bits until it finds an unset one. */
    static final class Clock implements Policy
    {
        private final long[] keys;
        private final boolean[] referenced;
        private final Map<Long, Integer> slots = new HashMap<>();
        private int hand;
        private int size;

        Clock(final int capacity)
        {
            keys = new long[capacity];
            referenced = new boolean[capacity];
        }

        @Override
        public boolean access(final long key)
        {
            final Integer slot = slots.get(key);
            if (slot != null)
            {
                referenced[slot] = true;
                return true;
            }
            if (size < keys.length)
            {
                keys[size] = key;
                slots.put(key, size++);
                return false;
            }
            while (referenced[hand])
            {
                referenced[hand] = false;
                hand = (hand + 1) % keys.length;
            }
            slots.remove(keys[hand]);
            keys[hand] = key;
            slots.put(key, hand);
            hand = (hand + 1) % keys.length;
            return false;
        }

        @Override
        public String name()
        {
            return "clock";
        }
    }

    /** Real Caffeine, maintenance run in the calling thread so that every eviction happens before the next access. */
    static final class CaffeinePolicy implements Policy
    {
        private final Cache<Long, Boolean> cache;

        CaffeinePolicy(final int capacity)
        {
            cache = Caffeine.newBuilder().maximumSize(capacity).executor(Runnable::run).build();
        }

        @Override
        public boolean access(final long key)
        {
            if (cache.getIfPresent(key) != null)
            {
                return true;
            }
            cache.put(key, Boolean.TRUE);
            cache.cleanUp();
            return false;
        }

        @Override
        public String name()
        {
            return "caffeine";
        }
    }

    /**
     * The real {@link OffHeapCache}, one segment (so that the policy, not the striping, is compared),
     * sized so that it holds {@code capacity} entries of {@link #VALUE_SIZE}-byte values under long keys.
     */
    static final class Larder implements Policy
    {
        static final int VALUE_SIZE = 8;

        private final OffHeapCache cache;
        private final long held;
        private final byte[] value = new byte[VALUE_SIZE];
        private final byte[] dst = new byte[VALUE_SIZE];

        Larder(final int capacity)
        {
            final long bytes = capacityBytesFor(capacity);
            held = held(bytes);
            cache = build(bytes);
        }

        /** @return the entries this cache holds when full (the smallest cache holds about 80). */
        long held()
        {
            return held;
        }

        static OffHeapCache build(final long bytes)
        {
            return OffHeapCache.builder().capacity(bytes).segments(1).expectedEntrySize(Long.BYTES + VALUE_SIZE)
                .hashSeed(1).build();
        }

        /** @return how many entries a cache of {@code bytes} holds when overfilled. */
        static long held(final long bytes)
        {
            try (OffHeapCache probe = build(bytes))
            {
                final byte[] v = new byte[VALUE_SIZE];
                final long keys = bytes / 16;
                for (long key = 0; key < keys; key++)
                {
                    probe.put(key, v);
                }
                return probe.stats().entryCount();
            }
        }

        /** @return the smallest capacity (a multiple of 8 bytes) whose cache holds at least {@code entries} entries. */
        static long capacityBytesFor(final int entries)
        {
            long low = 4096;
            long high = Math.max(8192, entries * 64L);
            while (held(high) < entries)
            {
                high *= 2;
            }
            while (high - low > 8)
            {
                final long middle = (low + high) / 2 & -8L;
                if (held(middle) >= entries)
                {
                    high = middle;
                }
                else
                {
                    low = middle;
                }
            }
            return high;
        }

        @Override
        public boolean access(final long key)
        {
            if (cache.get(key, dst) >= 0)
            {
                return true;
            }
            cache.put(key, value);
            return false;
        }

        @Override
        public String name()
        {
            return "larder";
        }

        @Override
        public void close()
        {
            cache.close();
        }
    }
}
