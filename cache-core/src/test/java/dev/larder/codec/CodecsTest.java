package dev.larder.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.larder.Buffers;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

/** Round trips for every built-in codec; each codec writes exactly its encoded length. */
class CodecsTest
{
    /** Encodes into the middle of a larger buffer, checks the length and the untouched margins, decodes. */
    static <T> T roundTrip(final Codec<T> codec, final T value)
    {
        final int length = codec.encodedLength(value);
        final MutableDirectBuffer buffer = Buffers.allocate(length + 16);
        buffer.setMemory(0, length + 16, (byte)0x5A);
        codec.encode(value, buffer, 8);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(0x5A, buffer.getByte(i), "margin before");
            assertEquals(0x5A, buffer.getByte(8 + length + i), "margin after");
        }
        return codec.decode(buffer, 8, length);
    }

    @Property(tries = 300)
    void byteArrays(@ForAll @Size(max = 300) final byte[] value)
    {
        assertArrayEquals(value, roundTrip(Codecs.byteArray(), value));
    }

    @Provide
    Arbitrary<String> strings()
    {
        return Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(200),
            Arbitraries.strings().all().ofMaxLength(50),
            Arbitraries.strings().withChars('a', 'é', '€', '\uD834', '\uDD1E', '\uDBFF', '\uDFFF').ofMaxLength(40));
    }

    @Property(tries = 500)
    void utf8StringsMatchTheJdkEncoding(@ForAll("strings") final String value)
    {
        final Codec<String> codec = Codecs.utf8();
        final byte[] jdk = value.getBytes(StandardCharsets.UTF_8);
        assertEquals(jdk.length, codec.encodedLength(value), "length as String.getBytes");
        final MutableDirectBuffer buffer = Buffers.allocate(jdk.length);
        codec.encode(value, buffer, 0);
        final byte[] ours = new byte[jdk.length];
        buffer.getBytes(0, ours);
        assertArrayEquals(jdk, ours);
        assertEquals(new String(jdk, StandardCharsets.UTF_8), roundTrip(codec, value));
    }

    @Test
    void utf8EdgeCases()
    {
        for (final String value : List.of("", "a", "\u0000", "𝄞", "a𝄞b", "\uD834", "\uDD1E", "\uD834x",
            "€".repeat(1000),
            "x".repeat(70_000)))
        {
            assertEquals(new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8),
                roundTrip(Codecs.utf8(), value));
        }
    }

    @Property(tries = 300)
    void longs(@ForAll final long value)
    {
        assertEquals(value, roundTrip(Codecs.longs(), value));
        final MutableDirectBuffer buffer = Buffers.allocate(8);
        Codecs.longs().encode(value, buffer, 0);
        assertEquals(value, buffer.getLong(0, java.nio.ByteOrder.BIG_ENDIAN), "big-endian, like long keys");
    }

    @Property(tries = 300)
    void integers(@ForAll final int value)
    {
        assertEquals(value, roundTrip(Codecs.integers(), value));
    }

    @Test
    void numbersRefuseAWrongLength()
    {
        assertThrows(IllegalArgumentException.class, () -> Codecs.longs().decode(Buffers.allocate(8), 0, 4));
        assertEquals("encoded length must be 4: length=3",
            assertThrows(IllegalArgumentException.class, () -> Codecs.integers().decode(Buffers.allocate(8), 0, 3))
                .getMessage());
    }

    @Property(tries = 200)
    void byteBuffersFromPositionToLimit(@ForAll @Size(max = 100) final byte[] bytes)
    {
        final ByteBuffer value = ByteBuffer.allocate(bytes.length + 4);
        value.position(2);
        value.put(bytes);
        value.flip().position(2);
        final ByteBuffer decoded = roundTrip(Codecs.byteBuffer(), value);
        assertEquals(2, value.position(), "encoding does not move the position");
        assertEquals(ByteBuffer.wrap(bytes), decoded);
    }

    record Point(int x, String label) implements Serializable
    {
    }

    @Property(tries = 100)
    void serializableValues(@ForAll final int x, @ForAll("strings") final String label)
    {
        assertEquals(new Point(x, label), roundTrip(Codecs.serializable(Point.class), new Point(x, label)));
    }

    @Test
    void serializableChecksTheType()
    {
        final Codec<String> strings = Codecs.serializable(String.class);
        final byte[] encoded = new byte[strings.encodedLength("text")];
        final MutableDirectBuffer buffer = Buffers.wrap(encoded);
        strings.encode("text", buffer, 0);
        assertThrows(ClassCastException.class, () -> Codecs.serializable(Point.class).decode(buffer, 0,
            encoded.length));
    }
}
