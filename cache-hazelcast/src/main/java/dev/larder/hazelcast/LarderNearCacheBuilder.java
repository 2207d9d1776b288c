package dev.larder.hazelcast;

import static java.util.Objects.requireNonNull;

import com.hazelcast.core.HazelcastInstance;
import dev.larder.OffHeapCache;
import dev.larder.OffHeapCacheBuilder;
import dev.larder.codec.Codec;
import java.time.Duration;

/**
 * Configures and builds a {@link LarderNearCache}. Each setter validates its argument at once (the
 * Larder options with Larder's own rules and messages); {@link #build()} checks the rest.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@link #capacity(long)}</td><td>off-heap bytes of the near cache, index included
 *       (see {@link OffHeapCacheBuilder#capacity(long)})</td><td>required</td></tr>
 *   <tr><td>{@link #ttl(Duration)}</td><td>how long a value may stay in the near cache; the bound on
 *       staleness when invalidations are lost in a way no listener reports (docs/scale-out.md);
 *       1 ms to {@link OffHeapCache#MAX_TTL}</td><td>{@link #DEFAULT_TTL}, 10 minutes</td></tr>
 *   <tr><td>{@link #cacheMisses(boolean)}</td><td>keep "the map has no entry" too, so repeated gets
 *       of absent keys stay local</td><td>false</td></tr>
 *   <tr><td>{@link #segments(int)}</td><td>Larder's lock stripes, a power of two</td><td>256</td></tr>
 *   <tr><td>{@link #expectedEntrySize(int)}</td><td>typical encoded key + value bytes; sizes Larder's
 *       index</td><td>100</td></tr>
 * </table>
 *
 * The map is {@code instance.getMap(mapName)}: the instance may be a member or a client. Eviction
 * is Larder's (its ring with second chances), within the capacity.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class LarderNearCacheBuilder<K, V>
{
    /** Default time to live of a near-cached value. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

    private final HazelcastInstance instance;
    private final String mapName;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final OffHeapCacheBuilder larder = OffHeapCache.builder().defaultTtl(DEFAULT_TTL);
    private boolean capacitySet;
    private boolean cacheMisses;

    LarderNearCacheBuilder(
        final HazelcastInstance instance, final String mapName, final Codec<K> keyCodec, final Codec<V> valueCodec)
    {
        this.instance = requireNonNull(instance, "instance");
        this.mapName = requireNonNull(mapName, "mapName");
        this.keyCodec = requireNonNull(keyCodec, "keyCodec");
        this.valueCodec = requireNonNull(valueCodec, "valueCodec");
        if (mapName.isEmpty())
        {
            throw new IllegalArgumentException("mapName must not be empty: mapName=\"\"");
        }
    }

    /**
     * @param bytes off-heap bytes for the near cache; see {@link OffHeapCacheBuilder#capacity(long)}
     * @return this builder
     */
    public LarderNearCacheBuilder<K, V> capacity(final long bytes)
    {
        larder.capacity(bytes);
        capacitySet = true;
        return this;
    }

    /**
     * @param ttl how long a value may stay near-cached: the last-resort bound on staleness
     * @return this builder
     */
    public LarderNearCacheBuilder<K, V> ttl(final Duration ttl)
    {
        larder.defaultTtl(requireNonNull(ttl, "ttl"));
        return this;
    }

    /**
     * @param cache whether to keep "absent" for keys the map has no entry for
     * @return this builder
     */
    public LarderNearCacheBuilder<K, V> cacheMisses(final boolean cache)
    {
        this.cacheMisses = cache;
        return this;
    }

    /**
     * @param count Larder's lock stripes; see {@link OffHeapCacheBuilder#segments(int)}
     * @return this builder
     */
    public LarderNearCacheBuilder<K, V> segments(final int count)
    {
        larder.segments(count);
        return this;
    }

    /**
     * @param bytes typical encoded key + value bytes; see {@link OffHeapCacheBuilder#expectedEntrySize(int)}
     * @return this builder
     */
    public LarderNearCacheBuilder<K, V> expectedEntrySize(final int bytes)
    {
        larder.expectedEntrySize(bytes);
        return this;
    }

    /**
     * Allocates the near cache's memory and registers its listeners.
     *
     * @return a new near cache; close it to detach it and free its memory
     * @throws IllegalStateException    when the capacity was not set or the instance is not running
     * @throws IllegalArgumentException when Larder refuses the capacity (see {@link OffHeapCacheBuilder#build()})
     */
    public LarderNearCache<K, V> build()
    {
        if (!capacitySet)
        {
            throw new IllegalStateException("capacity must be set: call capacity(bytes)");
        }
        if (!isRunning(instance))
        {
            throw new IllegalStateException("the Hazelcast instance must be running: instance=" + nameOf(instance));
        }
        return new LarderNearCache<>(instance, mapName, keyCodec, larder, valueCodec, cacheMisses);
    }

    /** @return whether the instance runs (a client that was shut down throws instead of answering). */
    static boolean isRunning(final HazelcastInstance instance)
    {
        try
        {
            return instance.getLifecycleService().isRunning();
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    private static String nameOf(final HazelcastInstance instance)
    {
        try
        {
            return instance.getName();
        }
        catch (final RuntimeException ex)
        {
            return String.valueOf(instance);
        }
    }
}
