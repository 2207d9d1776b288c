package dev.larder.jcache.internal;

import dev.larder.codec.Codec;
import dev.larder.codec.Codecs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.lang.ref.WeakReference;
import javax.cache.CacheException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Picks the codec of a JCache key or value type.
 *
 * <p>{@code String}, {@code Long}, {@code Integer} and {@code byte[]} get Larder's built-in codecs.
 * Any other type ({@code Object} included, the JCache default) gets a {@linkplain TaggedCodec tagged
 * codec}: one tag byte, then the same compact encodings for those four types, or Java
 * serialization for anything else that is {@link Serializable}. Deserialization resolves classes
 * through the cache manager's class loader.
 */
public final class JCacheCodecs
{
    private JCacheCodecs()
    {
    }

    /**
     * @param type        the configured key or value type
     * @param classLoader resolves classes when deserializing
     * @return the codec for values of {@code type}
     */
    @SuppressWarnings("unchecked")
    public static <T> Codec<T> forType(final Class<T> type, final ClassLoader classLoader)
    {
        if (type == String.class)
        {
            return (Codec<T>)Codecs.utf8();
        }
        if (type == Long.class)
        {
            return (Codec<T>)Codecs.longs();
        }
        if (type == Integer.class)
        {
            return (Codec<T>)Codecs.integers();
        }
        if (type == byte[].class)
        {
            return (Codec<T>)Codecs.byteArray();
        }
        return (Codec<T>)new TaggedCodec(classLoader);
    }

    /**
     * @return null when {@code value} can be stored, else why not (for the caller's exception)
     */
    public static String whyNotStorable(final Object value)
    {
        if (value instanceof String || value instanceof Long || value instanceof Integer || value instanceof byte[] ||
            value instanceof Serializable)
        {
            return null;
        }
        return "a Larder cache stores keys and values as bytes, so they must be Serializable " +
            "(or String, Long, Integer, byte[]): class=" + value.getClass().getName();
    }

    /**
     * Any object: a tag byte then its encoding.
     *
     * <pre>
     *  tag 'S' String   UTF-8 bytes
     *  tag 'L' Long     8 bytes, big-endian
     *  tag 'I' Integer  4 bytes, big-endian
     *  tag 'B' byte[]   the bytes
     *  tag 'J' other    Java serialization
     * </pre>
     *
     * A serialized value is serialized once: {@link #encodedLength} keeps the bytes (per thread)
     * for the {@link #encode} that follows.
     */
    static final class TaggedCodec implements Codec<Object>
    {
        private static final byte STRING = 'S';
        private static final byte LONG = 'L';
        private static final byte INTEGER = 'I';
        private static final byte BYTES = 'B';
        private static final byte SERIALIZED = 'J';

        private final ThreadLocal<Object[]> last = ThreadLocal.withInitial(() -> new Object[2]);
        private final WeakReference<ClassLoader> classLoader;

        TaggedCodec(final ClassLoader classLoader)
        {
            this.classLoader = new WeakReference<>(classLoader);
        }

        @Override
        public int encodedLength(final Object value)
        {
            if (value instanceof String)
            {
                return 1 + Codecs.utf8().encodedLength((String)value);
            }
            if (value instanceof Long)
            {
                return 1 + Long.BYTES;
            }
            if (value instanceof Integer)
            {
                return 1 + Integer.BYTES;
            }
            if (value instanceof byte[])
            {
                return 1 + ((byte[])value).length;
            }
            return 1 + serialized(value).length;
        }

        @Override
        public void encode(final Object value, final MutableDirectBuffer buffer, final int offset)
        {
            if (value instanceof String)
            {
                buffer.putByte(offset, STRING);
                Codecs.utf8().encode((String)value, buffer, offset + 1);
            }
            else if (value instanceof Long)
            {
                buffer.putByte(offset, LONG);
                Codecs.longs().encode((Long)value, buffer, offset + 1);
            }
            else if (value instanceof Integer)
            {
                buffer.putByte(offset, INTEGER);
                Codecs.integers().encode((Integer)value, buffer, offset + 1);
            }
            else if (value instanceof byte[])
            {
                buffer.putByte(offset, BYTES);
                buffer.putBytes(offset + 1, (byte[])value);
            }
            else
            {
                final byte[] bytes = serialized(value);
                final Object[] memo = last.get();
                memo[0] = null;
                memo[1] = null;
                buffer.putByte(offset, SERIALIZED);
                buffer.putBytes(offset + 1, bytes);
            }
        }

        @Override
        public Object decode(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte tag = buffer.getByte(offset);
            switch (tag)
            {
                case STRING:
                    return Codecs.utf8().decode(buffer, offset + 1, length - 1);
                case LONG:
                    return Codecs.longs().decode(buffer, offset + 1, length - 1);
                case INTEGER:
                    return Codecs.integers().decode(buffer, offset + 1, length - 1);
                case BYTES:
                    return Codecs.byteArray().decode(buffer, offset + 1, length - 1);
                case SERIALIZED:
                    final byte[] bytes = new byte[length - 1];
                    buffer.getBytes(offset + 1, bytes);
                    return deserialize(bytes);
                default:
                    throw new CacheException("unknown encoding tag: tag=" + tag);
            }
        }

        private byte[] serialized(final Object value)
        {
            final Object[] memo = last.get();
            if (memo[0] == value)
            {
                return (byte[])memo[1];
            }
            final String why = whyNotStorable(value);
            if (why != null)
            {
                throw new CacheException(why);
            }
            final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            try (ObjectOutputStream objects = new ObjectOutputStream(out))
            {
                objects.writeObject(value);
            }
            catch (final IOException ex)
            {
                throw new CacheException("cannot serialize a " + value.getClass().getName() + ": " + ex, ex);
            }
            final byte[] bytes = out.toByteArray();
            memo[0] = value;
            memo[1] = bytes;
            return bytes;
        }

        private Object deserialize(final byte[] bytes)
        {
            try (ObjectInputStream objects = new LoaderObjectInputStream(new ByteArrayInputStream(bytes),
                classLoader.get()))
            {
                return objects.readObject();
            }
            catch (final IOException ex)
            {
                throw new CacheException("cannot deserialize a stored object: " + ex, ex);
            }
            catch (final ClassNotFoundException ex)
            {
                throw new CacheException("cannot resolve the class of a stored object: " + ex.getMessage(), ex);
            }
        }

        @Override
        public String toString()
        {
            return "JCacheCodecs.tagged()";
        }
    }

    /** Resolves classes through a given class loader first. */
    private static final class LoaderObjectInputStream extends ObjectInputStream
    {
        private final ClassLoader classLoader;

        LoaderObjectInputStream(final InputStream in, final ClassLoader classLoader) throws IOException
        {
            super(in);
            this.classLoader = classLoader;
        }

        @Override
        protected Class<?> resolveClass(final ObjectStreamClass desc) throws IOException, ClassNotFoundException
        {
            if (classLoader != null)
            {
                try
                {
                    return Class.forName(desc.getName(), false, classLoader);
                }
                catch (final ClassNotFoundException ex)
                {
                    // fall back to the default resolution (primitives, the caller's loader)
                }
            }
            return super.resolveClass(desc);
        }
    }
}
