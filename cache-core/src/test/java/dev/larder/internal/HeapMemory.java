package dev.larder.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A {@link Memory} on a heap array, for Lincheck's model checker, which follows array accesses but
 * not off-heap ones (and trips on both production backends' accessors: see
 * {@code SeqlockLincheckTest}).
 *
 * <h2>Granularity</h2>
 * Every access is one step of at most 8 bytes, atomic (a monitor, and {@link #ATOMIC_METHODS} for
 * the checker, which then switches threads only between steps): {@code getInt}, {@code getLong},
 * the compare-and-set, and each 8-byte chunk of a bulk copy or comparison. So a reader racing a
 * writer's copy can see it torn between chunks, as on the hardware, where aligned 8-byte accesses
 * are atomic and a {@code memcpy} is not; and the checker has few enough steps to explore.
 *
 * <h2>Freeing</h2>
 * After {@link #free()} every access fails, as a freed direct buffer would, so a reader that the
 * read gate let through after close shows. Native byte order, as the {@link Memory} contract asks.
 */
public final class HeapMemory implements Memory
{
    /** The methods the model checker runs as one step: each touches at most 8 bytes. */
    public static final String[] ATOMIC_METHODS = {
        "getByte", "getInt", "putInt", "getLong", "putLong", "compareAndSetLong", "readChunk", "writeChunk"};

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final boolean BIG_ENDIAN = NATIVE == ByteOrder.BIG_ENDIAN;
    private static final int CHUNK = Long.BYTES;

    private final byte[] bytes;
    private final ByteBuffer buffer;
    private volatile boolean freed;

    public HeapMemory(final int capacity)
    {
        this.bytes = new byte[capacity];
        this.buffer = ByteBuffer.wrap(bytes).order(NATIVE);
    }

    /** Frees the memory: every later access throws {@link AssertionError}. */
    public void free()
    {
        freed = true;
    }

    private void checkNotFreed()
    {
        if (freed)
        {
            throw new AssertionError("memory accessed after the cache freed it");
        }
    }

    private long read(final int index, final int length)
    {
        long value = 0;
        for (int i = length - 1; i >= 0; i--)
        {
            value = value << 8 | (bytes[index + (BIG_ENDIAN ? length - 1 - i : i)] & 0xFFL);
        }
        return value;
    }

    private void write(final int index, final int length, final long value)
    {
        for (int i = 0; i < length; i++)
        {
            bytes[index + (BIG_ENDIAN ? length - 1 - i : i)] = (byte)(value >>> 8 * i);
        }
    }

    /** Copies at most 8 bytes out, in one step. */
    synchronized void readChunk(final int index, final byte[] dst, final int dstOffset, final int length)
    {
        checkNotFreed();
        System.arraycopy(bytes, index, dst, dstOffset, length);
    }

    /** Copies at most 8 bytes in, in one step. */
    synchronized void writeChunk(final int index, final byte[] src, final int srcOffset, final int length)
    {
        checkNotFreed();
        System.arraycopy(src, srcOffset, bytes, index, length);
    }

    @Override
    public int capacity()
    {
        return bytes.length;
    }

    @Override
    public synchronized byte getByte(final int index)
    {
        checkNotFreed();
        return bytes[index];
    }

    @Override
    public synchronized int getInt(final int index)
    {
        checkNotFreed();
        return (int)read(index, Integer.BYTES);
    }

    @Override
    public synchronized void putInt(final int index, final int value)
    {
        checkNotFreed();
        write(index, Integer.BYTES, value);
    }

    @Override
    public synchronized long getLong(final int index)
    {
        checkNotFreed();
        return read(index, Long.BYTES);
    }

    @Override
    public synchronized void putLong(final int index, final long value)
    {
        checkNotFreed();
        write(index, Long.BYTES, value);
    }

    @Override
    public synchronized boolean compareAndSetLong(final int index, final long expected, final long value)
    {
        checkNotFreed();
        if (read(index, Long.BYTES) != expected)
        {
            return false;
        }
        write(index, Long.BYTES, value);
        return true;
    }

    @Override
    public void getBytes(final int index, final byte[] dst, final int dstOffset, final int length)
    {
        for (int i = 0; i < length; i += CHUNK)
        {
            readChunk(index + i, dst, dstOffset + i, Math.min(CHUNK, length - i));
        }
    }

    @Override
    public void putBytes(final int index, final byte[] src, final int srcOffset, final int length)
    {
        for (int i = 0; i < length; i += CHUNK)
        {
            writeChunk(index + i, src, srcOffset + i, Math.min(CHUNK, length - i));
        }
    }

    @Override
    public void getBytes(final int index, final MutableDirectBuffer dst, final int dstOffset, final int length)
    {
        final byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < length; i += CHUNK)
        {
            final int n = Math.min(CHUNK, length - i);
            readChunk(index + i, chunk, 0, n);
            dst.putBytes(dstOffset + i, chunk, 0, n);
        }
    }

    @Override
    public void putBytes(final int index, final DirectBuffer src, final int srcOffset, final int length)
    {
        final byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < length; i += CHUNK)
        {
            final int n = Math.min(CHUNK, length - i);
            src.getBytes(srcOffset + i, chunk, 0, n);
            writeChunk(index + i, chunk, 0, n);
        }
    }

    @Override
    public void move(final int from, final int to, final int length)
    {
        final byte[] copy = new byte[length];
        getBytes(from, copy, 0, length);
        putBytes(to, copy, 0, length);
    }

    @Override
    public void zero(final int index, final int length)
    {
        putBytes(index, new byte[length], 0, length);
    }

    @Override
    public boolean contentEquals(final int index, final byte[] other, final int offset, final int length)
    {
        final byte[] mine = new byte[length];
        getBytes(index, mine, 0, length);
        return java.util.Arrays.equals(mine, 0, length, other, offset, offset + length);
    }

    @Override
    public boolean contentEquals(final int index, final DirectBuffer other, final int offset, final int length)
    {
        final byte[] theirs = new byte[length];
        other.getBytes(offset, theirs, 0, length);
        return contentEquals(index, theirs, 0, length);
    }

    @Override
    public ByteBuffer byteBuffer()
    {
        checkNotFreed();
        return buffer;
    }

    @Override
    public MemoryKind kind()
    {
        return MemoryKind.JDK;
    }
}
