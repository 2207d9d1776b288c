package dev.larder;

import dev.larder.codec.Codec;
import org.agrona.DirectBuffer;

/**
 * Told of every entry that leaves the cache, with the cause.
 *
 * <h2>Where it runs</h2>
 * Synchronously, in the thread whose operation removed the entry, <em>while that entry's segment
 * is locked</em>: the key and value are views of the off-heap record, valid only during the call,
 * and other operations on the same segment wait. Keep it short (count, log, hand off to a queue).
 * It must not call the cache: such a call, to any key, throws {@code IllegalStateException}. It may
 * close the cache: the operation that removed the entry then throws
 * {@code IllegalStateException("cache is closed: ...")} and the memory is freed as it returns. The
 * views expose no buffer, array or address of the cache's memory (see {@link ValueReader}).
 *
 * <h2>Large values</h2>
 * A large value ({@link OffHeapCache#maxInlineEntrySize()}) is heard of with its key and cause and
 * an <em>empty</em> value view: its bytes are in other segments, whose locks the removal does not
 * hold. Its internal chunks are never heard of.
 *
 * <h2>Failures</h2>
 * An exception thrown by the listener is caught: the cache stays consistent, the removal goes
 * ahead, the failure is counted in {@link CacheStats#listenerFailureCount()} and the first one is
 * logged (System.Logger {@code dev.larder}).
 */
@FunctionalInterface
public interface RemovalListener
{
    /**
     * @param key   the key's bytes: a view valid during this call only
     * @param value the value's bytes: a view valid during this call only
     * @param cause why the entry left
     */
    void onRemoval(DirectBuffer key, DirectBuffer value, RemovalCause cause);

    /** A listener of decoded keys and values. */
    @FunctionalInterface
    interface Typed<K, V>
    {
        /**
         * Called as {@link RemovalListener#onRemoval(DirectBuffer, DirectBuffer, RemovalCause)} is, with the key
         * and value decoded.
         *
         * @param key   the removed entry's key
         * @param value the removed entry's value
         * @param cause why the entry was removed
         */
        void onRemoval(K key, V value, RemovalCause cause);
    }

    /**
     * @return a byte-level listener that decodes the key and value and passes them to {@code listener}
     */
    static <K, V> RemovalListener typed(
        final Codec<K> keyCodec, final Codec<V> valueCodec, final Typed<? super K, ? super V> listener)
    {
        java.util.Objects.requireNonNull(keyCodec, "keyCodec");
        java.util.Objects.requireNonNull(valueCodec, "valueCodec");
        java.util.Objects.requireNonNull(listener, "listener");
        return (key, value, cause) -> listener.onRemoval(
            keyCodec.decode(key, 0, key.capacity()), valueCodec.decode(value, 0, value.capacity()), cause);
    }
}
