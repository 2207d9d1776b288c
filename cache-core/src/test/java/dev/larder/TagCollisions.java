package dev.larder;

import dev.larder.internal.KeyHasher;
import java.util.HashMap;
import java.util.Map;

/** Finds long keys whose hashes share the 32-bit index tag, so probe chains must compare keys. */
final class TagCollisions
{
    private TagCollisions()
    {
    }

    /** @return two distinct keys with the same tag under {@code seed} (birthday search). */
    static long[] find(final long seed)
    {
        final KeyHasher hasher = KeyHasher.seeded(HashFunction.FAST_TRUSTED_KEYS, seed);
        final Map<Integer, Long> seen = new HashMap<>();
        for (long key = 0; ; key++)
        {
            final int tag = (int)(hasher.hash(key) >>> 32);
            final Long previous = seen.putIfAbsent(tag, key);
            if (previous != null)
            {
                return new long[] {previous, key};
            }
        }
    }
}
