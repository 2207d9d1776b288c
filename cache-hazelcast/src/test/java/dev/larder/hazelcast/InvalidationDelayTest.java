package dev.larder.hazelcast;

import static dev.larder.hazelcast.TestCluster.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.larder.codec.Codecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * After a write through client A completes and its invalidation is delivered to client B, B never
 * returns the old value; and the delay from the write's start to B's invalidation, under load (other
 * threads reading and writing other keys through both near caches), as p50, p99 and max.
 *
 * <p>{@code -Dlarder.hz.delaySamples=N} sets the number of timed writes (default 300), after up to
 * 100 untimed ones;
 * {@code cache-bench/measure.sh scaleout} runs it with more and keeps the printed line.
 */
class InvalidationDelayTest
{
    private static final int KEYS = 16;
    private final TestCluster cluster = TestCluster.get();

    @Test
    void afterTheInvalidationIsDeliveredTheOtherClientNeverReturnsTheOldValue() throws Exception
    {
        cluster.awaitStable();
        final int samples = Integer.getInteger("larder.hz.delaySamples", 300);
        final String name = "delay-" + UUID.randomUUID();
        final int warmUp = Math.min(100, samples); // checked like the others, not timed
        final History history = new History(KEYS, 1, samples + warmUp + 1);
        try (LarderNearCache<Long, String> a = nearCache(cluster.clientA, name);
             LarderNearCache<Long, String> b = nearCache(cluster.clientB, name))
        {
            b.invalidationObserver = history.observer(0);
            // the load: readers and writers on other keys of the same map, through both near caches
            final String loadName = name + "-load";
            final List<LarderNearCache<Long, String>> loadCaches = List.of(
                nearCache(cluster.clientA, loadName), nearCache(cluster.clientB, loadName));
            final ReadWriteRun load = new ReadWriteRun(loadCaches, new History(8, 2, 200_000), 8, false).start(1, 2);
            final long[] delays = new long[samples];
            try
            {
                for (int i = -warmUp; i < samples; i++)
                {
                    final int k = (i + warmUp) % KEYS;
                    final long start = System.nanoTime();
                    final int version = history.beginWrite(k, start);
                    a.put((long)k, History.value(k, version));
                    history.endWrite(k, version, System.nanoTime());
                    awaitTrue("B received the invalidation of key " + k + " version " + version, () ->
                        history.delivered(0, k) >= version);
                    if (i >= 0)
                    {
                        delays[i] = history.deliveredAt(0, k, version) - start;
                    }
                    // the event count stands for "the invalidation of this write arrived" only
                    // while B received no event twice, i.e. never re-registered its listener
                    assertEquals(0, b.stats().lostEventClearCount(), "the cluster was disturbed during the test");
                    assertEquals(History.value(k, version), b.get((long)k), "B returned an old value");
                    assertEquals(History.value(k, version), b.get((long)k), "B returned an old value");
                }
            }
            finally
            {
                load.stop();
                loadCaches.forEach(LarderNearCache::close);
            }
            report(delays);
        }
    }

    private static void report(final long[] delays) throws IOException
    {
        Arrays.sort(delays);
        final double p50 = delays[(int)(delays.length * 0.50)] / 1000.0;
        final double p99 = delays[Math.min(delays.length - 1, (int)(delays.length * 0.99))] / 1000.0;
        final double max = delays[delays.length - 1] / 1000.0;
        final String line = String.format(Locale.ROOT,
            "invalidation delay under load (write start to applied at the other client): n=%d p50=%.0f us " +
            "p99=%.0f us max=%.0f us", delays.length, p50, p99, max);
        System.out.println(line);
        final String json = String.format(Locale.ROOT,
            "{\"samples\": %d, \"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f}%n", delays.length, p50, p99, max);
        Files.writeString(Path.of("target", "invalidation-delay.json"), json);
    }

    private static LarderNearCache<Long, String> nearCache(
        final com.hazelcast.core.HazelcastInstance instance, final String name)
    {
        return LarderNearCache.builder(instance, name, Codecs.longs(), Codecs.utf8())
            .capacity(1 << 20).segments(16).build();
    }
}
