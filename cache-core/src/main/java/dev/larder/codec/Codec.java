package dev.larder.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Turns values into bytes and back, writing straight into the cache's memory: the cache asks for
 * {@link #encodedLength(Object)}, reserves exactly that many bytes, and hands {@link #encode} a
 * buffer over them, so nothing is encoded twice or through a temporary array.
 *
 * <p>Implementations must be stateless (or thread-confined inside) and thread-safe, and must not
 * call the cache that runs them (a call throws {@code IllegalStateException}: the cache may hold a
 * segment lock). The buffers passed in are only valid during the call; a codec must not keep them
 * (a kept buffer is emptied, and exposes no {@code ByteBuffer} or address). {@code encode} must write
 * exactly {@code encodedLength(value)} bytes from {@code offset}; the buffer is bounded to them, so
 * a codec that writes more fails with {@link IndexOutOfBoundsException} and the cache is unchanged.
 *
 * @param <T> the value type
 */
public interface Codec<T>
{
    /**
     * @param value a non-null value
     * @return the exact number of bytes {@link #encode} will write
     */
    int encodedLength(T value);

    /**
     * Writes {@code value} into {@code buffer} from {@code offset}.
     *
     * @param value  a non-null value, the same as just passed to {@link #encodedLength}
     * @param buffer the destination
     * @param offset where to start
     */
    void encode(T value, MutableDirectBuffer buffer, int offset);

    /**
     * Reads a value from {@code length} bytes of {@code buffer} at {@code offset}.
     *
     * @return the decoded value, never null
     */
    T decode(DirectBuffer buffer, int offset, int length);
}
