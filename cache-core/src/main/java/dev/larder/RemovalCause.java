package dev.larder;

/** Why an entry left the cache, as told to a {@link RemovalListener}. */
public enum RemovalCause
{
    /** Removed by {@code remove} or by a {@code compute} that returned null. */
    EXPLICIT,
    /** Its value was replaced by a put, replace or compute. */
    REPLACED,
    /** Its time to live ran out (noticed on access or by eviction). */
    EXPIRED,
    /** Evicted to make room. */
    EVICTED,
    /** Removed by {@code clear()}. */
    CLEARED;

    /** @return true when the cache, not the caller, removed the entry (expiry or eviction). */
    public boolean wasEvicted()
    {
        return this == EXPIRED || this == EVICTED;
    }
}
