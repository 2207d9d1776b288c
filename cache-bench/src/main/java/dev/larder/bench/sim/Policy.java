package dev.larder.bench.sim;

/**
 * A replacement policy replaying a trace: each access is a hit when the key is cached, otherwise a
 * miss followed by an insert.
 */
public interface Policy extends AutoCloseable
{
    /** @return true on a hit; on a miss the key is inserted. */
    boolean access(long key);

    /** @return the policy's name in reports. */
    String name();

    @Override
    default void close()
    {
    }
}
