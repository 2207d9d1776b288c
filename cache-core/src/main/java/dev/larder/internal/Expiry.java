package dev.larder.internal;

/**
 * Time to live: turns a TTL into the expire-at a record stores, and tells whether a stored
 * expire-at has passed.
 *
 * <h2>Clock</h2>
 * Expire-at counts milliseconds since the cache's creation on its {@code Ticker} (a
 * {@link MillisClock}; by default {@code System.nanoTime}, immune to wall-clock jumps); 0 means
 * never. The record keeps 48 bits of it ({@link EntryDescriptor}): 8,900 years. An entry expires
 * when {@code now >= expireAt}, so a TTL of X ms lasts exactly X ms.
 *
 * <h2>Lazy expiry</h2>
 * Nothing runs in the background: the segment checks the entry it meets (and removes it, counted
 * as an expiration) and eviction reclaims expired entries at the ring's head first. The clock is
 * read only for entries that have an expiry, so a cache without TTLs never reads it on a get.
 *
 * <h2>Concurrency</h2>
 * Stateless apart from the clock; lock-free readers call {@link #isExpired(long)} too. A clock
 * other than the system's is user code, read as a guarded callback ({@link CallbackGuard}).
 */
final class Expiry
{
    private final MillisClock clock;

    Expiry(final MillisClock clock)
    {
        this.clock = clock;
    }

    /** @return milliseconds since the cache's epoch */
    long now()
    {
        return clock.millis();
    }

    /**
     * @param ttlMillis time to live, or 0 for no expiry
     * @return the expire-at of an entry written now, 0 for no expiry
     */
    long expireAt(final long ttlMillis)
    {
        return ttlMillis > 0 ? clock.millis() + ttlMillis : 0;
    }

    /** @return true when an entry with this expire-at has expired; reads the clock only when it has one */
    boolean isExpired(final long expireAt)
    {
        return expireAt != 0 && expireAt <= clock.millis();
    }

    /** @return true when an entry with this expire-at has expired at {@code now} */
    static boolean isExpired(final long expireAt, final long now)
    {
        return expireAt != 0 && expireAt <= now;
    }

    /** @return the remaining time to live in ms, {@link Long#MAX_VALUE} for no expiry */
    long remaining(final long expireAt)
    {
        return expireAt == 0 ? Long.MAX_VALUE : expireAt - clock.millis();
    }
}
