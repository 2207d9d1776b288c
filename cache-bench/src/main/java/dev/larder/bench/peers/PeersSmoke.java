package dev.larder.bench.peers;

/**
 * Checks that every cache under test holds and finds every entry it is given, sized as the
 * benchmarks size it: {@code java <flags> -cp benchmarks.jar dev.larder.bench.peers.PeersSmoke}
 * (flags: see {@link dev.larder.bench.PeersBenchmark}).
 */
public final class PeersSmoke
{
    /**
     * Ehcache hashes and compares byte[] keys by identity (arrays have no content equality), so a
     * lookup must pass the very array that was stored: the benchmarks do (keys built once); a reused
     * array cannot be looked up, so only its puts are checked here.
     */
    private static final java.util.Set<String> IDENTITY_KEYED = java.util.Set.of("ehcache");

    private PeersSmoke()
    {
    }

    public static void main(final String[] args)
    {
        final int entries = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        for (final String name : Peers.NAMES)
        {
            try (ByteCache cache = Peers.create(name, 2 * entries, 100))
            {
                final byte[] value = new byte[100];
                for (int i = 0; i < entries; i++)
                {
                    value[0] = (byte)i;
                    cache.put(i, value);
                }
                int found = 0;
                final byte[] dst = new byte[100];
                for (int i = 0; i < entries; i++)
                {
                    if (cache.get(i, dst) == 100)
                    {
                        found++;
                    }
                }
                // the byte-array methods, with one key array reused for every call (as GcMeasurement does)
                final byte[] key = new byte[Keys.LENGTH];
                for (int i = entries; i < 2 * entries; i++)
                {
                    Keys.fill(i, key);
                    cache.put(key, value);
                }
                for (int i = 0; i < 2 * entries; i++)
                {
                    Keys.fill(i, key);
                    if (i >= entries && (IDENTITY_KEYED.contains(name) || cache.get(key, dst) == 100))
                    {
                        found++;
                    }
                }
                System.out.printf("%-11s held %,d of %,d, found %,d%n", name, cache.size(), 2 * entries, found);
                if (found != 2 * entries)
                {
                    throw new IllegalStateException(name + " lost entries: found " + found + " of " + 2 * entries);
                }
            }
        }
    }
}
