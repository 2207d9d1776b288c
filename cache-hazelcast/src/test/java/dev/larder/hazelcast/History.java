package dev.larder.hazelcast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The self-checking record of a concurrent run: values are {@code "key:version"}; each key has one
 * writer, so its versions reach the map in order, and each near cache receives the key's events in
 * that order (the n-th event of a key announces version n).
 *
 * <h2>The rule checked</h2>
 * A read of key k through near cache c over [start, end] that returned version v is correct when
 * <ol>
 *   <li>version v had been written, or was being written, by {@code end} (nothing from the future),
 *       and the value's key is k; and</li>
 *   <li>v was the map's value at some moment of the read, or its overwriting had not yet been
 *       announced to c: it is wrong only when version v+1's write had ended before {@code start}
 *       <em>and</em> c had applied v+1's invalidation before {@code start}.</li>
 * </ol>
 * Older values are covered by the same rule (v+1 after v is announced after v's own announcement).
 * Version 0 is "absent".
 */
final class History
{
    private final int keys;
    /** Per key: the start and end times of each version's write; index 0 unused. */
    private final long[][] writeStart;
    private final long[][] writeEnd;
    private final int[] latest;
    /** Per near cache, per key: when each event was applied, in order. */
    private final List<List<long[]>> deliveries = new ArrayList<>();
    private final List<int[]> deliveryCounts = new ArrayList<>();

    record Read(int cache, int key, long version, long start, long end)
    {
    }

    History(final int keys, final int caches, final int maxVersions)
    {
        this.keys = keys;
        this.writeStart = new long[keys][maxVersions + 1];
        this.writeEnd = new long[keys][maxVersions + 1];
        this.latest = new int[keys];
        for (int c = 0; c < caches; c++)
        {
            final List<long[]> perKey = new ArrayList<>();
            for (int k = 0; k < keys; k++)
            {
                perKey.add(new long[maxVersions + 1]);
            }
            deliveries.add(perKey);
            deliveryCounts.add(new int[keys]);
        }
    }

    static String value(final int key, final long version)
    {
        return key + ":" + version;
    }

    /** @return the version in {@code value}, checking its key; 0 for null. */
    static long version(final int key, final String value)
    {
        if (value == null)
        {
            return 0;
        }
        final int colon = value.indexOf(':');
        final int valueKey = Integer.parseInt(value.substring(0, colon));
        if (valueKey != key)
        {
            throw new AssertionError("read key " + key + " and got the value of key " + valueKey + ": " + value);
        }
        return Long.parseLong(value.substring(colon + 1));
    }

    /** @return whether another version of {@code key} fits in the record. */
    boolean canWrite(final int key)
    {
        return latest[key] + 1 < writeStart[key].length;
    }

    /** Called by the key's one writer around each write; returns the new version. */
    int beginWrite(final int key, final long now)
    {
        final int version = latest[key] + 1;
        writeStart[key][version] = now;
        writeEnd[key][version] = Long.MAX_VALUE;
        latest[key] = version;
        return version;
    }

    void endWrite(final int key, final int version, final long now)
    {
        writeEnd[key][version] = now;
    }

    int latest(final int key)
    {
        return latest[key];
    }

    /** @return the observer to install as the near cache's {@code invalidationObserver}. */
    Consumer<Object> observer(final int cache)
    {
        return key -> {
            if (key == null)
            {
                throw new AssertionError("no map-wide event is expected in this run");
            }
            final int k = (int)(long)(Long)key;
            final long now = System.nanoTime();
            synchronized (this)
            {
                final int n = ++deliveryCounts.get(cache)[k];
                final long[] times = deliveries.get(cache).get(k);
                if (n < times.length)
                {
                    times[n] = now;
                }
            }
        };
    }

    synchronized int delivered(final int cache, final int key)
    {
        return deliveryCounts.get(cache)[key];
    }

    /** @return when near cache {@code cache} applied the invalidation of {@code version}, or MAX_VALUE. */
    synchronized long deliveredAt(final int cache, final int key, final int version)
    {
        return version <= deliveryCounts.get(cache)[key] ? deliveries.get(cache).get(key)[version] : Long.MAX_VALUE;
    }

    /** @return null when the read obeys the rule, else what is wrong with it. */
    String check(final Read read)
    {
        final int k = read.key();
        final long v = read.version();
        if (v < 0 || v > latest[k] || (v > 0 && writeStart[k][(int)v] > read.end()))
        {
            return read + ": a version not yet written when the read ended";
        }
        final int next = (int)v + 1;
        if (next <= latest[k])
        {
            final long overwritten = writeEnd[k][next];
            final long announced = deliveredAt(read.cache(), k, next);
            if (overwritten < read.start() && announced < read.start())
            {
                return read + ": version " + next + " was written (ended " + (read.start() - overwritten) +
                    " ns before the read began) and announced to this near cache " + (read.start() - announced) +
                    " ns before the read began";
            }
        }
        return null;
    }

    /** @return the violations among {@code reads}, at most 10 described. */
    List<String> violations(final List<Read> reads)
    {
        final List<String> found = new ArrayList<>();
        for (final Read read : reads)
        {
            final String problem = check(read);
            if (problem != null && found.size() < 10)
            {
                found.add(problem);
            }
        }
        return found;
    }

    /** @return the reads that returned an overwritten version (allowed: not yet announced). */
    long staleButAllowed(final List<Read> reads)
    {
        return reads.stream().filter(r -> {
            final int next = (int)r.version() + 1;
            return next <= latest[r.key()] && writeEnd[r.key()][next] < r.start();
        }).count();
    }

    @Override
    public String toString()
    {
        return "History{keys=" + keys + ", latest=" + Arrays.toString(latest) + "}";
    }
}
