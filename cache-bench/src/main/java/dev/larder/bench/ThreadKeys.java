package dev.larder.bench;

import dev.larder.bench.peers.ByteCache;

/**
 * One benchmark thread's key stream and buffers, and the three operations that
 * {@link PeersBenchmark} and {@link PolicyPairBenchmark} measure with them: a key costs one array
 * read ({@link KeyStream}), a value is written from and read into this thread's arrays. Their
 * per-thread states extend this class, so the operations are the same code in both.
 */
public abstract class ThreadKeys
{
    int[] indexes;
    int next;
    byte[] value;
    byte[] dst;

    /** Draws the stream and makes the buffers; called from the state's trial setup. */
    final void init(final String distribution, final int entries, final int valueSize, final long seed)
    {
        indexes = KeyStream.draw(distribution, entries, 0.99, seed);
        value = new byte[valueSize];
        dst = new byte[valueSize];
    }

    final int nextKey()
    {
        final int key = indexes[next];
        next = (next + 1) & (KeyStream.SIZE - 1);
        return key;
    }

    final int get(final ByteCache store)
    {
        return store.get(nextKey(), dst);
    }

    final void put(final ByteCache store)
    {
        store.put(nextKey(), value);
    }

    /** 90% reads, 10% writes: every tenth draw is a put. */
    final int mixed(final ByteCache store)
    {
        final int key = nextKey();
        if (next % 10 == 0)
        {
            store.put(key, value);
            return 0;
        }
        return store.get(key, dst);
    }
}
