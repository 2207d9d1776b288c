package dev.larder.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.agrona.AsciiNumberFormatException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The state and bounds checks of {@link ByteBufferDirectBuffer}, and the families of Agrona's
 * {@link MutableDirectBuffer} interface that are built on them alone: byte-range copies, strings
 * (ASCII and UTF-8, with and without a length prefix) and ASCII numbers. Split out of
 * {@code ByteBufferDirectBuffer} (as Agrona's {@code AbstractMutableDirectBuffer} is out of
 * {@code UnsafeBuffer}) so that each class reads in one sitting; that class keeps wrapping, views,
 * scalars and identity, and is the only subclass.
 *
 * <h2>Bounds and views</h2>
 * Every access goes through {@link #at} (reads) or {@link #writeAt} (writes), which check the
 * owning thread of a view, the range, and for writes that the buffer is writable; both are final,
 * so the JIT binds them statically. A view passes its {@code ByteBuffer} only to buffer classes
 * known not to keep it ({@link KnownBuffers}); others are copied byte by byte.
 */
abstract class AbstractByteBufferDirectBuffer implements MutableDirectBuffer
{
    static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0).order(NATIVE);
    private static final byte[] NULL_BYTES = "null".getBytes(UTF_8);
    private static final String VIEW_ESCAPE = "a view of cache memory has no address and cannot be wrapped: it is " +
        "valid only during its callback";

    ByteBuffer buffer = EMPTY;
    byte[] array;
    int offset;
    int capacity;
    Thread owner;
    boolean readOnly;
    /** True once bound by {@link ByteBufferDirectBuffer#bindTo}: memory its user must not reach directly. */
    boolean view;

    // ----------------------------------------------------------------------------------------------
    // Bounds
    // ----------------------------------------------------------------------------------------------

    final void checkNotView()
    {
        if (view)
        {
            throw new UnsupportedOperationException(VIEW_ESCAPE);
        }
    }

    final void set(final ByteBuffer target, final byte[] backingArray, final int index, final int length)
    {
        this.buffer = target.order() == NATIVE ? target : target.duplicate().order(NATIVE);
        this.array = backingArray;
        this.offset = index;
        this.capacity = length;
        this.owner = null;
        this.readOnly = false;
    }

    final int at(final int index, final int length)
    {
        if (owner != null && owner != Thread.currentThread())
        {
            throw new IllegalStateException("buffer view used outside its callback");
        }
        if (index < 0 || length < 0 || index > capacity - length)
        {
            throw new IndexOutOfBoundsException("index=" + index + " length=" + length + " capacity=" + capacity);
        }
        return offset + index;
    }

    final int writeAt(final int index, final int length)
    {
        if (readOnly)
        {
            throw new UnsupportedOperationException("buffer view is read-only");
        }
        return at(index, length);
    }

    // ----------------------------------------------------------------------------------------------
    // Byte ranges
    // ----------------------------------------------------------------------------------------------

    @Override
    public void getBytes(final int index, final byte[] dst)
    {
        getBytes(index, dst, 0, dst.length);
    }

    @Override
    public void getBytes(final int index, final byte[] dst, final int offset, final int length)
    {
        buffer.get(at(index, length), dst, offset, length);
    }

    @Override
    public void getBytes(final int index, final MutableDirectBuffer dstBuffer, final int dstIndex, final int length)
    {
        final int start = at(index, length);
        if (!view || KnownBuffers.keepNothing(dstBuffer))
        {
            dstBuffer.putBytes(dstIndex, buffer, start, length);
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                dstBuffer.putByte(dstIndex + i, buffer.get(start + i));
            }
        }
    }

    @Override
    public void getBytes(final int index, final ByteBuffer dstBuffer, final int length)
    {
        final int position = dstBuffer.position();
        getBytes(index, dstBuffer, position, length);
        dstBuffer.position(position + length);
    }

    @Override
    public void getBytes(final int index, final ByteBuffer dstBuffer, final int dstOffset, final int length)
    {
        dstBuffer.put(dstOffset, buffer, at(index, length), length);
    }

    @Override
    public void putBytes(final int index, final byte[] src)
    {
        putBytes(index, src, 0, src.length);
    }

    @Override
    public void putBytes(final int index, final byte[] src, final int offset, final int length)
    {
        buffer.put(writeAt(index, length), src, offset, length);
    }

    @Override
    public void putBytes(final int index, final ByteBuffer srcBuffer, final int length)
    {
        final int position = srcBuffer.position();
        putBytes(index, srcBuffer, position, length);
        srcBuffer.position(position + length);
    }

    @Override
    public void putBytes(final int index, final ByteBuffer srcBuffer, final int srcIndex, final int length)
    {
        buffer.put(writeAt(index, length), srcBuffer, srcIndex, length);
    }

    @Override
    public void putBytes(final int index, final DirectBuffer srcBuffer, final int srcIndex, final int length)
    {
        final int start = writeAt(index, length);
        if (!view || KnownBuffers.keepNothing(srcBuffer))
        {
            // the source copies into our ByteBuffer; works for any DirectBuffer implementation
            srcBuffer.getBytes(srcIndex, buffer, start, length);
        }
        else
        {
            for (int i = 0; i < length; i++)
            {
                buffer.put(start + i, srcBuffer.getByte(srcIndex + i));
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Strings
    // ----------------------------------------------------------------------------------------------

    private int lengthPrefix(final int index, final ByteOrder byteOrder)
    {
        return getInt(index, byteOrder);
    }

    @Override
    public String getStringAscii(final int index)
    {
        return getStringAscii(index, NATIVE);
    }

    @Override
    public int getStringAscii(final int index, final Appendable appendable)
    {
        return getStringAscii(index, appendable, NATIVE);
    }

    @Override
    public String getStringAscii(final int index, final ByteOrder byteOrder)
    {
        final int length = lengthPrefix(index, byteOrder);
        return length == 0 ? "" : getStringWithoutLengthAscii(index + STR_HEADER_LEN, length);
    }

    @Override
    public int getStringAscii(final int index, final Appendable appendable, final ByteOrder byteOrder)
    {
        final int length = lengthPrefix(index, byteOrder);
        return length == 0 ? 0 : getStringWithoutLengthAscii(index + STR_HEADER_LEN, length, appendable);
    }

    @Override
    public String getStringAscii(final int index, final int length)
    {
        return getStringWithoutLengthAscii(index + STR_HEADER_LEN, length);
    }

    @Override
    public int getStringAscii(final int index, final int length, final Appendable appendable)
    {
        return getStringWithoutLengthAscii(index + STR_HEADER_LEN, length, appendable);
    }

    @Override
    public String getStringWithoutLengthAscii(final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        getBytes(index, bytes);
        return new String(bytes, US_ASCII);
    }

    @Override
    public int getStringWithoutLengthAscii(final int index, final int length, final Appendable appendable)
    {
        final int start = at(index, length);
        try
        {
            for (int i = 0; i < length; i++)
            {
                final char c = (char)buffer.get(start + i);
                appendable.append(c > 127 ? '?' : c);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return length;
    }

    @Override
    public int putStringAscii(final int index, final String value)
    {
        return putStringAscii(index, (CharSequence)value, NATIVE);
    }

    @Override
    public int putStringAscii(final int index, final CharSequence value)
    {
        return putStringAscii(index, value, NATIVE);
    }

    @Override
    public int putStringAscii(final int index, final String value, final ByteOrder byteOrder)
    {
        return putStringAscii(index, (CharSequence)value, byteOrder);
    }

    @Override
    public int putStringAscii(final int index, final CharSequence value, final ByteOrder byteOrder)
    {
        if (value == null)
        {
            putInt(index, 0, byteOrder);
            return STR_HEADER_LEN;
        }
        final int length = value.length();
        writeAt(index, STR_HEADER_LEN + length);
        putInt(index, length, byteOrder);
        putStringWithoutLengthAscii(index + STR_HEADER_LEN, value, 0, length);
        return STR_HEADER_LEN + length;
    }

    @Override
    public int putStringWithoutLengthAscii(final int index, final String value)
    {
        return value == null ? 0 : putStringWithoutLengthAscii(index, value, 0, value.length());
    }

    @Override
    public int putStringWithoutLengthAscii(final int index, final CharSequence value)
    {
        return value == null ? 0 : putStringWithoutLengthAscii(index, value, 0, value.length());
    }

    @Override
    public int putStringWithoutLengthAscii(
        final int index, final String value, final int valueOffset, final int length)
    {
        return putStringWithoutLengthAscii(index, (CharSequence)value, valueOffset, length);
    }

    @Override
    public int putStringWithoutLengthAscii(
        final int index, final CharSequence value, final int valueOffset, final int length)
    {
        final int count = value == null ? 0 : Math.min(value.length() - valueOffset, length);
        final int start = writeAt(index, count);
        for (int i = 0; i < count; i++)
        {
            final char c = value.charAt(valueOffset + i);
            buffer.put(start + i, (byte)(c > 127 ? '?' : c));
        }
        return count;
    }

    @Override
    public String getStringUtf8(final int index)
    {
        return getStringUtf8(index, NATIVE);
    }

    @Override
    public String getStringUtf8(final int index, final ByteOrder byteOrder)
    {
        final int length = lengthPrefix(index, byteOrder);
        return length == 0 ? "" : getStringWithoutLengthUtf8(index + STR_HEADER_LEN, length);
    }

    @Override
    public String getStringUtf8(final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        getBytes(index + STR_HEADER_LEN, bytes);
        return new String(bytes, UTF_8);
    }

    @Override
    public String getStringWithoutLengthUtf8(final int index, final int length)
    {
        if (length == 0)
        {
            at(index, 0);
            return "";
        }
        final byte[] bytes = new byte[length];
        getBytes(index, bytes);
        return new String(bytes, UTF_8);
    }

    @Override
    public int putStringUtf8(final int index, final String value)
    {
        return putStringUtf8(index, value, NATIVE, Integer.MAX_VALUE);
    }

    @Override
    public int putStringUtf8(final int index, final String value, final ByteOrder byteOrder)
    {
        return putStringUtf8(index, value, byteOrder, Integer.MAX_VALUE);
    }

    @Override
    public int putStringUtf8(final int index, final String value, final int maxEncodedLength)
    {
        return putStringUtf8(index, value, NATIVE, maxEncodedLength);
    }

    @Override
    public int putStringUtf8(final int index, final String value, final ByteOrder byteOrder, final int maxEncodedLength)
    {
        final byte[] bytes = value != null ? value.getBytes(UTF_8) : NULL_BYTES;
        if (bytes.length > maxEncodedLength)
        {
            throw new IllegalArgumentException("Encoded string larger than maximum size: " + maxEncodedLength);
        }
        writeAt(index, STR_HEADER_LEN + bytes.length);
        putInt(index, bytes.length, byteOrder);
        putBytes(index + STR_HEADER_LEN, bytes);
        return STR_HEADER_LEN + bytes.length;
    }

    @Override
    public int putStringWithoutLengthUtf8(final int index, final String value)
    {
        final byte[] bytes = value != null ? value.getBytes(UTF_8) : NULL_BYTES;
        putBytes(index, bytes);
        return bytes.length;
    }

    // ----------------------------------------------------------------------------------------------
    // ASCII numbers
    // ----------------------------------------------------------------------------------------------

    @Override
    public int parseNaturalIntAscii(final int index, final int length)
    {
        return (int)parse(index, length, 0, Integer.MAX_VALUE, false);
    }

    @Override
    public long parseNaturalLongAscii(final int index, final int length)
    {
        return parse(index, length, 0, Long.MAX_VALUE, false);
    }

    @Override
    public int parseIntAscii(final int index, final int length)
    {
        return (int)parse(index, length, Integer.MIN_VALUE, Integer.MAX_VALUE, true);
    }

    @Override
    public long parseLongAscii(final int index, final int length)
    {
        return parse(index, length, Long.MIN_VALUE, Long.MAX_VALUE, true);
    }

    /** Long.parseLong's algorithm: accumulates negatively so that the minimum value parses. */
    private long parse(final int index, final int length, final long min, final long max, final boolean signed)
    {
        at(index, length);
        if (length <= 0)
        {
            throw new AsciiNumberFormatException("empty string: index=" + index + " length=" + length);
        }
        int i = index;
        final boolean negative = signed && getByte(i) == '-';
        if (negative)
        {
            i++;
            if (length == 1)
            {
                throw new AsciiNumberFormatException("error parsing number: " + ascii(index, length));
            }
        }
        final long limit = negative ? min : -max;
        final long multiplyLimit = limit / 10;
        long result = 0;
        for (; i < index + length; i++)
        {
            final int digit = getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                throw new AsciiNumberFormatException(
                    "error parsing digit: value=" + (char)getByte(i) + " at index " + i);
            }
            if (result < multiplyLimit || result * 10 < limit + digit)
            {
                throw new AsciiNumberFormatException("number overflow: " + ascii(index, length));
            }
            result = result * 10 - digit;
        }
        return negative ? result : -result;
    }

    private String ascii(final int index, final int length)
    {
        return getStringWithoutLengthAscii(index, length);
    }

    @Override
    public int putIntAscii(final int index, final int value)
    {
        return putAscii(index, Integer.toString(value));
    }

    @Override
    public int putNaturalIntAscii(final int index, final int value)
    {
        return putAscii(index, Integer.toString(value));
    }

    @Override
    public void putNaturalPaddedIntAscii(final int offset, final int length, final int value)
    {
        final int start = writeAt(offset, length);
        int remainder = value;
        for (int i = length - 1; i >= 0; i--)
        {
            buffer.put(start + i, (byte)('0' + remainder % 10));
            remainder /= 10;
        }
        if (remainder != 0)
        {
            throw new NumberFormatException("Cannot write " + value + " in " + length + " bytes");
        }
    }

    @Override
    public int putNaturalIntAsciiFromEnd(final int value, final int endExclusive)
    {
        final String digits = Integer.toString(value);
        final int start = endExclusive - (value == 0 ? 0 : digits.length());
        if (value != 0)
        {
            putAscii(start, digits);
        }
        return start;
    }

    @Override
    public int putNaturalLongAscii(final int index, final long value)
    {
        return putAscii(index, Long.toString(value));
    }

    @Override
    public int putLongAscii(final int index, final long value)
    {
        return putAscii(index, Long.toString(value));
    }

    private int putAscii(final int index, final String digits)
    {
        final int start = writeAt(index, digits.length());
        for (int i = 0; i < digits.length(); i++)
        {
            buffer.put(start + i, (byte)digits.charAt(i));
        }
        return digits.length();
    }

}
