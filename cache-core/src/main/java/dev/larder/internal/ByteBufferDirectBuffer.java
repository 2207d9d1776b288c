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
 */
public final class ByteBufferDirectBuffer implements MutableDirectBuffer
{
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).order(NATIVE);
    private static final byte[] NULL_BYTES = "null".getBytes(UTF_8);
    private static final String VIEW_ESCAPE = "a view of cache memory has no address and cannot be wrapped: it is " +
        "valid only during its callback";

    private ByteBuffer buffer = EMPTY;
    private byte[] array;
    private int offset;
    private int capacity;
    private Thread owner;
    private boolean readOnly;
    /** True once bound by {@link #bindTo}: a view of memory its user must not reach directly. */
    private boolean view;

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

    private void checkNotView()
    {
        if (view)
        {
            throw new UnsupportedOperationException(VIEW_ESCAPE);
        }
    }

    private void set(final ByteBuffer target, final byte[] backingArray, final int index, final int length)
    {
        this.buffer = target.order() == NATIVE ? target : target.duplicate().order(NATIVE);
        this.array = backingArray;
        this.offset = index;
        this.capacity = length;
        this.owner = null;
        this.readOnly = false;
    }

    private int at(final int index, final int length)
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

    private int writeAt(final int index, final int length)
    {
        if (readOnly)
        {
            throw new UnsupportedOperationException("buffer view is read-only");
        }
        return at(index, length);
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
