package dev.larder.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints the table of docs/benchmarks.md "The adaptive policy's cost": for each operation, working
 * set and thread count of {@code measure.sh policy}'s JMH results, {@code larder} (ADAPTIVE) beside
 * {@code larder-second-chance} from the same run, as JMH reports them (mean ± 99.9% error over
 * all forks) and fork by fork. On a shared machine a fork can run at half speed from start to end
 * (another tenant, or the scheduler moving a thread), which widens the errors and moves the means;
 * interference only slows a fork down, so the ratio of the best forks is printed beside the ratio
 * of the means.
 *
 * <pre>
 * java -cp cache-bench/target/benchmarks.jar dev.larder.bench.PolicyTable \
 *     cache-bench/results/policy-after-t1.json cache-bench/results/policy-after-t2.json
 * </pre>
 */
public final class PolicyTable
{
    static final Pattern BLOCK_BENCHMARK = Pattern.compile("\"benchmark\"\\s*:\\s*\"[^\"]*\\.([^\".]+)\"");
    static final Pattern THREADS = Pattern.compile("\"threads\"\\s*:\\s*(\\d+)");
    private static final Pattern CACHE = Pattern.compile("\"cache\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern WORKING_SET = Pattern.compile("\"workingSet\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern SCORE = Pattern.compile("(?s)\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*" +
        "([-0-9.eE]+)\\s*,\\s*\"scoreError\"\\s*:\\s*([-0-9.eE]+|\"NaN\")");
    static final Pattern RAW =
        Pattern.compile("(?s)\"primaryMetric\".*?\"rawData\"\\s*:\\s*\\[(.*?)\\]\\s*\\]");
    static final Pattern ALLOC = Pattern.compile(
        "(?s)\"gc.alloc.rate.norm\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([-0-9.eE]+)");

    /** One JMH result: mean, error, each fork's mean, bytes allocated per operation. */
    record Run(double score, double error, List<Double> forks, double allocNorm)
    {
        double bestFork()
        {
            return forks.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private PolicyTable()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        // key: op | working set | threads, then cache -> run
        final Map<String, Map<String, Run>> rows = new LinkedHashMap<>();
        for (final String arg : args)
        {
            read(Paths.get(arg), rows);
        }
        System.out.println("| op | working set | threads | ADAPTIVE ops/s | SECOND_CHANCE ops/s | " +
            "ADAPTIVE / SECOND_CHANCE (means) | forks: ADAPTIVE | forks: SECOND_CHANCE | best fork / best fork | " +
            "ADAPTIVE B/op |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (final Map.Entry<String, Map<String, Run>> row : rows.entrySet())
        {
            final Run adaptive = row.getValue().get("larder");
            final Run secondChance = row.getValue().get("larder-second-chance");
            if (adaptive == null || secondChance == null)
            {
                continue;
            }
            System.out.printf(Locale.ROOT, "| %s | %s ± %s | %s ± %s | %.2f | %s | %s | %.2f | %.3f |%n",
                row.getKey(), number(adaptive.score()), number(adaptive.error()), number(secondChance.score()),
                number(secondChance.error()), adaptive.score() / secondChance.score(), forks(adaptive),
                forks(secondChance), adaptive.bestFork() / secondChance.bestFork(), adaptive.allocNorm());
        }
    }

    private static void read(final Path file, final Map<String, Map<String, Run>> rows) throws IOException
    {
        final String json = Files.readString(file, StandardCharsets.UTF_8);
        for (final String block : json.split("\\n    \\{"))
        {
            final String op = first(BLOCK_BENCHMARK, block);
            if (op == null)
            {
                continue;
            }
            final Matcher score = SCORE.matcher(block);
            if (!score.find())
            {
                throw new IllegalArgumentException("no primary metric in a result of " + file);
            }
            final String error = score.group(2);
            final List<Double> forks = new ArrayList<>();
            final String raw = first(RAW, block);
            if (raw != null)
            {
                for (final double[] fork : PolicyPairTable.forks(raw))
                {
                    forks.add(Arrays.stream(fork).average().orElse(0));
                }
            }
            final String alloc = first(ALLOC, block);
            final String key = op + " | " + first(WORKING_SET, block) + " | " + first(THREADS, block);
            rows.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(first(CACHE, block),
                new Run(Double.parseDouble(score.group(1)),
                    error.contains("NaN") ? Double.NaN : Double.parseDouble(error), forks,
                    alloc == null ? Double.NaN : Double.parseDouble(alloc)));
        }
    }

    static String first(final Pattern pattern, final String text)
    {
        final Matcher matcher = pattern.matcher(text);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String forks(final Run run)
    {
        final StringBuilder text = new StringBuilder();
        for (final double fork : run.forks())
        {
            text.append(text.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1fM", fork / 1e6));
        }
        return text.toString();
    }

    private static String number(final double value)
    {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%,.0f", value);
    }
}
