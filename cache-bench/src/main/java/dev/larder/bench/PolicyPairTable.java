package dev.larder.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Prints the paired table of docs/benchmarks.md "The adaptive policy's cost" from
 * {@link PolicyPairBenchmark}'s JSON: per operation, working set and thread count, the mean of the
 * iterations of {@code cache} (ADAPTIVE by default) and of {@code against} (SECOND_CHANCE), and the
 * ratio of each iteration to its neighbour (cache / against): their geometric mean, which cancels a steady drift (half
 * the pairs run ADAPTIVE first), with an approximate 95% interval (neighbouring ratios share an
 * iteration, so they count as half as many independent ones), their median, and the share of pairs
 * within 10%.
 *
 * <pre>
 * java -cp cache-bench/target/benchmarks.jar dev.larder.bench.PolicyPairTable pairs-t1.json pairs-t2.json
 * </pre>
 */
public final class PolicyPairTable
{
    private static final Pattern WARMUP_ITERATIONS = Pattern.compile("\"warmupIterations\"\\s*:\\s*(\\d+)");
    private static final Pattern CACHE = Pattern.compile("\"cache\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern AGAINST = Pattern.compile("\"against\"\\s*:\\s*\"([^\"]+)\"");

    /** What one row shows, from the iterations of all forks of one benchmark. */
    record Pairs(double firstMean, double secondMean, double geometricMean, double low, double high, double median,
        double withinTenPercent, int perMode)
    {
    }

    private PolicyPairTable()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        System.out.println("| op | working set | threads | cache / against | cache ops/s (mean of iterations) | " +
            "against ops/s | ratio of means | ratio of neighbours: geometric mean [95% interval] | " +
            "median | pairs within 10% | iterations per cache | B/op, both |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (final String arg : args)
        {
            final String json = Files.readString(Paths.get(arg), StandardCharsets.UTF_8);
            for (final String block : json.split("\\n    \\{"))
            {
                final String op = PolicyTable.first(PolicyTable.BLOCK_BENCHMARK, block);
                final String raw = PolicyTable.first(PolicyTable.RAW, block);
                if (op == null || raw == null)
                {
                    continue;
                }
                final int warmups = Integer.parseInt(PolicyTable.first(WARMUP_ITERATIONS, block));
                final Pairs pairs = pairs(forks(raw), warmups);
                final String alloc = PolicyTable.first(PolicyTable.ALLOC, block);
                System.out.printf(Locale.ROOT,
                    "| %s | %s | %s | %s / %s | %,.0f | %,.0f | %.2f | %.2f [%.2f, %.2f] | %.2f | %.0f%% | %d | %s |%n",
                    op, PolicyTable.first(PolicyTable.WORKING_SET, block),
                    PolicyTable.first(PolicyTable.THREADS, block),
                    PolicyTable.first(CACHE, block), PolicyTable.first(AGAINST, block),
                    pairs.firstMean(), pairs.secondMean(), pairs.firstMean() / pairs.secondMean(),
                    pairs.geometricMean(),
                    pairs.low(), pairs.high(), pairs.median(), 100 * pairs.withinTenPercent(), pairs.perMode(),
                    alloc == null ? "n/a" : String.format(Locale.ROOT, "%.3f", Double.parseDouble(alloc)));
            }
        }
    }

    /** @return each fork's iteration scores from a JMH {@code rawData} array's inside */
    static List<double[]> forks(final String raw)
    {
        final List<double[]> forks = new ArrayList<>();
        for (final String fork : raw.split("\\]\\s*,"))
        {
            forks.add(Arrays.stream(fork.replace("[", "").replace("]", "").split(","))
                .filter(value -> !value.isBlank()).mapToDouble(value -> Double.parseDouble(value.trim())).toArray());
        }
        return forks;
    }

    /**
     * @param warmups warm-up iterations per fork: measured iteration {@code i} ran the first cache
     *     when {@code warmups + i} is even
     */
    static Pairs pairs(final List<double[]> forks, final int warmups)
    {
        final List<Double> first = new ArrayList<>();
        final List<Double> second = new ArrayList<>();
        final List<Double> neighbours = new ArrayList<>();
        for (final double[] scores : forks)
        {
            for (int i = 0; i < scores.length; i++)
            {
                (isFirst(warmups, i) ? first : second).add(scores[i]);
                if (i + 1 < scores.length)
                {
                    final double ratio = isFirst(warmups, i) ? scores[i] / scores[i + 1] : scores[i + 1] / scores[i];
                    neighbours.add(Math.log(ratio));
                }
            }
        }
        final double meanLog = mean(neighbours);
        double squares = 0;
        for (final double value : neighbours)
        {
            squares += (value - meanLog) * (value - meanLog);
        }
        final double independent = Math.max(1, neighbours.size() / 2.0);
        final double half = 1.96 * Math.sqrt(squares / Math.max(1, neighbours.size() - 1) / independent);
        final double[] sorted = neighbours.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2] :
            (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        final long within = neighbours.stream().filter(value -> Math.abs(Math.exp(value) - 1) <= 0.10).count();
        return new Pairs(mean(first), mean(second), Math.exp(meanLog), Math.exp(meanLog - half),
            Math.exp(meanLog + half), Math.exp(median), (double)within / neighbours.size(),
            Math.min(first.size(), second.size()));
    }

    private static boolean isFirst(final int warmups, final int iteration)
    {
        return (warmups + iteration) % 2 == 0;
    }

    private static double mean(final List<Double> values)
    {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
