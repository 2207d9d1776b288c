package dev.larder.internal;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * The key of one operation, in any of the three forms the API takes, with its hash: a range of a
 * {@code byte[]}, a {@code long} (the 8 bytes of its big-endian encoding, so {@code get(42L)} finds
 * what {@code put(bigEndianBytesOf(42L), v)} stored), or a range of an Agrona {@link DirectBuffer}.
 * The engine takes this one reference where it would otherwise take five arguments (hash, source,
 * long bits, offset, length), and dispatches on the form only where bytes are compared or copied.
 *
 * <h2>Concurrency</h2>
 * Thread-confined and reused: each cache keeps one per thread (the typed cache one per thread in
 * its scratch), so an operation allocates nothing for its key. The entry point refuses a caller
 * inside one of the cache's callbacks before it fills the reference (see {@link CallbackGuard}), so
 * a callback cannot overwrite the key of the operation that runs it; and the hash is computed
 * before any field is written, so a key buffer whose code calls the cache cannot either.
 *
 * <h2>Result</h2>
 * A copying read that runs lock-free leaves the array it made in {@link #copy} for its caller to
 * {@link #takeCopy() take}: a field of this thread's reference rather than a second return value.
 */
public final class KeyRef
{
    private static final boolean NATIVE_BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    /** A {@code byte[]}, a {@link DirectBuffer}, or null for the long key in {@link #bits}. */
    private Object source;
    private long bits;
    private int offset;
    private int length;
    private long hash;
    /** The value a copying read made; see the class comment. */
    byte[] copy;

    /** @return this, now the {@code length} bytes of {@code key} from {@code offset} */
    public KeyRef set(final byte[] key, final int offset, final int length, final KeyHasher hasher)
    {
        final long keyHash = hasher.hash(key, offset, length);
        return fill(key, 0, offset, length, keyHash);
    }

    /** @return this, now the 8-byte big-endian encoding of {@code key} */
    public KeyRef set(final long key, final KeyHasher hasher)
    {
        final long keyHash = hasher.hash(key);
        return fill(null, key, 0, Long.BYTES, keyHash);
    }

    /** @return this, now the {@code length} bytes of {@code key} from {@code offset} */
    public KeyRef set(final DirectBuffer key, final int offset, final int length, final KeyHasher hasher)
    {
        final long keyHash = hasher.hash(key, offset, length);
        return fill(key, 0, offset, length, keyHash);
    }

    private KeyRef fill(final Object source, final long bits, final int offset, final int length, final long hash)
    {
        this.source = source;
        this.bits = bits;
        this.offset = offset;
        this.length = length;
        this.hash = hash;
        return this;
    }

    /** @return the key's 64-bit hash: its low bits pick the segment, its high 32 bits are the tag */
    public long hash()
    {
        return hash;
    }

    /** @return the index tag: the hash's high 32 bits */
    int tag()
    {
        return (int)(hash >>> 32);
    }

    /** @return the key's length in bytes */
    public int length()
    {
        return length;
    }

    /** @return true when the {@link #length()} bytes of {@code memory} at {@code index} are this key's */
    boolean matches(final Memory memory, final int index)
    {
        if (source instanceof byte[])
        {
            return memory.contentEquals(index, (byte[])source, offset, length);
        }
        if (source == null)
        {
            return memory.getLong(index) == storedLong(bits);
        }
        return memory.contentEquals(index, (DirectBuffer)source, offset, length);
    }

    /** Writes the key's bytes to {@code memory} at {@code index}. */
    void writeTo(final Memory memory, final int index)
    {
        if (source instanceof byte[])
        {
            memory.putBytes(index, (byte[])source, offset, length);
        }
        else if (source == null)
        {
            memory.putLong(index, storedLong(bits));
        }
        else
        {
            memory.putBytes(index, (DirectBuffer)source, offset, length);
        }
    }

    /** @return the array a copying read left here, which is forgotten */
    byte[] takeCopy()
    {
        final byte[] value = copy;
        copy = null;
        return value;
    }

    /** @return the native-order word whose bytes are the big-endian encoding of {@code key}. */
    private static long storedLong(final long key)
    {
        return NATIVE_BIG_ENDIAN ? key : Long.reverseBytes(key);
    }
}
