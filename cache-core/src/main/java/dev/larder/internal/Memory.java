package dev.larder.internal;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The one door to off-heap memory: every read and write of a ring or an index goes through an
 * implementation of this interface, never through raw addresses.
 *
 * <h2>Implementations</h2>
 * <ul>
 *   <li>{@link AgronaMemory}: Agrona's {@code UnsafeBuffer}, the fast path, usable when the JVM
 *       exports {@code jdk.internal.misc} to Agrona (Agrona 2.x needs
 *       {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}).</li>
 *   <li>{@link JdkMemory}: absolute access on a direct {@link java.nio.ByteBuffer} plus
 *       {@link java.lang.invoke.VarHandle}s; needs no JVM flag and prints no warning.</li>
 * </ul>
 *
 * <h2>Contract</h2>
 * Indexes are byte offsets from the start of the region, {@code 0 <= index < capacity()}. Multi-byte
 * values are read and written in native byte order; the engine never persists memory, so the
 * order only has to agree with itself. The memory is not thread-safe: the owning segment's lock
 * guards every write except {@link #compareAndSetLong}; lock-free readers read under the segment's
 * version check (see {@link Segment}). Callers check their own bounds (the engine validates every offset it reads
 * from off-heap data); implementations may check again.
 */
public interface Memory
{
    /** @return the size of the region in bytes. */
    int capacity();

    byte getByte(int index);

    int getInt(int index);

    void putInt(int index, int value);

    long getLong(int index);

    void putLong(int index, long value);

    /**
     * Atomically sets the 8-byte-aligned long at {@code index} to {@code value} if it holds
     * {@code expected}; the one access that lock-free readers make besides reads.
     *
     * @return true when the value was set
     */
    boolean compareAndSetLong(int index, long expected, long value);

    void getBytes(int index, byte[] dst, int dstOffset, int length);

    void putBytes(int index, byte[] src, int srcOffset, int length);

    void getBytes(int index, MutableDirectBuffer dst, int dstOffset, int length);

    void putBytes(int index, DirectBuffer src, int srcOffset, int length);

    /**
     * Copies {@code length} bytes from {@code from} to {@code to} within this region; the ranges
     * may overlap (memmove semantics).
     */
    void move(int from, int to, int length);

    /** Sets {@code length} bytes from {@code index} to zero. */
    void zero(int index, int length);

    /** @return true when the {@code length} bytes at {@code index} equal {@code other[offset..]}. */
    boolean contentEquals(int index, byte[] other, int offset, int length);

    /** @return true when the {@code length} bytes at {@code index} equal {@code other[offset..]}. */
    boolean contentEquals(int index, DirectBuffer other, int offset, int length);

    /**
     * @return the direct buffer this memory covers, index 0 at its start, for binding bounded
     *     {@link ByteBufferDirectBuffer} views; never accessed outside the segment lock
     */
    java.nio.ByteBuffer byteBuffer();

    /** @return the backend that implements this memory. */
    MemoryKind kind();
}
