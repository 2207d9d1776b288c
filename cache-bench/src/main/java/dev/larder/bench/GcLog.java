package dev.larder.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a unified GC log ({@code -Xlog:gc}, default decorations: uptime first) and prints the pause
 * distribution: count, total, p50, p99 and max of the lines that report a pause ("Pause Young ...
 * 12.345ms"), counting only pauses that start at or after an uptime.
 *
 * <pre>
 * java -cp cache-bench/target/benchmarks.jar dev.larder.bench.GcLog gc.log [label] [after-seconds]
 * </pre>
 */
public final class GcLog
{
    private static final Pattern PAUSE = Pattern.compile("Pause .* (\\d+\\.\\d+)ms$");
    private static final Pattern UPTIME = Pattern.compile("^\\[(\\d+\\.\\d+)s\\]");

    private GcLog()
    {
    }

    /** @return durations in ms of the pauses logged at or after {@code afterSeconds} of uptime, in log order. */
    static List<Double> pauses(final List<String> lines, final double afterSeconds)
    {
        final List<Double> pauses = new ArrayList<>();
        for (final String line : lines)
        {
            final Matcher uptime = UPTIME.matcher(line.trim());
            if (uptime.find() && Double.parseDouble(uptime.group(1)) < afterSeconds)
            {
                continue;
            }
            final Matcher matcher = PAUSE.matcher(line.trim());
            if (matcher.find())
            {
                pauses.add(Double.parseDouble(matcher.group(1)));
            }
        }
        return pauses;
    }

    /** @return the value below which {@code fraction} of the sorted values fall (nearest rank). */
    static double percentile(final List<Double> sorted, final double fraction)
    {
        if (sorted.isEmpty())
        {
            return 0;
        }
        final int rank = (int)Math.ceil(fraction * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public static void main(final String[] args) throws IOException
    {
        final double after = args.length > 2 ? Double.parseDouble(args[2]) : 0;
        final List<Double> pauses = pauses(Files.readAllLines(Paths.get(args[0])), after);
        Collections.sort(pauses);
        final double total = pauses.stream().mapToDouble(Double::doubleValue).sum();
        System.out.printf(Locale.ROOT, "%s,%d,%.1f,%.2f,%.2f,%.2f%n", args.length > 1 ? args[1] : args[0],
            pauses.size(),
            total, percentile(pauses, 0.5), percentile(pauses, 0.99), pauses.isEmpty() ? 0 :
                pauses.get(pauses.size() - 1));
    }
}
