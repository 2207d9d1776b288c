package dev.larder.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.larder.Buffers;
import dev.larder.codec.Codecs;
import dev.larder.hazelcast.internal.NearCacheCodec;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

/** The near cache's record layout: a miss is empty, a value is a tag byte and the user codec's bytes. */
class NearCacheCodecTest
{
    private final NearCacheCodec<String> codec = new NearCacheCodec<>(Codecs.utf8());

    private Object roundTrip(final Object value, final int expectedLength)
    {
        final int length = codec.encodedLength(value);
        assertEquals(expectedLength, length);
        final MutableDirectBuffer buffer = Buffers.allocate(length + 4);
        codec.encode(value, buffer, 2);
        return codec.decode(buffer, 2, length);
    }

    @Test
    void aMissIsAnEmptyRecord()
    {
        assertSame(NearCacheCodec.MISS, roundTrip(NearCacheCodec.MISS, 0));
    }

    @Test
    void anEmptyValueIsATagByteAndStaysDistinctFromAMiss()
    {
        assertEquals("", roundTrip("", 1));
    }

    @Test
    void aValueIsATagByteThenTheUserCodecsBytes()
    {
        assertEquals("tea", roundTrip("tea", 4));
        final MutableDirectBuffer buffer = Buffers.allocate(4);
        codec.encode("tea", buffer, 0);
        assertEquals(1, buffer.getByte(0));
        assertEquals('t', buffer.getByte(1));
    }
}
