package dev.larder;

/**
 * A source of nanoseconds for expiry, like Caffeine's {@code Ticker}. Only differences between
 * readings matter; the default is {@link System#nanoTime()}, which wall-clock changes do not move.
 * Tests inject a fake ticker to move time by hand.
 */
@FunctionalInterface
public interface Ticker
{
    /** @return the current reading in nanoseconds. */
    long read();

    /** @return the system's monotonic ticker. */
    static Ticker systemTicker()
    {
        return System::nanoTime;
    }
}
