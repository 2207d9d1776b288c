package dev.larder.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The built-in codecs. Numbers are big-endian, so a {@code Long} key encodes exactly like the
 * {@code long} keys of {@link dev.larder.OffHeapCache} and sorts like its bytes.
 */
public final class Codecs
{
    private static final Codec<byte[]> BYTE_ARRAY = new ByteArrayCodec();
    private static final Codec<String> UTF8 = new Utf8Codec();
    private static final Codec<Long> LONG = new LongCodec();
    private static final Codec<Integer> INTEGER = new IntegerCodec();
    private static final Codec<ByteBuffer> BYTE_BUFFER = new ByteBufferCodec();

    /** Scratch for decoding strings from off-heap memory without a new array per call. */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[256]);

    private Codecs()
    {
    }

    /** @return a codec that copies {@code byte[]} values as they are. */
    public static Codec<byte[]> byteArray()
    {
        return BYTE_ARRAY;
    }

    /** @return UTF-8 strings, encoded char by char (no intermediate {@code byte[]}). */
    public static Codec<String> utf8()
    {
        return UTF8;
    }

    /** @return 8-byte big-endian longs. */
    public static Codec<Long> longs()
    {
        return LONG;
    }

    /** @return 4-byte big-endian ints. */
    public static Codec<Integer> integers()
    {
        return INTEGER;
    }

    /**
     * @return the bytes between a buffer's position and limit (the position is not moved); decodes
     *     to a new heap buffer
     */
    public static Codec<ByteBuffer> byteBuffer()
    {
        return BYTE_BUFFER;
    }

    /**
     * Java serialization, for types without a better codec. Each value is serialized once: the
     * bytes measured by {@code encodedLength} are kept (per thread) for the {@code encode} that follows.
     *
     * @param type the value type, checked on decode
     * @param <T>  the value type
     * @return a codec using {@link ObjectOutputStream} and {@link ObjectInputStream}
     */
    public static <T extends Serializable> Codec<T> serializable(final Class<T> type)
    {
        return new SerializableCodec<>(type);
    }

    /**
     * @return UTF-8 byte length of {@code value}; unpaired surrogates count as '?' (one byte), as in String.getBytes.
     */
    static int utf8Length(final String value)
    {
        final int chars = value.length();
        int length = chars;
        for (int i = 0; i < chars; i++)
        {
            final char c = value.charAt(i);
            if (c >= 0x80)
            {
                if (c < 0x800)
                {
                    length += 1;
                }
                else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(value.charAt(i + 1)))
                {
                    length += 2;
                    i++;
                }
                else if (Character.isSurrogate(c))
                {
                    length += 0;
                }
                else
                {
                    length += 2;
                }
            }
        }
        return length;
    }

    private static final class ByteArrayCodec implements Codec<byte[]>
    {
        @Override
        public int encodedLength(final byte[] value)
        {
            return value.length;
        }

        @Override
        public void encode(final byte[] value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putBytes(offset, value);
        }

        @Override
        public byte[] decode(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] value = new byte[length];
            buffer.getBytes(offset, value);
            return value;
        }

        @Override
        public String toString()
        {
            return "Codecs.byteArray()";
        }
    }

    private static final class Utf8Codec implements Codec<String>
    {
        @Override
        public int encodedLength(final String value)
        {
            return utf8Length(value);
        }

        @Override
        public void encode(final String value, final MutableDirectBuffer buffer, final int offset)
        {
            int at = offset;
            final int chars = value.length();
            for (int i = 0; i < chars; i++)
            {
                final char c = value.charAt(i);
                if (c < 0x80)
                {
                    buffer.putByte(at++, (byte)c);
                }
                else if (c < 0x800)
                {
                    buffer.putByte(at++, (byte)(0xC0 | c >> 6));
                    buffer.putByte(at++, (byte)(0x80 | c & 0x3F));
                }
                else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(value.charAt(i + 1)))
                {
                    final int codePoint = Character.toCodePoint(c, value.charAt(++i));
                    buffer.putByte(at++, (byte)(0xF0 | codePoint >> 18));
                    buffer.putByte(at++, (byte)(0x80 | codePoint >> 12 & 0x3F));
                    buffer.putByte(at++, (byte)(0x80 | codePoint >> 6 & 0x3F));
                    buffer.putByte(at++, (byte)(0x80 | codePoint & 0x3F));
                }
                else if (Character.isSurrogate(c))
                {
                    buffer.putByte(at++, (byte)'?');
                }
                else
                {
                    buffer.putByte(at++, (byte)(0xE0 | c >> 12));
                    buffer.putByte(at++, (byte)(0x80 | c >> 6 & 0x3F));
                    buffer.putByte(at++, (byte)(0x80 | c & 0x3F));
                }
            }
        }

        @Override
        public String decode(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] array = buffer.byteArray();
            if (array != null)
            {
                return new String(array, buffer.wrapAdjustment() + offset, length, StandardCharsets.UTF_8);
            }
            byte[] scratch = SCRATCH.get();
            if (scratch.length < length)
            {
                scratch = new byte[Math.max(length, scratch.length * 2)];
                if (length <= 1 << 16)
                {
                    SCRATCH.set(scratch);
                }
            }
            buffer.getBytes(offset, scratch, 0, length);
            return new String(scratch, 0, length, StandardCharsets.UTF_8);
        }

        @Override
        public String toString()
        {
            return "Codecs.utf8()";
        }
    }

    private static final class LongCodec implements Codec<Long>
    {
        @Override
        public int encodedLength(final Long value)
        {
            return Long.BYTES;
        }

        @Override
        public void encode(final Long value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putLong(offset, value, ByteOrder.BIG_ENDIAN);
        }

        @Override
        public Long decode(final DirectBuffer buffer, final int offset, final int length)
        {
            checkLength(Long.BYTES, length);
            return buffer.getLong(offset, ByteOrder.BIG_ENDIAN);
        }

        @Override
        public String toString()
        {
            return "Codecs.longs()";
        }
    }

    private static final class IntegerCodec implements Codec<Integer>
    {
        @Override
        public int encodedLength(final Integer value)
        {
            return Integer.BYTES;
        }

        @Override
        public void encode(final Integer value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putInt(offset, value, ByteOrder.BIG_ENDIAN);
        }

        @Override
        public Integer decode(final DirectBuffer buffer, final int offset, final int length)
        {
            checkLength(Integer.BYTES, length);
            return buffer.getInt(offset, ByteOrder.BIG_ENDIAN);
        }

        @Override
        public String toString()
        {
            return "Codecs.integers()";
        }
    }

    private static final class ByteBufferCodec implements Codec<ByteBuffer>
    {
        @Override
        public int encodedLength(final ByteBuffer value)
        {
            return value.remaining();
        }

        @Override
        public void encode(final ByteBuffer value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putBytes(offset, value, value.position(), value.remaining());
        }

        @Override
        public ByteBuffer decode(final DirectBuffer buffer, final int offset, final int length)
        {
            final ByteBuffer value = ByteBuffer.allocate(length);
            buffer.getBytes(offset, value, 0, length);
            return value;
        }

        @Override
        public String toString()
        {
            return "Codecs.byteBuffer()";
        }
    }

    private static final class SerializableCodec<T extends Serializable> implements Codec<T>
    {
        /** The value last measured on this thread and its bytes, reused by the encode that follows. */
        private final ThreadLocal<Object[]> last = ThreadLocal.withInitial(() -> new Object[2]);
        private final Class<T> type;

        SerializableCodec(final Class<T> type)
        {
            this.type = java.util.Objects.requireNonNull(type, "type");
        }

        private byte[] bytes(final T value)
        {
            final Object[] memo = last.get();
            if (memo[0] == value)
            {
                return (byte[])memo[1];
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ObjectOutputStream objects = new ObjectOutputStream(out))
            {
                objects.writeObject(value);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot serialize " + value.getClass().getName(), ex);
            }
            final byte[] bytes = out.toByteArray();
            memo[0] = value;
            memo[1] = bytes;
            return bytes;
        }

        @Override
        public int encodedLength(final T value)
        {
            return bytes(value).length;
        }

        @Override
        public void encode(final T value, final MutableDirectBuffer buffer, final int offset)
        {
            final byte[] bytes = bytes(value);
            final Object[] memo = last.get();
            memo[0] = null;
            memo[1] = null;
            buffer.putBytes(offset, bytes);
        }

        @Override
        public T decode(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            try (ObjectInputStream objects = new ObjectInputStream(new java.io.ByteArrayInputStream(bytes)))
            {
                return type.cast(objects.readObject());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot deserialize a " + type.getName(), ex);
            }
            catch (final ClassNotFoundException ex)
            {
                throw new IllegalStateException("cannot deserialize a " + type.getName(), ex);
            }
        }

        @Override
        public String toString()
        {
            return "Codecs.serializable(" + type.getName() + ")";
        }
    }

    private static void checkLength(final int expected, final int length)
    {
        if (length != expected)
        {
            throw new IllegalArgumentException("encoded length must be " + expected + ": length=" + length);
        }
    }
}
