package dev.larder;

/**
 * A source of nanoseconds for expiry, like Caffeine's {@code Ticker}. Only differences between
 * readings matter; the default is {@link System#nanoTime()}, which wall-clock changes do not move.
 * Tests inject a fake ticker to move time by hand.
 *
 * <p>A ticker other than {@link #systemTicker()} is a callback: the cache may read it under a
 * segment lock or during a lock-free read, so it must not call the cache (that throws
 * {@code IllegalStateException}); see {@link OffHeapCache} on callbacks.
 */
@FunctionalInterface
public interface Ticker
{
    /** @return the current reading in nanoseconds. */
    long read();

    /** @return the system's monotonic ticker; always the same instance. */
    static Ticker systemTicker()
    {
        return SystemTicker.INSTANCE;
    }
}
