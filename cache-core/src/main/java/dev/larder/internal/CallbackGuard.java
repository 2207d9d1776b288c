package dev.larder.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps user code that the cache runs from harming it, and owns the cache's closed state. One per
 * cache, shared by its segments. User code here means the callbacks that run while the cache holds
 * a segment lock or is inside the {@link ReadGate}: removal listeners, {@code ValueReader}s, compute
 * functions, codecs reading or writing the ring, and a user-supplied {@code Ticker}; plus codecs
 * decoding for iteration. It guards against two misuses:
 * <ol>
 *   <li><b>Calling the cache from a callback.</b> The call could deadlock (a callback holding one
 *       segment waits for another whose holder waits for the first) or change a segment in the
 *       middle of an operation. Every entry point calls {@link #checkCaller()} before it takes a
 *       lock or enters the gate; it throws {@link IllegalStateException} when the calling thread is
 *       inside one of this cache's callbacks, whatever the segment.</li>
 *   <li><b>Closing the cache from a callback.</b> The operation that ran the callback still uses
 *       the memory, and a close that waited for it would wait for itself. {@link #closeFromCallback()}
 *       marks the cache closed at once (every later call throws) and defers the free: when the
 *       callback returns, {@link #afterCallback} ends the operation with an
 *       {@link IllegalStateException}, and the operation's last step, {@link #endOperation()}, which
 *       runs once no memory is touched any more, frees the memory.</li>
 * </ol>
 *
 * <h2>Cost</h2>
 * Entry points are the hot path, so {@link #checkCaller()} must not look up a {@link ThreadLocal}
 * on every call. A callback announces itself twice: in its thread's {@link Scope} (a thread-local,
 * looked up once per callback) and in a striped count of callbacks running on the threads of each
 * stripe (by thread id, as in {@link ReadGate}; each stripe on its own 128 bytes). The check reads
 * the caller's stripe, which no other thread writes unless it shares the stripe, and looks the
 * scope up only when the count is non-zero. A thread always sees its own increments, so the check
 * never misses a callback of the calling thread; a callback of another thread on the same stripe
 * costs only the lookup. Callbacks pay a lookup and two atomic adds on their own stripe.
 *
 * <h2>Ticker</h2>
 * The system ticker is trusted and runs unguarded. A user-supplied ticker is read through
 * {@link #guardedClock}, so it is a callback like the others, at the cost of a lookup per reading
 * for those users only. It is the one callback that runs inside the gate (a lock-free read asks it
 * whether the entry has expired), so the lock-free read catches the exception that ends the
 * operation, leaves the gate, then calls {@link #endOperation()}.
 *
 * <h2>Close</h2>
 * {@link #markClosed()} decides, once, which close frees the memory; the cache registers how with
 * {@link #onDeferredFree}. The closed flag is volatile: every operation reads it under its lock
 * ({@code ensureOpen}), and the freeing close waits for each lock after setting it, so an
 * operation either sees it or has finished before the memory goes.
 */
public final class CallbackGuard
{
    /** Names of the callbacks, as messages show them ({@link #ITERATION} is the API package's). */
    static final String LISTENER = "RemovalListener";
    static final String READER = "ValueReader or Codec.decode";
    static final String REMAPPER = "compute function";
    static final String ENCODER = "Codec.encode";
    static final String TICKER = "Ticker";
    public static final String ITERATION = "Codec.decode";

    /** Longs per stripe: 128 bytes. */
    private static final int STRIDE = 16;
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] cells;
    private final int mask;
    private final ThreadLocal<Scope> scopes = ThreadLocal.withInitial(Scope::new);
    private volatile boolean closed;
    private volatile Runnable deferredFree;

    /** What one thread is doing inside this cache's callbacks. */
    public static final class Scope
    {
        private int depth;
        private String running;
        /** True from a close() in a callback until the memory is freed. */
        private boolean closedHere;
        private String closedBy;

        private Scope()
        {
        }
    }

    /** A guard with a stripe count suited to this machine, as {@link ReadGate#ReadGate()}. */
    public CallbackGuard()
    {
        final int stripes = Math.max(16,
            Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() * 4 - 1)) << 1);
        this.mask = stripes - 1;
        this.cells = new long[(stripes + 1) * STRIDE];
    }

    // ----------------------------------------------------------------------------------------------
    // Callers
    // ----------------------------------------------------------------------------------------------

    /**
     * Refuses a call into the cache from one of its own callbacks; entry points call it before they
     * take a lock or enter the gate.
     *
     * @throws IllegalStateException when the calling thread is inside a callback of this cache
     */
    public void checkCaller()
    {
        if ((long)CELLS.getOpaque(cells, stripe()) != 0)
        {
            final Scope scope = scopes.get();
            if (scope.depth > 0)
            {
                throw new IllegalStateException("the cache must not be called from its own callbacks: callback=" +
                    scope.running);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Callbacks
    // ----------------------------------------------------------------------------------------------

    /**
     * Marks the calling thread as running a callback; pair with {@link #exit} in a {@code finally}.
     *
     * @param callback the callback's name, one of the constants above
     * @return the thread's scope, for {@link #exit} and {@link #afterCallback}
     */
    public Scope enter(final String callback)
    {
        final Scope scope = scopes.get();
        if (scope.depth++ == 0)
        {
            scope.running = callback;
        }
        CELLS.getAndAdd(cells, stripe(), 1L);
        return scope;
    }

    /** Ends a callback begun by {@link #enter}; never throws. */
    public void exit(final Scope scope)
    {
        CELLS.getAndAdd(cells, stripe(), -1L);
        if (--scope.depth == 0)
        {
            scope.running = null;
        }
    }

    /**
     * Called when a callback has returned normally: ends the operation if the callback closed the
     * cache, so that the operation does no more work on a closed cache.
     *
     * @throws IllegalStateException when the callback closed the cache
     */
    public void afterCallback(final Scope scope)
    {
        if (scope.closedHere && scope.depth == 0)
        {
            throw new IllegalStateException("cache is closed: close() was called from one of its callbacks during " +
                "this call: callback=" + scope.closedBy);
        }
    }

    /**
     * Wraps a user-supplied clock so that reading it is a {@link #TICKER} callback.
     *
     * @param clock reads the user's ticker
     * @return the guarded clock
     */
    public MillisClock guardedClock(final MillisClock clock)
    {
        return () ->
        {
            final Scope scope = enter(TICKER);
            final long millis;
            try
            {
                millis = clock.millis();
            }
            finally
            {
                exit(scope);
            }
            afterCallback(scope);
            return millis;
        };
    }

    // ----------------------------------------------------------------------------------------------
    // Close
    // ----------------------------------------------------------------------------------------------

    /** @return true once the cache is closed, freed or not. */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Closes the cache, once.
     *
     * @return true for the one call that closed it, which must see that the memory is freed
     */
    public synchronized boolean markClosed()
    {
        if (closed)
        {
            return false;
        }
        closed = true;
        return true;
    }

    /**
     * A close() from inside a callback: marks the cache closed and leaves the free to the end of
     * the operation that runs the callback.
     *
     * @return false when the calling thread is not inside a callback (the caller frees at once)
     */
    public boolean closeFromCallback()
    {
        if ((long)CELLS.getOpaque(cells, stripe()) == 0)
        {
            return false;
        }
        final Scope scope = scopes.get();
        if (scope.depth == 0)
        {
            return false;
        }
        if (markClosed())
        {
            scope.closedHere = true;
            scope.closedBy = scope.running;
        }
        return true;
    }

    /** @param free frees the cache's memory; run by the operation whose callback closed it */
    public void onDeferredFree(final Runnable free)
    {
        this.deferredFree = free;
    }

    /**
     * The last step of every operation, once it touches no more memory (under its lock, or after
     * leaving the gate): frees the memory if one of this thread's callbacks closed the cache
     * during the operation. One volatile read while the cache is open.
     */
    public void endOperation()
    {
        if (closed)
        {
            final Scope scope = scopes.get();
            if (scope.closedHere && scope.depth == 0)
            {
                scope.closedHere = false;
                final Runnable free = deferredFree;
                if (free != null)
                {
                    free.run();
                }
            }
        }
    }

    private int stripe()
    {
        @SuppressWarnings("deprecation") // getId: the JDK 17 API; threadId() arrived in 19
        final int stripe = ((int)Thread.currentThread().getId() & mask) * STRIDE + STRIDE;
        return stripe;
    }
}
