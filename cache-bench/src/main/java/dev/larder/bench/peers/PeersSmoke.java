package dev.larder.bench.peers;

/**
 * Checks that every cache under test holds and finds every entry it is given, sized as the
 * benchmarks size it: {@code java <flags> -cp benchmarks.jar dev.larder.bench.peers.PeersSmoke}
 * (flags: see {@link dev.larder.bench.PeersBenchmark}).
 */
public final class PeersSmoke
{
    private PeersSmoke()
    {
    }

    public static void main(final String[] args)
    {
        final int entries = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        for (final String name : Peers.NAMES)
        {
            try (ByteCache cache = Peers.create(name, entries, 100))
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
                System.out.printf("%-11s held %,d of %,d, found %,d%n", name, cache.size(), entries, found);
                if (found != entries)
                {
                    throw new IllegalStateException(name + " lost entries: found " + found + " of " + entries);
                }
            }
        }
    }
}
