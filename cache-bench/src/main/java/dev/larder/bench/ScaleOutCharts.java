package dev.larder.bench;

import dev.larder.bench.sim.SvgChart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws the charts of docs/scale-out.md from what {@code cache-bench/measure.sh scaleout} wrote:
 * get throughput of a near-cache hit per near cache and thread count ({@code scaleout-t1.json},
 * {@code scaleout-t2.json}, {@link NearCacheBenchmark}), and heap after GC and GC time with 1M
 * near-cached 1 KB values ({@code scaleout-gc.csv}, {@link NearCacheGc}).
 *
 * <pre>
 * java -cp cache-bench/target/benchmarks.jar dev.larder.bench.ScaleOutCharts cache-bench/results docs/charts
 * </pre>
 */
public final class ScaleOutCharts
{
    private ScaleOutCharts()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length != 2)
        {
            throw new IllegalArgumentException("usage: ScaleOutCharts <results dir> <charts dir>: got " + args.length +
                " arguments");
        }
        final Path results = Paths.get(args[0]);
        final Path charts = Paths.get(args[1]);
        Files.createDirectories(charts);

        for (final int threads : new int[] {1, 2})
        {
            final Path json = results.resolve("scaleout-t" + threads + ".json");
            if (!Files.exists(json))
            {
                continue;
            }
            final List<SvgChart.Bar> bars = new ArrayList<>();
            for (final BenchmarkReport.Result result : BenchmarkReport.readJmh(json))
            {
                bars.add(new SvgChart.Bar(result.params().get("nearCache"), result.score(),
                    Double.isNaN(result.error()) ? 0 : result.error()));
            }
            SvgChart.bars("get of a 1 KB value, " + threads + " thread" + (threads == 1 ? "" : "s"), "ops/s", bars,
                charts.resolve("scaleout-get-t" + threads + ".svg"));
        }

        final Path gc = results.resolve("scaleout-gc.csv");
        if (Files.exists(gc))
        {
            final List<SvgChart.Bar> heap = new ArrayList<>();
            final List<SvgChart.Bar> gcTime = new ArrayList<>();
            for (final String line : Files.readAllLines(gc))
            {
                final String[] cells = line.split(",");
                if (cells.length < 11 || !Character.isDigit(cells[1].charAt(0)))
                {
                    continue; // a header or a foreign line
                }
                heap.add(new SvgChart.Bar(cells[0], Double.parseDouble(cells[3]), 0));
                gcTime.add(new SvgChart.Bar(cells[0], Double.parseDouble(cells[5]) + Double.parseDouble(cells[7]), 0));
            }
            SvgChart.bars("heap after GC, 1M near-cached 1 KB values", "MiB", heap,
                charts.resolve("scaleout-heap.svg"));
            SvgChart.bars("GC time while warming and reading, 1M near-cached 1 KB values", "ms", gcTime,
                charts.resolve("scaleout-gc-time.svg"));
        }
    }
}
