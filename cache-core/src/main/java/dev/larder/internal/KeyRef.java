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
    /** True for the derived key of a large value's chunk (see {@link LargeValueDescriptor}). */
    private boolean chunk;
    /** For a chunk key: its check ({@link LargeValueDescriptor}). */
    private int chunkCheck;
    /** The value a copying read made; see the class comment. */
    byte[] copy;

    /** What a read that met a large value's head found in it (see {@link LargeValues}). */
    long headGeneration;
    int headValueLength;
    int headChunkLength;
    int headCheck;
    /** This thread's head value to write, made on the first large value. */
    private byte[] head;

    /**
     * The chunks whose heads this thread's operations removed, to remove after the segment lock is
     * released: pairs of (generation, chunk count). Allocated on the first large value only.
     */
    private long[] orphans;
    private int orphanCount;
    /** This thread's key for chunk operations, made on the first large value. */
    private KeyRef chunkKey;
    /** For a chunk key: the key that made it, which collects its orphans; null otherwise. */
    private KeyRef owner;

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

    /**
     * @return this, now the key of the chunk {@code id}: its 8 bytes, with a hash whose low 16 bits
     *     are the id's, so that consecutive chunks go to consecutive segments (at most 65536)
     */
    KeyRef setChunk(final long id, final int check, final KeyHasher hasher)
    {
        final long keyHash = hasher.hash(id) & ~0xFFFFL | id & 0xFFFFL;
        fill(null, id, 0, Long.BYTES, keyHash);
        chunk = true;
        chunkCheck = check;
        return this;
    }

    /** @return a chunk key's check */
    int chunkCheck()
    {
        return chunkCheck;
    }

    private KeyRef fill(final Object source, final long bits, final int offset, final int length, final long hash)
    {
        this.chunk = false;
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

    /** @return true for a chunk's key, which matches chunk records only */
    boolean isChunk()
    {
        return chunk;
    }

    /** @return this thread's array for a head value ({@link LargeValueDescriptor#LENGTH} bytes) */
    byte[] headScratch()
    {
        if (head == null)
        {
            head = new byte[LargeValueDescriptor.LENGTH];
        }
        return head;
    }

    /** @return this thread's key for chunk operations */
    KeyRef chunkKey()
    {
        if (chunkKey == null)
        {
            chunkKey = new KeyRef();
            chunkKey.owner = this;
        }
        return chunkKey;
    }

    /** @return a chunk count and a check in one long, as {@link #addOrphans} takes them */
    static long countAndCheck(final int chunkCount, final int check)
    {
        return (long)chunkCount << 32 | check & 0xFFFFFFFFL;
    }

    /**
     * Notes the chunks of a head that an operation removed, for {@link LargeValues#removeOrphans}.
     *
     * @param countAndCheck see {@link #countAndCheck}
     */
    void addOrphans(final long generation, final long countAndCheck)
    {
        if (owner != null)
        {
            owner.addOrphans(generation, countAndCheck);
            return;
        }
        if (orphans == null)
        {
            orphans = new long[8];
        }
        else if (orphanCount + 2 > orphans.length)
        {
            orphans = java.util.Arrays.copyOf(orphans, orphans.length * 2);
        }
        orphans[orphanCount++] = generation;
        orphans[orphanCount++] = countAndCheck;
    }

    /** @return true when chunks wait to be removed */
    boolean hasOrphans()
    {
        return orphanCount != 0;
    }

    /** @return the generation of the last orphan pair */
    long lastOrphanGeneration()
    {
        return orphans[orphanCount - 2];
    }

    /** @return the chunk count of the last orphan pair */
    int lastOrphanCount()
    {
        return (int)(orphans[orphanCount - 1] >>> 32);
    }

    /** @return the check of the last orphan pair */
    int lastOrphanCheck()
    {
        return (int)orphans[orphanCount - 1];
    }

    /** Forgets the last orphan pair. */
    void dropOrphan()
    {
        orphanCount -= 2;
    }

    /** Forgets every orphan pair. */
    void dropOrphans()
    {
        orphanCount = 0;
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
