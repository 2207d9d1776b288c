package dev.larder;

/**
 * How a cache hashes its keys. The hash picks a key's segment and its home slot in that segment's
 * index, so a key set whose hashes collide piles up in one place. Keys often come from outside
 * (user ids, URLs, search terms), so the default is a keyed pseudorandom function whose key is
 * drawn per cache from a {@link java.security.SecureRandom}: without that key nobody can compute
 * which keys collide. Whatever the hash, every key sits within
 * {@value dev.larder.internal.IndexDescriptor#MAX_DISPLACEMENT} slots of its home slot, so no
 * lookup ever scans more than that many slots (see docs/design.md, "Hashing and flooding").
 */
public enum HashFunction
{
    /**
     * SipHash-1-3 (one compression and three finalization rounds), keyed with 128 random bits per
     * cache: the hash Rust's standard hash map uses against hash flooding. The default. It costs a
     * few nanoseconds more per key than {@link #FAST_TRUSTED_KEYS} (docs/measurements.md).
     */
    SIPHASH_1_3,

    /**
     * A seeded multiply-rotate hash in the style of xxHash64: the fastest choice, with a good
     * spread for ordinary keys, but <b>not</b> a keyed pseudorandom function: families of keys that
     * collide under every seed can be built (docs/design.md shows one). Choose it only when no
     * attacker can choose the keys (internal ids, for example). Even then a colliding family cannot
     * stall a segment, since probes are bounded, but it crowds its region of the index and evicts
     * entries there early ({@link CacheStats#collisionEvictionCount()}).
     */
    FAST_TRUSTED_KEYS
}
