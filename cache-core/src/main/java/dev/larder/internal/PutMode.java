package dev.larder.internal;

/** What a put does about the key's current entry. */
public enum PutMode
{
    /** Store whether or not the key has a live entry. */
    PUT,
    /** Store only when the key has no live entry. */
    PUT_IF_ABSENT,
    /** Store only when the key has a live entry. */
    REPLACE;

    /** @return true when a put in this mode goes ahead, given whether the key has a live entry */
    boolean appliesTo(final boolean present)
    {
        return present ? this != PUT_IF_ABSENT : this != REPLACE;
    }
}
