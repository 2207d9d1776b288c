package dev.larder.hazelcast.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One map read in flight for one key: made before the read, in the near cache's reservation table
 * while the read runs. An invalidation of the key removes it from the table; a clear or lost events
 * move the near cache to a new epoch. The value read is published into the local cache only while
 * this very reservation is still in the table and the epoch is still {@link #epoch}. Threads that
 * miss the same key meanwhile wait on {@link #result} instead of reading the map again.
 */
public final class Reservation
{
    /** The near cache's epoch when this reservation was made. */
    public final long epoch;
    /** The value read (null: no entry), or the read's failure. */
    public final CompletableFuture<Object> result = new CompletableFuture<>();

    public Reservation(final long epoch)
    {
        this.epoch = epoch;
    }

    /**
     * Waits for the read, for a thread that missed the same key meanwhile.
     *
     * @return the value read (null: no entry)
     * @throws RuntimeException the read's failure, as thrown to the reader (an {@code Error} too)
     */
    public Object join()
    {
        try
        {
            return result.join();
        }
        catch (final CompletionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException)
            {
                throw (RuntimeException)cause;
            }
            if (cause instanceof Error)
            {
                throw (Error)cause;
            }
            throw ex;
        }
    }
}
