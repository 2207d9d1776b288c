package dev.larder.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The door lock-free readers pass through, shared by every segment of a cache. It does two jobs:
 * <ol>
 *   <li><b>Close safety.</b> An optimistic reader touches off-heap memory without the segment lock,
 *       so {@link #close()} must not return, and the cache must not free that memory, while any
 *       reader is inside. A reader announces itself ({@link #enter()}), then checks the gate is
 *       open; the closer shuts the gate, then waits until every announced reader has left. Both
 *       sides use sequentially consistent operations, so either the reader sees the gate shut
 *       (and takes the locked path, which fails cleanly on a closed segment) or the closer sees
 *       the reader and waits for it. Readers never block inside the gate, so the wait is short.</li>
 *   <li><b>Statistics.</b> Hits and misses of optimistic reads are counted here, not in the
 *       segment, so a read writes nothing that another core reads or writes.</li>
 * </ol>
 *
 * <h2>Layout</h2>
 * One stripe of counters per thread (by thread id modulo the stripe count), each stripe on its own
 * 128 bytes of a {@code long[]} so two threads never write the same cache line (or the adjacent
 * line the hardware prefetches with it). Stripe {@code s} holds, at {@code (s + 1) * 16}:
 * <pre>
 *   +0 enters   +1 exits (peeks, retries, refusals)   +2 hits   +3 misses   +4..+15 padding
 * </pre>
 * A stripe's readers inside = enters - exits - hits - misses. Two threads that share a stripe stay
 * correct (the counters are atomic); they only share a line.
 */
public final class ReadGate
{
    /** Outcome of a read that leaves the gate: counted as neither hit nor miss. */
    static final int EXIT = 1;
    /** Outcome of a read that leaves the gate: a hit. */
    static final int HIT = 2;
    /** Outcome of a read that leaves the gate: a miss. */
    static final int MISS = 3;

    private static final int ENTERS = 0;
    /** Longs per stripe: 128 bytes. */
    private static final int STRIDE = 16;
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] cells;
    private final int mask;
    private volatile boolean closed;

    /** A gate with a stripe count suited to this machine: 4 per processor, at least 16. */
    public ReadGate()
    {
        this(Math.max(16, Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 4 - 1)) << 1));
    }

    /** @param stripes a power of two */
    public ReadGate(final int stripes)
    {
        if (stripes < 1 || Integer.bitCount(stripes) != 1 || stripes > 1 << 16)
        {
            throw new IllegalArgumentException("stripes must be a power of two from 1 to 65536: stripes=" + stripes);
        }
        this.mask = stripes - 1;
        this.cells = new long[(stripes + 1) * STRIDE];
    }

    /**
     * Announces a reader.
     *
     * @return the reader's stripe, to pass to {@link #exit}; or -1 when the gate is shut (the
     *     reader is already accounted for and must take the locked path)
     */
    int enter()
    {
        @SuppressWarnings("deprecation") // getId: the JDK 17 API; threadId() arrived in 19
        final int stripe = ((int)Thread.currentThread().getId() & mask) * STRIDE + STRIDE;
        CELLS.getAndAdd(cells, stripe + ENTERS, 1L);
        if (closed)
        {
            CELLS.getAndAdd(cells, stripe + EXIT, 1L);
            return -1;
        }
        return stripe;
    }

    /**
     * Lets a reader out.
     *
     * @param stripe  what {@link #enter()} returned
     * @param outcome {@link #EXIT}, {@link #HIT} or {@link #MISS}
     */
    void exit(final int stripe, final int outcome)
    {
        CELLS.getAndAdd(cells, stripe + outcome, 1L);
    }

    /**
     * Shuts the gate without waiting: later readers take the locked path. For a close from inside
     * a callback, whose own operation may be inside; {@link #close()} waits later. Idempotent.
     */
    public void shut()
    {
        closed = true;
    }

    /** Shuts the gate and waits until no reader is inside. Idempotent. */
    public void close()
    {
        closed = true;
        for (int stripe = STRIDE; stripe < cells.length; stripe += STRIDE)
        {
            int spins = 0;
            while (inside(stripe) != 0)
            {
                if (++spins < 1000)
                {
                    Thread.onSpinWait();
                }
                else
                {
                    Thread.yield();
                }
            }
        }
    }

    /** @return true once {@link #close()} has begun. */
    public boolean isClosed()
    {
        return closed;
    }

    /** @return hits counted by readers that passed the gate. */
    public long hits()
    {
        return sum(HIT);
    }

    /** @return misses counted by readers that passed the gate. */
    public long misses()
    {
        return sum(MISS);
    }

    /** @return readers inside now, for tests. */
    long inside()
    {
        long inside = 0;
        for (int stripe = STRIDE; stripe < cells.length; stripe += STRIDE)
        {
            inside += inside(stripe);
        }
        return inside;
    }

    private long inside(final int stripe)
    {
        // leavers first, then enters: a reader counted in neither read cannot be inside
        final long left = (long)CELLS.getVolatile(cells, stripe + EXIT) + (long)CELLS.getVolatile(cells, stripe + HIT) +
            (long)CELLS.getVolatile(cells, stripe + MISS);
        return (long)CELLS.getVolatile(cells, stripe + ENTERS) - left;
    }

    private long sum(final int counter)
    {
        long total = 0;
        for (int stripe = STRIDE; stripe < cells.length; stripe += STRIDE)
        {
            total += (long)CELLS.getVolatile(cells, stripe + counter);
        }
        return total;
    }
}
