package dev.larder.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * An Agrona {@link MutableDirectBuffer} over a {@link ByteBuffer} (heap or direct) or a
 * {@code byte[]}, written with JDK methods only. Agrona 2.x's own buffers need
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}; this one needs no flag, so codecs
 * and zero-copy reads work on any JVM. Every access is bounds-checked against the wrapped range
 * and again by the JDK; the bounds cannot be switched off.
 *
 * <h2>Views</h2>
 * The cache uses instances as short-lived views of off-heap entries: {@link #bindTo} restricts
 * access to one thread and one range, and {@link #unbind} empties the view, after which every
 * access throws. A view leaked out of its callback therefore never reads memory the cache has
 * moved or freed. Nor does anything reached through it: once bound, an instance stays a view for
 * good, and a view hands out no way around its bounds. {@link #byteBuffer()} and
 * {@link #byteArray()} return null, {@link #addressOffset()} throws, it cannot be re-wrapped nor
 * wrapped by another {@code ByteBufferDirectBuffer}, and its bulk copies to and from other
 * buffers pass the underlying {@code ByteBuffer} only to buffer classes known not to keep it
 * ({@link KnownBuffers}); others are copied byte by byte.
 *
 * <h2>Differences from UnsafeBuffer</h2>
 * {@link #wrap(long, int)} and {@link #addressOffset()} need raw addresses and throw
 * {@link UnsupportedOperationException}; everything else behaves as in Agrona (a differential test
 * compares the two).
 *
 * <h2>Where the code is</h2>
 * This class holds construction, views, wrapping, scalars and identity; the state, the bounds
 * checks and the byte-range, string and ASCII-number families are in
 * {@link AbstractByteBufferDirectBuffer}, its package-private base.
 */
public final class ByteBufferDirectBuffer extends AbstractByteBufferDirectBuffer
{
    /** An empty buffer; wrap something before use. */
    public ByteBufferDirectBuffer()
    {
    }

    /** @param array the bytes to wrap, whole */
    public ByteBufferDirectBuffer(final byte[] array)
    {
        wrap(array);
    }

    /** @param buffer the buffer to wrap from 0 to its capacity (position and limit are ignored) */
    public ByteBufferDirectBuffer(final ByteBuffer buffer)
    {
        wrap(buffer);
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /**
     * Makes this buffer a view of {@code length} bytes of {@code target} from {@code index}, usable
     * only by the calling thread.
     */
    public void bindTo(final ByteBuffer target, final int index, final int length, final boolean writable)
    {
        set(target, null, index, length);
        this.owner = Thread.currentThread();
        this.readOnly = !writable;
        this.view = true;
    }

    /** Empties the view: every later access throws, from any thread. */
    public void unbind()
    {
        set(EMPTY, null, 0, 0);
        this.readOnly = true;
    }

    // ----------------------------------------------------------------------------------------------
    // DirectBuffer: wrapping and identity
    // ----------------------------------------------------------------------------------------------

    @Override
    public void wrap(final byte[] array)
    {
        wrap(array, 0, array.length);
    }

    @Override
    public void wrap(final byte[] array, final int offset, final int length)
    {
        checkNotView();
        if (offset < 0 || length < 0 || offset > array.length - length)
        {
            throw new IndexOutOfBoundsException("offset=" + offset + " length=" + length + " array=" + array.length);
        }
        set(ByteBuffer.wrap(array), array, offset, length);
    }

    @Override
    public void wrap(final ByteBuffer buffer)
    {
        wrap(buffer, 0, buffer.capacity());
    }

    @Override
    public void wrap(final ByteBuffer buffer, final int offset, final int length)
    {
        checkNotView();
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            throw new IndexOutOfBoundsException("offset=" + offset + " length=" + length +
                " capacity=" + buffer.capacity());
        }
        if (buffer.hasArray())
        {
            // index the whole array so that buffer indexes and byteArray() indexes agree
            set(ByteBuffer.wrap(buffer.array()), buffer.array(), buffer.arrayOffset() + offset, length);
        }
        else
        {
            set(buffer, null, offset, length);
        }
    }

    @Override
    public void wrap(final DirectBuffer buffer)
    {
        wrap(buffer, 0, buffer.capacity());
    }

    @Override
    public void wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        checkNotView();
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            throw new IndexOutOfBoundsException("offset=" + offset + " length=" + length +
                " capacity=" + buffer.capacity());
        }
        if (buffer instanceof ByteBufferDirectBuffer)
        {
            final ByteBufferDirectBuffer other = (ByteBufferDirectBuffer)buffer;
            other.checkNotView();
            set(other.buffer, other.array, other.offset + offset, length);
        }
        else if (buffer.byteBuffer() != null)
        {
            set(buffer.byteBuffer(), buffer.byteArray(), buffer.wrapAdjustment() + offset, length);
        }
        else if (buffer.byteArray() != null)
        {
            set(ByteBuffer.wrap(buffer.byteArray()), buffer.byteArray(), buffer.wrapAdjustment() + offset, length);
        }
        else
        {
            throw new UnsupportedOperationException("cannot wrap a buffer over a raw address without Unsafe");
        }
    }

    @Override
    public void wrap(final long address, final int length)
    {
        checkNotView();
        throw new UnsupportedOperationException("raw addresses need Agrona's UnsafeBuffer (and its JVM flag)");
    }

    @Override
    public long addressOffset()
    {
        checkNotView();
        throw new UnsupportedOperationException(
            "ByteBufferDirectBuffer has no address; use byteBuffer() or byteArray()");
    }

    @Override
    public byte[] byteArray()
    {
        return view ? null : array;
    }

    @Override
    public ByteBuffer byteBuffer()
    {
        return view || array != null ? null : buffer;
    }

    @Override
    public int wrapAdjustment()
    {
        return offset;
    }

    @Override
    public int capacity()
    {
        return capacity;
    }

    @Override
    public void checkLimit(final int limit)
    {
        if (limit > capacity)
        {
            throw new IndexOutOfBoundsException("limit=" + limit + " is beyond capacity=" + capacity);
        }
    }

    @Override
    public void boundsCheck(final int index, final int length)
    {
        at(index, length);
    }

    @Override
    public boolean isExpandable()
    {
        return false;
    }

    // ----------------------------------------------------------------------------------------------
    // Scalars
    // ----------------------------------------------------------------------------------------------

    @Override
    public long getLong(final int index, final ByteOrder byteOrder)
    {
        final long value = buffer.getLong(at(index, Long.BYTES));
        return byteOrder == NATIVE ? value : Long.reverseBytes(value);
    }

    @Override
    public long getLong(final int index)
    {
        return buffer.getLong(at(index, Long.BYTES));
    }

    @Override
    public int getInt(final int index, final ByteOrder byteOrder)
    {
        final int value = buffer.getInt(at(index, Integer.BYTES));
        return byteOrder == NATIVE ? value : Integer.reverseBytes(value);
    }

    @Override
    public int getInt(final int index)
    {
        return buffer.getInt(at(index, Integer.BYTES));
    }

    @Override
    public double getDouble(final int index, final ByteOrder byteOrder)
    {
        return Double.longBitsToDouble(getLong(index, byteOrder));
    }

    @Override
    public double getDouble(final int index)
    {
        return buffer.getDouble(at(index, Double.BYTES));
    }

    @Override
    public float getFloat(final int index, final ByteOrder byteOrder)
    {
        return Float.intBitsToFloat(getInt(index, byteOrder));
    }

    @Override
    public float getFloat(final int index)
    {
        return buffer.getFloat(at(index, Float.BYTES));
    }

    @Override
    public short getShort(final int index, final ByteOrder byteOrder)
    {
        final short value = buffer.getShort(at(index, Short.BYTES));
        return byteOrder == NATIVE ? value : Short.reverseBytes(value);
    }

    @Override
    public short getShort(final int index)
    {
        return buffer.getShort(at(index, Short.BYTES));
    }

    @Override
    public char getChar(final int index, final ByteOrder byteOrder)
    {
        final char value = buffer.getChar(at(index, Character.BYTES));
        return byteOrder == NATIVE ? value : Character.reverseBytes(value);
    }

    @Override
    public char getChar(final int index)
    {
        return buffer.getChar(at(index, Character.BYTES));
    }

    @Override
    public byte getByte(final int index)
    {
        return buffer.get(at(index, 1));
    }

    @Override
    public void putLong(final int index, final long value, final ByteOrder byteOrder)
    {
        buffer.putLong(writeAt(index, Long.BYTES), byteOrder == NATIVE ? value : Long.reverseBytes(value));
    }

    @Override
    public void putLong(final int index, final long value)
    {
        buffer.putLong(writeAt(index, Long.BYTES), value);
    }

    @Override
    public void putInt(final int index, final int value, final ByteOrder byteOrder)
    {
        buffer.putInt(writeAt(index, Integer.BYTES), byteOrder == NATIVE ? value : Integer.reverseBytes(value));
    }

    @Override
    public void putInt(final int index, final int value)
    {
        buffer.putInt(writeAt(index, Integer.BYTES), value);
    }

    @Override
    public void putDouble(final int index, final double value, final ByteOrder byteOrder)
    {
        putLong(index, Double.doubleToRawLongBits(value), byteOrder);
    }

    @Override
    public void putDouble(final int index, final double value)
    {
        buffer.putDouble(writeAt(index, Double.BYTES), value);
    }

    @Override
    public void putFloat(final int index, final float value, final ByteOrder byteOrder)
    {
        putInt(index, Float.floatToRawIntBits(value), byteOrder);
    }

    @Override
    public void putFloat(final int index, final float value)
    {
        buffer.putFloat(writeAt(index, Float.BYTES), value);
    }

    @Override
    public void putShort(final int index, final short value, final ByteOrder byteOrder)
    {
        buffer.putShort(writeAt(index, Short.BYTES), byteOrder == NATIVE ? value : Short.reverseBytes(value));
    }

    @Override
    public void putShort(final int index, final short value)
    {
        buffer.putShort(writeAt(index, Short.BYTES), value);
    }

    @Override
    public void putChar(final int index, final char value, final ByteOrder byteOrder)
    {
        buffer.putChar(writeAt(index, Character.BYTES), byteOrder == NATIVE ? value : Character.reverseBytes(value));
    }

    @Override
    public void putChar(final int index, final char value)
    {
        buffer.putChar(writeAt(index, Character.BYTES), value);
    }

    @Override
    public void putByte(final int index, final byte value)
    {
        buffer.put(writeAt(index, 1), value);
    }

    @Override
    public void setMemory(final int index, final int length, final byte value)
    {
        final int start = writeAt(index, length);
        for (int i = 0; i < length; i++)
        {
            buffer.put(start + i, value);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Object
    // ----------------------------------------------------------------------------------------------

    @Override
    public int compareTo(final DirectBuffer that)
    {
        if (this == that)
        {
            return 0;
        }
        // Agrona's order: native-order longs compared as signed, then the remaining bytes
        final int length = Math.min(capacity, that.capacity());
        int i = 0;
        for (final int end = length & ~7; i < end; i += 8)
        {
            final int cmp = Long.compare(getLong(i), that.getLong(i));
            if (cmp != 0)
            {
                return cmp;
            }
        }
        for (; i < length; i++)
        {
            final int cmp = Byte.compare(getByte(i), that.getByte(i));
            if (cmp != 0)
            {
                return cmp;
            }
        }
        return Integer.compare(capacity, that.capacity());
    }

    @Override
    public boolean equals(final Object obj)
    {
        if (this == obj)
        {
            return true;
        }
        if (!(obj instanceof ByteBufferDirectBuffer))
        {
            return false;
        }
        final ByteBufferDirectBuffer that = (ByteBufferDirectBuffer)obj;
        return capacity == that.capacity && compareTo(that) == 0;
    }

    @Override
    public int hashCode()
    {
        int hash = 19;
        for (int i = 0; i < capacity; i++)
        {
            hash = 31 * hash + getByte(i);
        }
        return hash;
    }

    @Override
    public String toString()
    {
        return "ByteBufferDirectBuffer{capacity=" + capacity + ", direct=" + buffer.isDirect() +
            (owner != null ? ", view" : "") + "}";
    }
}
