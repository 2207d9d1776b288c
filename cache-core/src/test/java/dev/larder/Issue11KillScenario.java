package dev.larder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Run in a forked JVM by {@link Issue11SnapshotKillTest}: rewrites every entry with a new
 * generation and saves, over and over, printing "saved &lt;generation&gt;" after each save returns,
 * until it is killed.
 */
public final class Issue11KillScenario
{
    private Issue11KillScenario()
    {
    }

    /** @param args the snapshot file, the entry count */
    public static void main(final String[] args) throws IOException
    {
        final Path file = Path.of(args[0]);
        final int entries = Integer.parseInt(args[1]);
        try (OffHeapCache cache = OffHeapCache.builder().capacity(16 << 20).segments(16).build())
        {
            for (long generation = 0; ; generation++)
            {
                for (long key = 0; key < entries; key++)
                {
                    cache.put(key, value(generation, key));
                }
                cache.save(file);
                System.out.println("saved " + generation);
                System.out.flush();
            }
        }
    }

    /** @return 100 bytes: the generation, the key, and a check of both */
    static byte[] value(final long generation, final long key)
    {
        return ByteBuffer.allocate(100).putLong(generation).putLong(key).putLong(generation * 1_000_003L ^ key).array();
    }
}
