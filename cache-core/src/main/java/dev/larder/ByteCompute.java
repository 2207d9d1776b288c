package dev.larder;

import dev.larder.internal.KeyRef;
import dev.larder.internal.LargeValues;
import dev.larder.internal.Remapper;
import dev.larder.internal.Segment;
import java.util.function.UnaryOperator;
import org.agrona.DirectBuffer;

/**
 * {@link OffHeapCache#compute(byte[], UnaryOperator)} on arrays: adapts the caller's
 * {@code UnaryOperator<byte[]>} to the engine's {@link Remapper} (which sees a view of the current
 * value, under the segment's lock) and picks the result the method documents: the new array when
 * stored, a copy of the current value when the new one was refused as too large, null when absent.
 *
 * <h2>Why a class of its own</h2>
 * The adapter, with its copies and byte comparison, is the one part of the byte-level cache that
 * allocates by design; it is not on the get or put path. Static methods of a final class: no
 * state, nothing for the JIT to dispatch.
 */
final class ByteCompute
{
    private ByteCompute()
    {
    }

    /**
     * @param segment the segment of {@code key}, for the size check of a refusal
     * @return the value the key has afterwards (see {@link OffHeapCache#compute(byte[], UnaryOperator)})
     */
    static byte[] compute(
        final LargeValues large, final Segment segment, final KeyRef key, final UnaryOperator<byte[]> remapping,
        final long ttlMillis)
    {
        final byte[][] values = new byte[2][]; // the current value, the new one
        final int outcome = large.compute(key, current -> {
            final byte[] next = remapping.apply(current == null ? null : copyOf(current));
            values[0] = current == null || next == null || segment.accepts(key.length(), next.length) ? null :
                copyOf(current); // a copy the function has not seen, for a refusal
            values[1] = next;
            return next != null && current != null && sameBytes(current, next) ? Remapper.KEEP : next;
        }, ttlMillis);
        if (outcome == Segment.COMPUTE_REFUSED_LARGE)
        {
            // the function did not run; the current value, as for any refusal (a peek: counts nothing)
            return large.get(key, false);
        }
        return values[outcome < 0 ? 0 : 1];
    }

    static boolean sameBytes(final DirectBuffer view, final byte[] bytes)
    {
        if (view.capacity() != bytes.length)
        {
            return false;
        }
        for (int i = 0; i < bytes.length; i++)
        {
            if (view.getByte(i) != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    static byte[] copyOf(final DirectBuffer view)
    {
        final byte[] bytes = new byte[view.capacity()];
        view.getBytes(0, bytes);
        return bytes;
    }
}
