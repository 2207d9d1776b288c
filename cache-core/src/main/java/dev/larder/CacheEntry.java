package dev.larder;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * One entry seen by iteration: copies of the key and value, and the time to live that remained
 * when it was read.
 *
 * @param key       the key
 * @param value     the value
 * @param ttlMillis remaining time to live in ms, or {@link OffHeapCache#NO_EXPIRY}
 * @param <K>       key type
 * @param <V>       value type
 */
public record CacheEntry<K, V>(K key, V value, long ttlMillis)
{
    /** @return the remaining time to live; {@code ChronoUnit.FOREVER.getDuration()} for no expiry. */
    public Duration ttl()
    {
        return ttlMillis == OffHeapCache.NO_EXPIRY ? ChronoUnit.FOREVER.getDuration() : Duration.ofMillis(ttlMillis);
    }

    @Override
    public String toString()
    {
        return "CacheEntry{key=" + show(key) + ", value=" + show(value) + ", ttlMillis=" + ttlMillis + "}";
    }

    private static String show(final Object object)
    {
        return object instanceof byte[] ? java.util.Arrays.toString((byte[])object) : String.valueOf(object);
    }
}
