package dev.larder.internal;

/**
 * Where {@link WindowShadows} reads a key's estimated frequency: the engine answers from the
 * {@link FrequencySketch} of the segment that owns the hash, as the cache's own admission does.
 */
@FunctionalInterface
interface FrequencySource
{
    /** @return the estimated frequency of the key with this keyed hash, 0 to 15 */
    int frequency(long hash);
}
