package dev.larder.examples;

import dev.larder.Cache;
import dev.larder.OffHeapCache;
import dev.larder.codec.Codecs;
import java.util.ArrayList;
import java.util.List;

/**
 * Atomic read-modify-write of one key: counters incremented from several threads without losing one.
 */
public final class ComputeExample
{
    private ComputeExample()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        try (Cache<String, Long> counters = OffHeapCache.builder().capacity(16L << 20)
            .build(Codecs.utf8(), Codecs.longs()))
        {
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                threads.add(new Thread(() -> {
                    for (int i = 0; i < 10_000; i++)
                    {
                        counters.compute("page:/home", (key, old) -> old == null ? 1L : old + 1);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (final Thread thread : threads)
            {
                thread.join();
            }
            System.out.println("page:/home views = " + counters.get("page:/home") + " (4 threads x 10,000)");

            // returning null removes; returning the current value keeps the entry untouched
            counters.compute("page:/home", (key, old) -> old >= 40_000 ? null : old);
            System.out.println("after reset: " + counters.get("page:/home"));
        }
    }
}
