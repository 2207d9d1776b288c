package dev.larder.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;

/**
 * Prints JMH JSON results as a Markdown table (benchmark, parameters, threads, score ± error,
 * bytes allocated per operation when measured with {@code -prof gc}), one row per result, files in
 * the order given: the tables of docs/measurements.md are pasted from it.
 *
 * <pre>
 * java -cp cache-bench/target/benchmarks.jar dev.larder.bench.JmhTable cache-bench/results/hashing-hash.json
 * </pre>
 */
public final class JmhTable
{
    private JmhTable()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        System.out.println("| file | benchmark | parameters | threads | score ± error | B/op |");
        System.out.println("|---|---|---|---|---|---|");
        for (final String arg : args)
        {
            final Path file = Paths.get(arg);
            for (final BenchmarkReport.Result result : BenchmarkReport.readJmh(file))
            {
                final StringBuilder params = new StringBuilder();
                for (final Map.Entry<String, String> param : result.params().entrySet())
                {
                    params.append(params.length() == 0 ? "" : ", ")
                        .append(param.getKey()).append('=').append(param.getValue());
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %d | %s ± %s | %s |%n", file.getFileName(),
                    result.benchmark(), params, result.threads(), number(result.score()), number(result.error()),
                    Double.isNaN(result.allocNorm()) ? "" : String.format(Locale.ROOT, "%.1f", result.allocNorm()));
            }
        }
    }

    private static String number(final double value)
    {
        if (Double.isNaN(value))
        {
            return "n/a";
        }
        return String.format(Locale.ROOT, value >= 1000 ? "%,.0f" : value >= 10 ? "%.1f" : "%.3f", value);
    }
}
