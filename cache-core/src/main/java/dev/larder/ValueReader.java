package dev.larder;

import org.agrona.DirectBuffer;

/**
 * Reads a value in place, without copying it (freecache's GetFn).
 *
 * <p>The buffer is a read-only view of the value's bytes in off-heap memory, from 0 to its
 * {@code capacity()}. It is valid only during the call: afterwards it is emptied and refuses every
 * access (and it refuses access from any other thread at all times), so a view kept by mistake can
 * never read memory the cache has moved or freed. The call runs while the entry's segment is
 * locked; keep it short and do not call the cache from it (that throws {@code IllegalStateException}).
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
