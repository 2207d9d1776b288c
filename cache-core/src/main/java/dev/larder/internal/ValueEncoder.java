package dev.larder.internal;

import org.agrona.MutableDirectBuffer;

/**
 * A value source that writes itself into the ring: the typed layer's codec, bound to one value.
 * The segment reserves {@link #encodedLength()} bytes and calls {@link #encode} with a view of them.
 */
public interface ValueEncoder
{
    /** @return the exact number of bytes {@link #encode} writes. */
    int encodedLength();

    /** Writes the value into {@code buffer} from {@code offset}. */
    void encode(MutableDirectBuffer buffer, int offset);
}
