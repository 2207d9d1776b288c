package dev.larder.internal;

import java.nio.ByteBuffer;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A {@link Memory} that counts the writes made through it (compare-and-sets included), the scalar
 * reads, and the bytes compared by {@code contentEquals}: a measure of the work an operation does
 * that, unlike a timing, is the same on every run.
 */
final class CountingMemory implements Memory
{
    private final Memory delegate;
    int writes;
    long reads;
    long comparedBytes;

    CountingMemory(final Memory delegate)
    {
        this.delegate = delegate;
    }

    @Override
    public int capacity()
    {
        return delegate.capacity();
    }

    @Override
    public byte getByte(final int index)
    {
        reads++;
        return delegate.getByte(index);
    }

    @Override
    public int getInt(final int index)
    {
        reads++;
        return delegate.getInt(index);
    }

    @Override
    public void putInt(final int index, final int value)
    {
        writes++;
        delegate.putInt(index, value);
    }

    @Override
    public long getLong(final int index)
    {
        reads++;
        return delegate.getLong(index);
    }

    @Override
    public void putLong(final int index, final long value)
    {
        writes++;
        delegate.putLong(index, value);
    }

    @Override
    public boolean compareAndSetLong(final int index, final long expected, final long value)
    {
        writes++;
        return delegate.compareAndSetLong(index, expected, value);
    }

    @Override
    public void getBytes(final int index, final byte[] dst, final int dstOffset, final int length)
    {
        delegate.getBytes(index, dst, dstOffset, length);
    }

    @Override
    public void putBytes(final int index, final byte[] src, final int srcOffset, final int length)
    {
        writes++;
        delegate.putBytes(index, src, srcOffset, length);
    }

    @Override
    public void getBytes(final int index, final MutableDirectBuffer dst, final int dstOffset, final int length)
    {
        delegate.getBytes(index, dst, dstOffset, length);
    }

    @Override
    public void putBytes(final int index, final DirectBuffer src, final int srcOffset, final int length)
    {
        writes++;
        delegate.putBytes(index, src, srcOffset, length);
    }

    @Override
    public void move(final int from, final int to, final int length)
    {
        writes++;
        delegate.move(from, to, length);
    }

    @Override
    public void zero(final int index, final int length)
    {
        writes++;
        delegate.zero(index, length);
    }

    @Override
    public boolean contentEquals(final int index, final byte[] other, final int offset, final int length)
    {
        comparedBytes += length;
        return delegate.contentEquals(index, other, offset, length);
    }

    @Override
    public boolean contentEquals(final int index, final DirectBuffer other, final int offset, final int length)
    {
        comparedBytes += length;
        return delegate.contentEquals(index, other, offset, length);
    }

    @Override
    public ByteBuffer byteBuffer()
    {
        return delegate.byteBuffer();
    }

    @Override
    public MemoryKind kind()
    {
        return delegate.kind();
    }
}
