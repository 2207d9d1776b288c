package dev.larder;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A typed view of an {@link OffHeapCache}: keys and values go through {@link dev.larder.codec.Codec}s
 * into off-heap memory. Built by {@code OffHeapCache.builder()....build(keyCodec, valueCodec)}.
 *
 * <pre>{@code
 * Cache<Long, String> names = OffHeapCache.builder()
 *     .capacity(256L << 20)
 *     .build(Codecs.longs(), Codecs.utf8());
 * names.put(42L, "Ada");
 * String name = names.get(42L, id -> loadFromDatabase(id));   // read-through, single-flight
 * }</pre>
 *
 * <h2>Allocation</h2>
 * Keys are encoded into a per-thread scratch buffer and values straight into the cache's memory,
 * so {@code put} allocates nothing beyond what the codec itself must, and {@code get} allocates only
 * the decoded value.
 *
 * <h2>Locking</h2>
 * {@code get} is not lock-free, unlike the byte-level {@code get}: it is {@code read(key, decoder)},
 * so the value codec decodes straight from the entry's off-heap bytes under the segment's lock
 * (one copy of the value: the codec's). A lock-free typed get would have to copy the bytes out
 * under the seqlock and decode the copy after validating it (two copies); measured side by side it
 * was no faster, so it was not adopted (docs/measurements.md, "Allocation of the typed API").
 * Concurrent typed gets of one segment therefore take turns; gets of different segments do not.
 * {@code containsKey} is lock-free, as in the byte-level cache.
 *
 * <h2>Semantics</h2>
 * As the byte-level cache: equal keys are keys with equal encodings; an entry larger than
 * {@link OffHeapCache#maxEntrySize()} is refused by every write: {@code put}, {@code putIfAbsent}
 * and {@code replace} return {@code false} and {@code compute} returns the current value; the entry
 * is unchanged and {@link CacheStats#rejectionCount()} counts it. Large values (above
 * {@link OffHeapCache#maxInlineEntrySize()}) are stored in chunks and read whole; their codec runs
 * on a copy, under no lock, and {@code compute} refuses them. Expired entries are never
 * returned; all methods are thread-safe. Codecs, readers, remapping functions, listeners and a
 * custom ticker run under the entry's segment lock and must not call the cache: a call from them,
 * to any key, throws {@code IllegalStateException}; a {@code close()} from them closes the cache
 * and frees its memory once the running operation is done (see {@link OffHeapCache} on callbacks).
 * A loader runs with no lock held and may use the cache, but must not load through it.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface Cache<K, V> extends AutoCloseable
{
    /**
     * Decodes the value under the entry's segment lock (see Locking above). Counts a hit or a miss.
     *
     * @return the value, or null when absent or expired
     */
    V get(K key);

    /**
     * Read-through: returns the cached value or loads, caches and returns it. On a miss exactly one
     * caller per key runs {@code loader} at a time; concurrent callers for the same key wait for its
     * result (single-flight). A loader exception reaches every waiter and nothing is cached; a null
     * result is returned to every waiter and not cached. Loads are counted in
     * {@link CacheStats#loadSuccessCount()}, {@link CacheStats#loadFailureCount()} and
     * {@link CacheStats#totalLoadTimeNanos()}. The loader runs with no lock held and may read and
     * write the cache, but must not load through it.
     *
     * @return the cached or loaded value, or null when the loader returned null
     * @throws IllegalStateException when called from inside a loader of this cache (a nested load
     *     could wait for the load that runs it)
     */
    V get(K key, Function<? super K, ? extends V> loader);

    /**
     * Asynchronous read-through: a hit completes at once; a miss runs {@code loader} on
     * {@code executor}, single-flight with {@link #get(Object, Function)} and other async calls for
     * the same key.
     *
     * @return a future of the cached or loaded value (null when the loader returned null); it
     *     completes exceptionally with the loader's exception
     * @throws IllegalStateException when called from inside a loader of this cache
     */
    CompletableFuture<V> getAsync(K key, Function<? super K, ? extends V> loader, Executor executor);

    /** @return the present entries among {@code keys}, in iteration order of {@code keys}. */
    Map<K, V> getAll(Iterable<? extends K> keys);

    /** @return true when stored with the default time to live; false when too large (counted). */
    boolean put(K key, V value);

    /** @return true when stored with {@code ttl}; false when too large (counted). */
    boolean put(K key, V value, Duration ttl);

    /** @return the number of entries stored (each too large one is refused and counted). */
    int putAll(Map<? extends K, ? extends V> entries);

    /** @return true when stored; false when the key has a live entry or the entry is too large. */
    boolean putIfAbsent(K key, V value);

    /** @return true when replaced; false when absent or the entry is too large. */
    boolean replace(K key, V value);

    /** @return true when a live entry was removed. */
    boolean remove(K key);

    /** @return true when the key has a live entry; counts nothing. */
    boolean containsKey(K key);

    /** @return true when the key had a live entry, which now expires {@code ttl} from now. */
    boolean touch(K key, Duration ttl);

    /**
     * @return the remaining time to live, {@code ChronoUnit.FOREVER.getDuration()} for no expiry,
     *     null when absent
     */
    Duration ttl(K key);

    /**
     * Reads the value in place, without decoding or copying it; see {@link ValueReader}.
     *
     * @return what {@code reader} returned, or null when absent
     */
    <R> R read(K key, ValueReader<R> reader);

    /**
     * Atomically updates one key, like {@link Map#compute}: {@code remapping} gets the key and the
     * current value (or null) under the segment lock and returns the new value; null removes the
     * entry; returning the very instance it was given keeps the entry untouched (time to live
     * included). A new value gets the default time to live. A new value above
     * {@link OffHeapCache#maxInlineEntrySize()} is refused as a {@code put} of one too large is:
     * the entry is unchanged and {@link CacheStats#rejectionCount()} counts it. A key holding a
     * large value is refused the same way, without calling the function.
     *
     * @return the value the key has afterwards: the function's value when it was stored, the current
     *     value (the instance the function was given, or a decoded copy of a large value the
     *     function was not given) when it was refused, or null
     */
    V compute(K key, BiFunction<? super K, ? super V, ? extends V> remapping);

    /**
     * Weakly consistent iteration over live entries, with decoded keys and values; see
     * {@link OffHeapCache#entries()}.
     */
    Iterable<CacheEntry<K, V>> entries();

    /**
     * Saves the entries, as bytes, for a warm restart: see {@link OffHeapCache#save(Path)}. A
     * typed cache built with {@link OffHeapCacheBuilder#loadSnapshot(Path)} loads them back; it must
     * use the same codecs (the file holds encoded bytes, not the codecs).
     *
     * @return what was written
     * @throws IOException naming the file and the cause; the previous file is then unchanged
     */
    SnapshotSave save(Path file) throws IOException;

    /** @return what the builder's {@link OffHeapCacheBuilder#loadSnapshot(Path)} loaded, or null. */
    SnapshotLoad snapshotLoad();

    /** @return the byte-level cache underneath (same entries, same statistics). */
    OffHeapCache bytes();

    /** @return a snapshot of the counters. */
    CacheStats stats();

    /** Removes every entry. */
    void clear();

    /** Frees the off-heap memory; see {@link OffHeapCache#close()}. */
    @Override
    void close();
}
