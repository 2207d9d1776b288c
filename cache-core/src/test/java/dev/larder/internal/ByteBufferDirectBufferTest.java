package dev.larder.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.agrona.AsciiNumberFormatException;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * ByteBufferDirectBuffer against Agrona's UnsafeBuffer (differential, where Agrona runs) and on
 * its own (everywhere).
 */
class ByteBufferDirectBufferTest
{
    private static final ByteOrder[] ORDERS = {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN};

    /** Runs the same writes on both buffers, then compares every byte and a series of reads. */
    private static void sameAsAgrona(final java.util.function.Consumer<MutableDirectBuffer> writes,
        final Function<MutableDirectBuffer, Object> reads)
    {
        assumeTrue(Memories.agronaAvailable(), "the reference needs Agrona's flag");
        final MutableDirectBuffer ours = new ByteBufferDirectBuffer(ByteBuffer.allocateDirect(128));
        final MutableDirectBuffer agrona = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        writes.accept(ours);
        writes.accept(agrona);
        for (int i = 0; i < 128; i++)
        {
            assertEquals(agrona.getByte(i), ours.getByte(i), "byte " + i);
        }
        assertEquals(outcome(reads, agrona), outcome(reads, ours));
    }

    private static Object outcome(final Function<MutableDirectBuffer, Object> reads, final MutableDirectBuffer buffer)
    {
        try
        {
            return reads.apply(buffer);
        }
        catch (final RuntimeException ex)
        {
            return ex.getClass().getSimpleName();
        }
    }

    @Test
    void scalarsInBothByteOrdersMatchAgrona()
    {
        final Random random = new Random(1);
        for (int round = 0; round < 200; round++)
        {
            final long l = random.nextLong();
            final int index = random.nextInt(100);
            final ByteOrder order = ORDERS[round % 2];
            sameAsAgrona(b -> {
                b.putLong(index, l, order);
                b.putInt(index + 8 < 120 ? index + 8 : 0, (int)l, order);
                b.putShort(2, (short)l, order);
                b.putChar(4, (char)l, order);
                b.putDouble(110, Double.longBitsToDouble(l), order);
                b.putFloat(120, Float.intBitsToFloat((int)l), order);
            }, b -> List.of(b.getLong(index, order), b.getLong(index), b.getInt(index, order), b.getShort(2, order),
                b.getChar(4, order), b.getDouble(110, order), b.getFloat(120, order), b.getInt(index)));
        }
    }

    @Test
    void stringsMatchAgrona()
    {
        for (final String text : new String[] {"", "plain", "naïve ☕ 𝄞", "x".repeat(60)})
        {
            for (final ByteOrder order : ORDERS)
            {
                sameAsAgrona(b -> {
                    b.putStringAscii(0, text, order);
                    b.putStringUtf8(64, text, order);
                }, b -> List.of(b.getStringAscii(0, order), b.getStringUtf8(64, order),
                    b.getStringWithoutLengthAscii(4, text.length()), b.getStringUtf8(64)));
                sameAsAgrona(b -> b.putStringWithoutLengthUtf8(3, text), b -> b.getStringWithoutLengthUtf8(3, 20));
            }
        }
    }

    @Test
    void asciiNumbersMatchAgrona()
    {
        final long[] values = {0, 1, -1, 9, 10, 99, 100, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
            Long.MIN_VALUE, 1234567890123L, -987654321};
        for (final long value : values)
        {
            sameAsAgrona(b -> {
                final int intLength = b.putIntAscii(0, (int)value);
                final int longLength = b.putLongAscii(32, value);
                b.putInt(120, intLength);
                b.putInt(124, longLength);
            }, b -> List.of(b.parseIntAscii(0, b.getInt(120)), b.parseLongAscii(32, b.getInt(124))));
            if (value >= 0)
            {
                sameAsAgrona(b -> {
                    b.putInt(120, b.putNaturalIntAscii(0, (int)(value & Integer.MAX_VALUE)));
                    b.putInt(124, b.putNaturalLongAscii(32, value));
                    b.putInt(116, b.putNaturalIntAsciiFromEnd((int)(value & Integer.MAX_VALUE), 100));
                }, b -> List.of(b.parseNaturalIntAscii(0, b.getInt(120)), b.parseNaturalLongAscii(32, b.getInt(124)),
                    b.getInt(116)));
            }
        }
        sameAsAgrona(b -> b.putNaturalPaddedIntAscii(0, 6, 42), b -> b.parseNaturalIntAscii(0, 6));
        for (final String bad : new String[] {"", "-", "12a", "99999999999", "-2147483649", "2147483648",
            "9223372036854775808", "+5"})
        {
            sameAsAgrona(b -> b.putStringWithoutLengthAscii(0, bad),
                b -> List.of(outcome(x -> x.parseIntAscii(0, bad.length()), b),
                    outcome(x -> x.parseLongAscii(0, bad.length()), b),
                    outcome(x -> x.parseNaturalIntAscii(0, bad.length()), b)));
        }
    }

    @Test
    void bulkCopiesMatchAgrona()
    {
        final byte[] bytes = new byte[50];
        new Random(2).nextBytes(bytes);
        sameAsAgrona(b -> {
            b.putBytes(3, bytes);
            b.putBytes(60, ByteBuffer.wrap(bytes), 5, 20);
            b.setMemory(90, 10, (byte)7);
            b.putBytes(100, new UnsafeBuffer(bytes), 10, 20);
        }, b -> {
            final byte[] out = new byte[30];
            b.getBytes(10, out, 2, 20);
            final ByteBuffer target = ByteBuffer.allocate(40);
            b.getBytes(50, target, 4, 30);
            return List.of(java.util.Arrays.toString(out), java.util.Arrays.toString(target.array()),
                b.compareTo(new UnsafeBuffer(new byte[128])) > 0);
        });
    }

    @Test
    void boundsAreAlwaysChecked()
    {
        final ByteBufferDirectBuffer buffer = new ByteBufferDirectBuffer(new byte[16]);
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.getLong(9));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.putInt(-1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.getBytes(10, new byte[7]));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.checkLimit(17));
        assertThrows(UnsupportedOperationException.class, () -> buffer.wrap(1234L, 8));
        assertThrows(UnsupportedOperationException.class, buffer::addressOffset);
        buffer.putLong(8, 5L);
        assertEquals(5L, buffer.getLong(8));
    }

    @Test
    void wrappingARangeOffsetsEveryAccess()
    {
        final byte[] array = new byte[32];
        final ByteBufferDirectBuffer buffer = new ByteBufferDirectBuffer();
        buffer.wrap(array, 8, 16);
        buffer.putByte(0, (byte)1);
        buffer.putByte(15, (byte)2);
        assertEquals(1, array[8]);
        assertEquals(2, array[23]);
        assertEquals(16, buffer.capacity());
        assertEquals(8, buffer.wrapAdjustment());
        assertEquals(array, buffer.byteArray());
        final ByteBufferDirectBuffer slice = new ByteBufferDirectBuffer();
        slice.wrap(buffer, 15, 1);
        assertEquals(2, slice.getByte(0));
        final ByteBuffer heapSlice = ByteBuffer.wrap(array, 4, 20).slice();
        final ByteBufferDirectBuffer overSlice = new ByteBufferDirectBuffer(heapSlice);
        assertEquals(1, overSlice.getByte(4));
        assertEquals(4, overSlice.wrapAdjustment());
    }

    @Test
    void anUnboundViewRefusesEveryAccessAndABoundOneOtherThreads() throws Exception
    {
        final ByteBuffer memory = ByteBuffer.allocateDirect(64);
        memory.put(10, (byte)42);
        final ByteBufferDirectBuffer view = new ByteBufferDirectBuffer();
        view.bindTo(memory, 8, 8, false);
        assertEquals(42, view.getByte(2));
        assertThrows(UnsupportedOperationException.class, () -> view.putByte(0, (byte)1));
        final AtomicReference<Throwable> other = new AtomicReference<>();
        final Thread thread = new Thread(() -> {
            try
            {
                view.getByte(2);
            }
            catch (final Throwable ex)
            {
                other.set(ex);
            }
        });
        thread.start();
        thread.join();
        assertEquals(IllegalStateException.class, other.get().getClass());
        view.unbind();
        assertThrows(IndexOutOfBoundsException.class, () -> view.getByte(0));
        assertEquals(0, view.capacity());
    }

    @Test
    void parseErrorsAreAgronasException()
    {
        final ByteBufferDirectBuffer buffer = new ByteBufferDirectBuffer(new byte[8]);
        buffer.putStringWithoutLengthAscii(0, "12x");
        assertThrows(AsciiNumberFormatException.class, () -> buffer.parseIntAscii(0, 3));
        assertThrows(AsciiNumberFormatException.class, () -> buffer.parseIntAscii(0, 0));
    }
}
