package dev.larder;

import static java.util.Objects.requireNonNull;

import dev.larder.codec.Codec;
import dev.larder.internal.ByteBufferDirectBuffer;
import dev.larder.internal.KeyRef;
import dev.larder.internal.PutMode;
import dev.larder.internal.Remapper;
import dev.larder.internal.Segment;
import dev.larder.internal.ValueEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.agrona.MutableDirectBuffer;

/**
 * {@link Cache} over an {@link OffHeapCache}.
 *
 * <h2>Encoding</h2>
 * Each thread has a {@link Scratch}: a growable array the key is encoded into (then hashed and
 * compared as bytes), the {@link KeyRef} the byte-level cache takes for it, and a reusable
 * {@link ValueEncoder} that carries the value and its codec to the segment, which encodes it
 * straight into the ring. Nothing is allocated per call once the scratch array has grown to the
 * largest key; each call looks the scratch up once, and the byte-level cache's own per-thread key
 * is not used.
 *
 * <h2>Gets</h2>
 * {@code get} is {@code read(key, decoder)}: the codec decodes in place under the segment lock.
 * It is not lock-free on purpose (see {@link Cache}, "Locking").
 *
 * <h2>Loads</h2>
 * Misses that load go through {@link #inFlight}, one future per encoded key: the first caller runs
 * the loader, later callers wait on its future. The future is removed when the load ends, whatever
 * its outcome, so a failure is not cached. A loader runs with no lock held and may use the cache,
 * but not load through it: a load started by a loader could wait for the very load that runs it
 * (the same key) or for one that waits for it (another thread's), so it is refused, by a count of
 * running loaders in the thread's {@link Scratch}.
 *
 * <h2>Callbacks</h2>
 * Codecs run as callbacks of the byte-level cache (see {@link dev.larder.internal.CallbackGuard});
 * the key codec, and {@code encodedLength}, run before the segment is locked, and a call from them
 * into the typed cache is refused through {@link Scratch#busy}, which also keeps the scratch intact.
 */
final class TypedCache<K, V> implements Cache<K, V>
{
    private final OffHeapCache bytes;
    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    private final ValueReader<V> decoder;
    private final ConcurrentHashMap<KeyBytes, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

    TypedCache(final OffHeapCache bytes, final Codec<K> keyCodec, final Codec<V> valueCodec)
    {
        this.bytes = bytes;
        this.keyCodec = keyCodec;
        this.valueCodec = valueCodec;
        this.decoder = view -> valueCodec.decode(view, 0, view.capacity());
    }

    /** Per-thread encoding state. */
    private static final class Scratch implements ValueEncoder
    {
        private byte[] keyBytes = new byte[64];
        private ByteBuffer keyBuffer = ByteBuffer.wrap(keyBytes).order(ByteOrder.nativeOrder());
        private final ByteBufferDirectBuffer keyView = new ByteBufferDirectBuffer();
        /** The encoded key, for the byte-level cache. */
        private final KeyRef key = new KeyRef();
        private boolean busy;
        /** Loaders running on this thread. */
        private int loading;

        private Codec<Object> codec;
        private Object value;
        private int valueLength;

        @SuppressWarnings("unchecked")
        ValueEncoder value(final Codec<?> valueCodec, final Object value)
        {
            this.codec = (Codec<Object>)valueCodec;
            this.value = requireNonNull(value, "value");
            this.valueLength = codec.encodedLength(value);
            if (valueLength < 0)
            {
                throw new IllegalStateException("codec returned a negative length: " + valueLength);
            }
            return this;
        }

        void release()
        {
            codec = null;
            value = null;
            busy = false;
        }

        @Override
        public int encodedLength()
        {
            return valueLength;
        }

        @Override
        public void encode(final MutableDirectBuffer buffer, final int offset)
        {
            codec.encode(value, buffer, offset);
        }
    }

    /** Encodes and hashes {@code key} into this thread's scratch; the caller must {@link Scratch#release()}. */
    private Scratch key(final K key)
    {
        requireNonNull(key, "key");
        bytes.guard().checkCaller();
        final Scratch s = scratch.get();
        if (s.busy)
        {
            throw new IllegalStateException("the cache must not be called from its own callbacks: callback=Codec");
        }
        s.busy = true;
        try
        {
            final int length = keyCodec.encodedLength(key);
            if (length < 0)
            {
                throw new IllegalStateException("codec returned a negative length: " + length);
            }
            if (length > s.keyBytes.length)
            {
                s.keyBytes = new byte[Math.max(length, s.keyBytes.length * 2)];
                s.keyBuffer = ByteBuffer.wrap(s.keyBytes).order(ByteOrder.nativeOrder());
            }
            s.keyView.bindTo(s.keyBuffer, 0, length, true);
            keyCodec.encode(key, s.keyView, 0);
            s.keyView.unbind();
            s.key.set(s.keyBytes, 0, length, bytes.hasher());
            return s;
        }
        catch (final RuntimeException | Error ex)
        {
            s.keyView.unbind();
            s.release();
            throw ex;
        }
    }

    @Override
    public V get(final K key)
    {
        return read(key, decoder);
    }

    @Override
    public <R> R read(final K key, final ValueReader<R> reader)
    {
        requireNonNull(reader, "reader");
        final Scratch s = key(key);
        try
        {
            return bytes.read(s.key, reader);
        }
        finally
        {
            s.release();
        }
    }

    @Override
    public Map<K, V> getAll(final Iterable<? extends K> keys)
    {
        requireNonNull(keys, "keys");
        final Map<K, V> found = new LinkedHashMap<>();
        for (final K key : keys)
        {
            final V value = get(key);
            if (value != null)
            {
                found.put(key, value);
            }
        }
        return found;
    }

    @Override
    public boolean put(final K key, final V value)
    {
        return put(key, value, OffHeapCache.DEFAULT_TTL, PutMode.PUT);
    }

    @Override
    public boolean put(final K key, final V value, final Duration ttl)
    {
        return put(key, value, OffHeapCache.ttlMillisOf(ttl), PutMode.PUT);
    }

    @Override
    public int putAll(final Map<? extends K, ? extends V> entries)
    {
        requireNonNull(entries, "entries");
        int stored = 0;
        for (final Map.Entry<? extends K, ? extends V> entry : entries.entrySet())
        {
            if (put(entry.getKey(), entry.getValue()))
            {
                stored++;
            }
        }
        return stored;
    }

    @Override
    public boolean putIfAbsent(final K key, final V value)
    {
        return put(key, value, OffHeapCache.DEFAULT_TTL, PutMode.PUT_IF_ABSENT);
    }

    @Override
    public boolean replace(final K key, final V value)
    {
        return put(key, value, OffHeapCache.DEFAULT_TTL, PutMode.REPLACE);
    }

    private boolean put(final K key, final V value, final long ttlMillis, final PutMode mode)
    {
        requireNonNull(value, "value");
        final Scratch s = key(key);
        try
        {
            final ValueEncoder encoder = s.value(valueCodec, value);
            return bytes.store(s.key, encoder, 0, encoder.encodedLength(), bytes.ttlOrDefault(ttlMillis), mode);
        }
        finally
        {
            s.release();
        }
    }

    /** An operation on an encoded key; implementations must not capture, so that none is allocated per call. */
    @FunctionalInterface
    private interface KeyOperation<R>
    {
        R apply(OffHeapCache bytes, KeyRef key);
    }

    private <R> R withKey(final K key, final KeyOperation<R> operation)
    {
        final Scratch s = key(key);
        try
        {
            return operation.apply(bytes, s.key);
        }
        finally
        {
            s.release();
        }
    }

    @Override
    public boolean remove(final K key)
    {
        return withKey(key, OffHeapCache::remove);
    }

    @Override
    public boolean containsKey(final K key)
    {
        return withKey(key, OffHeapCache::containsKey);
    }

    @Override
    public boolean touch(final K key, final Duration ttl)
    {
        final long ttlMillis = OffHeapCache.ttlMillisOf(ttl);
        final Scratch s = key(key);
        try
        {
            return bytes.touch(s.key, ttlMillis);
        }
        finally
        {
            s.release();
        }
    }

    @Override
    public Duration ttl(final K key)
    {
        return OffHeapCache.durationOf(withKey(key, OffHeapCache::ttlMillis));
    }

    @Override
    public V compute(final K key, final BiFunction<? super K, ? super V, ? extends V> remapping)
    {
        requireNonNull(remapping, "remapping");
        final Scratch s = key(key);
        final Object[] values = new Object[2]; // the current value, the new one
        try
        {
            final int outcome = bytes.remap(s.key, current -> {
                final V old = current == null ? null : valueCodec.decode(current, 0, current.capacity());
                final V next = remapping.apply(key, old);
                values[0] = old;
                values[1] = next;
                if (next == null)
                {
                    return null;
                }
                return next == old ? Remapper.KEEP : s.value(valueCodec, next);
            }, bytes.ttlOrDefault(OffHeapCache.DEFAULT_TTL));
            if (outcome == Segment.COMPUTE_REFUSED_LARGE)
            {
                // the key holds a large value, which compute does not take: the function did not run
                final byte[] current = bytes.peek(s.key);
                return current == null ? null : decode(valueCodec, new ByteBufferDirectBuffer(), current);
            }
            @SuppressWarnings("unchecked")
            final V value = (V)values[outcome < 0 ? 0 : 1];
            return value;
        }
        finally
        {
            s.release();
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Loads
    // ----------------------------------------------------------------------------------------------

    @Override
    public V get(final K key, final Function<? super K, ? extends V> loader)
    {
        requireNonNull(loader, "loader");
        checkNotLoading();
        final V cached = get(key);
        if (cached != null)
        {
            return cached;
        }
        final KeyBytes id = keyBytes(key);
        final CompletableFuture<V> mine = new CompletableFuture<>();
        final CompletableFuture<V> running = inFlight.putIfAbsent(id, mine);
        if (running != null)
        {
            return join(running);
        }
        load(key, id, mine, loader);
        return join(mine);
    }

    @Override
    public CompletableFuture<V> getAsync(
        final K key, final Function<? super K, ? extends V> loader, final Executor executor)
    {
        requireNonNull(loader, "loader");
        requireNonNull(executor, "executor");
        checkNotLoading();
        final V cached = get(key);
        if (cached != null)
        {
            return CompletableFuture.completedFuture(cached);
        }
        final KeyBytes id = keyBytes(key);
        final CompletableFuture<V> mine = new CompletableFuture<>();
        final CompletableFuture<V> running = inFlight.putIfAbsent(id, mine);
        if (running != null)
        {
            return running.thenApply(Function.identity());
        }
        try
        {
            executor.execute(() -> load(key, id, mine, loader));
        }
        catch (final RuntimeException ex)
        {
            inFlight.remove(id, mine);
            mine.completeExceptionally(ex);
        }
        return mine.thenApply(Function.identity());
    }

    /** Refuses a load from inside a loader of this cache; see the class comment. */
    private void checkNotLoading()
    {
        if (scratch.get().loading > 0)
        {
            throw new IllegalStateException("a loader must not call get(key, loader) or getAsync on its own cache: " +
                "the nested load could wait for the load that runs it");
        }
    }

    /** Runs the loader for the caller that won the key; completes {@code future} either way. */
    private void load(
        final K key,
        final KeyBytes id,
        final CompletableFuture<V> future,
        final Function<? super K, ? extends V> loader)
    {
        try
        {
            // a load that finished between our miss and our registration has cached the value
            V value = get(key);
            if (value == null)
            {
                final long start = System.nanoTime();
                final Scratch s = scratch.get();
                s.loading++;
                try
                {
                    value = loader.apply(key);
                }
                catch (final RuntimeException | Error ex)
                {
                    bytes.recordLoad(false, System.nanoTime() - start);
                    throw ex;
                }
                finally
                {
                    s.loading--;
                }
                bytes.recordLoad(value != null, System.nanoTime() - start);
                if (value != null)
                {
                    put(key, value);
                }
            }
            future.complete(value);
        }
        catch (final Throwable ex)
        {
            future.completeExceptionally(ex);
        }
        finally
        {
            inFlight.remove(id, future);
        }
    }

    private static <V> V join(final CompletableFuture<V> future)
    {
        try
        {
            return future.join();
        }
        catch (final CompletionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException)
            {
                throw (RuntimeException)cause;
            }
            if (cause instanceof Error)
            {
                throw (Error)cause;
            }
            throw ex;
        }
    }

    private KeyBytes keyBytes(final K key)
    {
        final Scratch s = key(key);
        try
        {
            return new KeyBytes(Arrays.copyOf(s.keyBytes, s.key.length()), s.key.hash());
        }
        finally
        {
            s.release();
        }
    }

    /** An encoded key as a map key for in-flight loads. */
    private static final class KeyBytes
    {
        private final byte[] bytes;
        private final int hash;

        KeyBytes(final byte[] bytes, final long hash)
        {
            this.bytes = bytes;
            this.hash = Long.hashCode(hash);
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof KeyBytes && Arrays.equals(bytes, ((KeyBytes)other).bytes);
        }

        @Override
        public int hashCode()
        {
            return hash;
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Whole cache
    // ----------------------------------------------------------------------------------------------

    @Override
    public Iterable<CacheEntry<K, V>> entries()
    {
        return () -> {
            final ByteBufferDirectBuffer view = new ByteBufferDirectBuffer();
            return new EntryIterator<>(bytes,
                (key, value) -> decode(keyCodec, view, key),
                (key, value) -> decode(valueCodec, view, value));
        };
    }

    /** Decodes a copy for iteration through a view that, like every view a codec gets, dies with the call. */
    private static <T> T decode(final Codec<T> codec, final ByteBufferDirectBuffer view, final byte[] bytes)
    {
        view.bindTo(ByteBuffer.wrap(bytes), 0, bytes.length, false);
        try
        {
            return codec.decode(view, 0, bytes.length);
        }
        finally
        {
            view.unbind();
        }
    }

    @Override
    public SnapshotSave save(final java.nio.file.Path file) throws IOException
    {
        return bytes.save(file);
    }

    @Override
    public SnapshotLoad snapshotLoad()
    {
        return bytes.snapshotLoad();
    }

    @Override
    public OffHeapCache bytes()
    {
        return bytes;
    }

    @Override
    public CacheStats stats()
    {
        return bytes.stats();
    }

    @Override
    public void clear()
    {
        bytes.clear();
    }

    @Override
    public void close()
    {
        bytes.close();
    }

    @Override
    public String toString()
    {
        return "Cache{keyCodec=" + keyCodec + ", valueCodec=" + valueCodec + ", " + bytes + "}";
    }
}
