package dev.larder;

import org.agrona.DirectBuffer;

/**
 * Reads a value in place, without copying it (freecache's GetFn).
 *
 * <p>The buffer is a read-only view of the value's bytes in off-heap memory, from 0 to its
 * {@code capacity()}. It is valid only during the call: afterwards it is emptied and refuses every
 * access (and it refuses access from any other thread at all times), so a view kept by mistake can
 * never read memory the cache has moved or freed. It hands out no way around that:
 * {@code byteBuffer()} and {@code byteArray()} return null, and {@code addressOffset()} and wrapping
 * it in another buffer throw {@code UnsupportedOperationException}; copy the bytes to keep them.
 *
 * <p>A large value (above {@link OffHeapCache#maxInlineEntrySize()}, stored in chunks) is copied
 * into a new array first, and the view is one of that copy, with the same rules; the call then
 * runs under no lock.
 *
 * <p>The call runs while the entry's segment is locked; keep it short. It must not call the cache:
 * any call, to any key, throws {@code IllegalStateException}. It may close the cache: the read then
 * throws {@code IllegalStateException("cache is closed: ...")} and the memory is freed as it returns.
 *
 * @param <R> what the reader returns
 */
@FunctionalInterface
public interface ValueReader<R>
{
    /**
     * @param value the value's bytes; {@code value.capacity()} is its length
     * @return anything; returned by the cache's {@code read}
     */
    R read(DirectBuffer value);
}
