package dev.larder.hazelcast.internal;

import dev.larder.codec.Codec;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The value codec of a near cache's Larder cache: a value, or the marker of a cached miss (the map
 * had no entry).
 *
 * <h2>Layout</h2>
 * A miss is an empty record. A value is one tag byte ({@link #PRESENT}) then the user codec's bytes,
 * so that a value the user codec encodes as zero bytes (an empty string) stays distinct from a miss.
 */
public final class NearCacheCodec<V> implements Codec<Object>
{
    /** What a cached miss decodes to. */
    public static final Object MISS = new Object()
    {
        @Override
        public String toString()
        {
            return "MISS";
        }
    };

    /** The tag byte before a value. */
    static final byte PRESENT = 1;

    private final Codec<V> values;

    public NearCacheCodec(final Codec<V> values)
    {
        this.values = values;
    }

    @Override
    @SuppressWarnings("unchecked")
    public int encodedLength(final Object value)
    {
        return value == MISS ? 0 : 1 + values.encodedLength((V)value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void encode(final Object value, final MutableDirectBuffer buffer, final int offset)
    {
        if (value != MISS)
        {
            buffer.putByte(offset, PRESENT);
            values.encode((V)value, buffer, offset + 1);
        }
    }

    @Override
    public Object decode(final DirectBuffer buffer, final int offset, final int length)
    {
        return length == 0 ? MISS : values.decode(buffer, offset + 1, length - 1);
    }

    @Override
    public String toString()
    {
        return "NearCacheCodec{" + values + "}";
    }
}
