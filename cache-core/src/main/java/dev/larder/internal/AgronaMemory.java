package dev.larder.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Memory access through Agrona's {@link UnsafeBuffer}: the fast path. Agrona 2.x reaches
 * {@code jdk.internal.misc.Unsafe}, so this class can only be initialised when the JVM runs with
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}; {@link Memories} probes for that
 * and falls back to {@link JdkMemory}. Agrona checks bounds unless
 * {@code -Dagrona.disable.bounds.checks=true}; the engine validates its own offsets either way.
 */
final class AgronaMemory implements Memory
{
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private final UnsafeBuffer buffer;
    private final ByteBuffer byteBuffer;

    AgronaMemory(final ByteBuffer buffer)
    {
        if (!buffer.isDirect())
        {
            throw new IllegalArgumentException("buffer must be direct");
        }
        this.buffer = new UnsafeBuffer(buffer);
        this.byteBuffer = buffer.duplicate().order(NATIVE);
    }

    @Override
    public int capacity()
    {
        return buffer.capacity();
    }

    @Override
    public byte getByte(final int index)
    {
        return buffer.getByte(index);
    }

    @Override
    public int getInt(final int index)
    {
        return buffer.getInt(index);
    }

    @Override
    public void putInt(final int index, final int value)
    {
        buffer.putInt(index, value);
    }

    @Override
    public long getLong(final int index)
    {
        return buffer.getLong(index);
    }

    @Override
    public void putLong(final int index, final long value)
    {
        buffer.putLong(index, value);
    }

    @Override
    public boolean compareAndSetLong(final int index, final long expected, final long value)
    {
        return buffer.compareAndSetLong(index, expected, value);
    }

    @Override
    public void getBytes(final int index, final byte[] dst, final int dstOffset, final int length)
    {
        buffer.getBytes(index, dst, dstOffset, length);
    }

    @Override
    public void putBytes(final int index, final byte[] src, final int srcOffset, final int length)
    {
        buffer.putBytes(index, src, srcOffset, length);
    }

    @Override
    public void getBytes(final int index, final MutableDirectBuffer dst, final int dstOffset, final int length)
    {
        if (KnownBuffers.keepNothing(dst))
        {
            // the caller's buffer copies from our ByteBuffer: correct for every DirectBuffer implementation,
            // whereas UnsafeBuffer.putBytes(DirectBuffer) trusts the other buffer's raw address
            dst.putBytes(dstOffset, byteBuffer, index, length);
        }
        else
        {
            buffer.boundsCheck(index, length);
            for (int i = 0; i < length; i++)
            {
                dst.putByte(dstOffset + i, buffer.getByte(index + i));
            }
        }
    }

    @Override
    public void putBytes(final int index, final DirectBuffer src, final int srcOffset, final int length)
    {
        buffer.boundsCheck(index, length);
        if (KnownBuffers.keepNothing(src))
        {
            src.getBytes(srcOffset, byteBuffer, index, length);
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                buffer.putByte(index + i, src.getByte(srcOffset + i));
            }
        }
    }

    @Override
    public void move(final int from, final int to, final int length)
    {
        // UnsafeBuffer.putBytes(self) ends in Unsafe.copyMemory, which is conjoint (overlap-safe).
        buffer.putBytes(to, buffer, from, length);
    }

    @Override
    public void zero(final int index, final int length)
    {
        buffer.setMemory(index, length, (byte)0);
    }

    @Override
    public boolean contentEquals(final int index, final byte[] other, final int offset, final int length)
    {
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            if (buffer.getLong(index + i) != ByteArrays.getLongNative(other, offset + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (buffer.getByte(index + i) != other[offset + i])
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
            if (buffer.getLong(index + i) != other.getLong(offset + i, NATIVE))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (buffer.getByte(index + i) != other.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public ByteBuffer byteBuffer()
    {
        return byteBuffer;
    }

    @Override
    public MemoryKind kind()
    {
        return MemoryKind.AGRONA;
    }
}
