package dev.larder;

/**
 * {@link System#nanoTime()} as a {@link Ticker}: one instance, so that the builder can tell the
 * trusted system ticker from user code (which it reads as a guarded callback).
 */
enum SystemTicker implements Ticker
{
    INSTANCE;

    @Override
    public long read()
    {
        return System.nanoTime();
    }
}
