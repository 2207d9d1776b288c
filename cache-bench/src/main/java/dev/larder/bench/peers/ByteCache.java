package dev.larder.bench.peers;

/**
 * One cache under test, seen through byte-array keys and values so that no cache pays for a codec
 * the others skip. Keys are addressed by index: each adapter builds its own key objects up front
 * (the raw 16-byte arrays for off-heap caches, content-comparing wrappers for on-heap maps), so no
 * key is allocated while measuring.
 */
public interface ByteCache extends AutoCloseable
{
    /** Stores {@code value} under key number {@code key}. */
    void put(int key, byte[] value);

    /**
     * Reads key number {@code key} the way the cache reads best: into {@code dst} for Larder, as a
     * reference for on-heap maps, as a fresh copy where the API only offers that.
     *
     * @return the value's length, or -1 when absent
     */
    int get(int key, byte[] dst);

    /** Stores {@code value} under {@code key}; the cache keeps its own copy of the key. */
    void put(byte[] key, byte[] value);

    /** Reads {@code key}; see {@link #get(int, byte[])}. */
    int get(byte[] key, byte[] dst);

    /**
     * Reads {@code key} as a request would: the cache hashes the key's bytes and compares them with
     * the stored key's (an on-heap map gets a new key object with equal content, never the stored
     * one), and the value ends up in the caller's {@code dst} from index 0 when it fits.
     *
     * @return the value's length, or -1 when absent
     */
    int getInto(byte[] key, byte[] dst);

    /** @return entries held. */
    long size();

    /**
     * @return off-heap bytes the cache reports it uses (its own accounting), 0 for on-heap maps, -1
     *     when the cache does not say
     */
    long offHeapBytes();

    @Override
    void close();
}
