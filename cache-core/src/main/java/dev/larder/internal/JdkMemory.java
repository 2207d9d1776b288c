package dev.larder.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Pure-JDK memory access on a direct {@link ByteBuffer} in native order: {@link VarHandle} views
 * for ints and longs (the JDK force-inlines them, where {@code ByteBuffer.getLong} can fall out of
 * the inlining budget of a large caller) and absolute bulk get/put for byte ranges. Works on every
 * JDK from 17 with no JVM flag and no warning; every access is bounds-checked by the JDK.
 */
final class JdkMemory implements Memory
{
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, NATIVE);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, NATIVE);

    private final ByteBuffer buffer;

    JdkMemory(final ByteBuffer buffer)
    {
        if (!buffer.isDirect())
        {
            throw new IllegalArgumentException("buffer must be direct");
        }
        this.buffer = buffer.duplicate().order(NATIVE);
    }

    @Override
    public int capacity()
    {
        return buffer.capacity();
    }

    @Override
    public byte getByte(final int index)
    {
        return buffer.get(index);
    }

    @Override
    public int getInt(final int index)
    {
        return (int)INT.get(buffer, index);
    }

    @Override
    public void putInt(final int index, final int value)
    {
        INT.set(buffer, index, value);
    }

    @Override
    public long getLong(final int index)
    {
        return (long)LONG.get(buffer, index);
    }

    @Override
    public void putLong(final int index, final long value)
    {
        LONG.set(buffer, index, value);
    }

    @Override
    public boolean compareAndSetLong(final int index, final long expected, final long value)
    {
        return LONG.compareAndSet(buffer, index, expected, value);
    }

    @Override
    public void getBytes(final int index, final byte[] dst, final int dstOffset, final int length)
    {
        buffer.get(index, dst, dstOffset, length);
    }

    @Override
    public void putBytes(final int index, final byte[] src, final int srcOffset, final int length)
    {
        buffer.put(index, src, srcOffset, length);
    }

    @Override
    public void getBytes(final int index, final MutableDirectBuffer dst, final int dstOffset, final int length)
    {
        if (KnownBuffers.keepNothing(dst))
        {
            dst.putBytes(dstOffset, buffer, index, length);
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                dst.putByte(dstOffset + i, buffer.get(index + i));
            }
        }
    }

    @Override
    public void putBytes(final int index, final DirectBuffer src, final int srcOffset, final int length)
    {
        if (KnownBuffers.keepNothing(src))
        {
            src.getBytes(srcOffset, buffer, index, length);
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                buffer.put(index + i, src.getByte(srcOffset + i));
            }
        }
    }

    @Override
    public void move(final int from, final int to, final int length)
    {
        // The absolute bulk put copies through Unsafe.copyMemory, which is conjoint (overlap-safe).
        buffer.put(to, buffer, from, length);
    }

    @Override
    public void zero(final int index, final int length)
    {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            putLong(index + i, 0L);
        }
        for (; i < length; i++)
        {
            buffer.put(index + i, (byte)0);
        }
    }

    @Override
    public boolean contentEquals(final int index, final byte[] other, final int offset, final int length)
    {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            if (getLong(index + i) != ByteArrays.getLongNative(other, offset + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (buffer.get(index + i) != other[offset + i])
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean contentEquals(final int index, final DirectBuffer other, final int offset, final int length)
    {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            if (getLong(index + i) != other.getLong(offset + i, NATIVE))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (buffer.get(index + i) != other.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public ByteBuffer byteBuffer()
    {
        return buffer;
    }

    @Override
    public MemoryKind kind()
    {
        return MemoryKind.JDK;
    }
}
