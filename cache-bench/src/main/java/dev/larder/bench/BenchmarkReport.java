package dev.larder.bench;

import dev.larder.bench.sim.SvgChart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the generated parts of {@code docs/benchmarks.md} from the result files in
 * {@code cache-bench/results/}: every table and chart between {@code <!-- begin:NAME -->} and
 * {@code <!-- end:NAME -->} markers is replaced; prose outside the markers is kept. Figures are
 * never edited by hand: re-run the measurements, then this.
 *
 * <pre>
 * java -cp cache-bench/target/benchmarks.jar dev.larder.bench.BenchmarkReport [results dir] [doc] [charts dir]
 * </pre>
 */
public final class BenchmarkReport
{
    private static final List<String> CACHE_ORDER =
        List.of("larder", "larder-jdk", "caffeine", "ohc", "chronicle", "ehcache", "chm");

    private BenchmarkReport()
    {
    }

    /** One JMH result: benchmark, params, score, error, allocation per op. */
    record Result(String benchmark, Map<String, String> params, int threads, double score, double error,
        double allocNorm)
    {
        String param(final String name)
        {
            return params.getOrDefault(name, "");
        }
    }

    public static void main(final String[] args) throws IOException
    {
        final Path results = Paths.get(args.length > 0 ? args[0] : "cache-bench/results");
        final Path doc = Paths.get(args.length > 1 ? args[1] : "docs/benchmarks.md");
        final Path charts = Paths.get(args.length > 2 ? args[2] : "docs/charts");
        String text = Files.readString(doc, StandardCharsets.UTF_8);

        final List<Result> peers = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(results, "peers-*.json"))
        {
            for (final Path file : files)
            {
                peers.addAll(readJmh(file));
            }
        }
        text = replace(text, "machine", machine(results));
        text = replace(text, "readpath", readPath(results));
        text = replace(text, "peers", peersSection(peers, charts, doc.getParent()));
        text = replace(text, "targets", targets(peers));
        text = replace(text, "hitrate", hitRates(results.resolve("hitrate.csv"), charts, doc.getParent()));
        text = replace(text, "gc-fill", csvTable(results.resolve("gc-fill.csv"), List.of("mode", "cache", "entries",
            "held", "fill ops/s", "GCs in fill", "GC ms in fill", "heap after GC (MiB)", "full GC ms", "RSS (MiB)",
            "RSS growth B/entry", "cache B/entry", "overhead B/entry")) + "\n" +
                gcCharts(results.resolve("gc-fill.csv"),
            charts, doc.getParent()));
        text = replace(text, "gc-mixed", csvTable(results.resolve("gc-mixed.csv"), List.of("mode", "cache", "entries",
            "held", "mixed ops/s", "GCs in fill", "GC ms in fill", "GCs in run", "GC ms in run", "seconds",
            "run starts at uptime s")));
        text = replace(text, "gc-pauses", csvTable(results.resolve("gc-pauses.csv"), List.of("cache", "pauses",
            "total ms", "p50 ms", "p99 ms", "max ms")));
        Files.writeString(doc, text, StandardCharsets.UTF_8);
        System.out.println("wrote " + doc);
    }

    static String replace(final String text, final String name, final String body)
    {
        final String begin = "<!-- begin:" + name + " -->";
        final String end = "<!-- end:" + name + " -->";
        final int from = text.indexOf(begin);
        final int to = text.indexOf(end);
        if (from < 0 || to < from)
        {
            return text;
        }
        return text.substring(0, from + begin.length()) + "\n" + body.strip() + "\n" + text.substring(to);
    }

    private static String machine(final Path results) throws IOException
    {
        final Path file = results.resolve("machine.txt");
        return Files.exists(file) ? "```\n" + Files.readString(file, StandardCharsets.UTF_8).strip() + "\n```" :
            "_machine.txt missing_";
    }

    // ------------------------------------------------------------------------------------------
    // JMH results (parsed without a JSON library: JMH's format is regular)
    // ------------------------------------------------------------------------------------------

    static List<Result> readJmh(final Path file) throws IOException
    {
        final String json = Files.readString(file, StandardCharsets.UTF_8);
        final List<Result> parsed = new ArrayList<>();
        for (final String block : json.split("\\n    \\{"))
        {
            final String benchmark = first(block, "\"benchmark\"\\s*:\\s*\"([^\"]+)\"");
            if (benchmark == null)
            {
                continue;
            }
            final Map<String, String> params = new TreeMap<>();
            final String paramsBlock = first(block, "(?s)\"params\"\\s*:\\s*\\{(.*?)\\}");
            if (paramsBlock != null)
            {
                final Matcher matcher = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\"([^\"]*)\"").matcher(paramsBlock);
                while (matcher.find())
                {
                    params.put(matcher.group(1), matcher.group(2));
                }
            }
            final String primary = first(block, "(?s)\"primaryMetric\"\\s*:\\s*\\{(.*?)\"scorePercentiles\"");
            final double score = Double.parseDouble(first(primary, "\"score\"\\s*:\\s*([-0-9.eE]+|\"NaN\")"));
            final String errorText = first(primary, "\"scoreError\"\\s*:\\s*([-0-9.eE]+|\"NaN\")");
            final double error = errorText == null || errorText.contains("NaN") ? Double.NaN :
                Double.parseDouble(errorText);
            final String alloc = first(block,
                "(?s)\"gc.alloc.rate.norm\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([-0-9.eE]+)");
            final int threads = Integer.parseInt(first(block, "\"threads\"\\s*:\\s*(\\d+)"));
            parsed.add(new Result(benchmark.substring(benchmark.lastIndexOf('.') + 1), params, threads, score, error,
                alloc == null ? Double.NaN : Double.parseDouble(alloc)));
        }
        return parsed;
    }

    private static String first(final String text, final String regex)
    {
        if (text == null)
        {
            return null;
        }
        final Matcher matcher = Pattern.compile(regex).matcher(text);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String workload(final Result result)
    {
        return String.format(Locale.ROOT, "%s threads, %s B values, %s working set, %s keys", result.threads(),
            result.param("valueSize"), result.param("workingSet"), result.param("distribution"));
    }

    private static String peersSection(final List<Result> peers, final Path charts, final Path docDir)
        throws IOException
    {
        if (peers.isEmpty())
        {
            return "_no results yet: run the peers benchmark_";
        }
        final Map<String, List<Result>> byWorkload = new LinkedHashMap<>();
        peers.stream()
            .sorted((a, b) -> workload(a).compareTo(workload(b)))
            .forEach(result -> byWorkload.computeIfAbsent(workload(result), w -> new ArrayList<>()).add(result));
        final StringBuilder out = new StringBuilder();
        for (final Map.Entry<String, List<Result>> workload : byWorkload.entrySet())
        {
            out.append("#### ").append(workload.getKey()).append("\n\n");
            out.append("| cache | get ops/s | put ops/s | mixed 90/10 ops/s | get B/op | put B/op | mixed B/op |\n");
            out.append("|---|---|---|---|---|---|---|\n");
            for (final String cache : CACHE_ORDER)
            {
                final Result get = find(workload.getValue(), cache, "get");
                final Result put = find(workload.getValue(), cache, "put");
                final Result mixed = find(workload.getValue(), cache, "mixed");
                if (get == null && put == null && mixed == null)
                {
                    continue;
                }
                out.append("| ").append(cache).append(" | ").append(ops(get)).append(" | ").append(ops(put))
                    .append(" | ").append(ops(mixed)).append(" | ").append(alloc(get)).append(" | ").append(alloc(put))
                    .append(" | ").append(alloc(mixed)).append(" |\n");
            }
            final String slug = workload.getKey().replaceAll("[^a-z0-9]+", "-");
            for (final String benchmark : List.of("get", "put", "mixed"))
            {
                final List<SvgChart.Bar> bars = new ArrayList<>();
                for (final String cache : CACHE_ORDER)
                {
                    final Result result = find(workload.getValue(), cache, benchmark);
                    if (result != null)
                    {
                        bars.add(new SvgChart.Bar(cache, result.score(), Double.isNaN(result.error()) ? 0 :
                            result.error()));
                    }
                }
                if (!bars.isEmpty())
                {
                    final Path chart = charts.resolve("peers-" + benchmark + "-" + slug + ".svg");
                    SvgChart.bars(benchmark + ": " + workload.getKey(), "ops/s", bars, chart);
                    out.append("\n![").append(benchmark).append("](").append(docDir.relativize(chart)).append(")");
                }
            }
            out.append("\n\n");
        }
        return out.toString();
    }

    private static Result find(final List<Result> results, final String cache, final String benchmark)
    {
        for (final Result result : results)
        {
            if (result.param("cache").equals(cache) && result.benchmark().equals(benchmark))
            {
                return result;
            }
        }
        return null;
    }

    private static String ops(final Result result)
    {
        return result == null ? "-" : String.format(Locale.ROOT, "%,.0f ± %,.0f", result.score(), result.error());
    }

    private static String alloc(final Result result)
    {
        return result == null || Double.isNaN(result.allocNorm()) ? "-" :
            String.format(Locale.ROOT, "%.1f", result.allocNorm());
    }

    /**
     * The lock-free read path, before and after, from {@code readpath-before-*.json} and
     * {@code readpath-after-*.json} (written by {@code measure.sh readpath}).
     */
    private static String readPath(final Path results) throws IOException
    {
        final List<Result> before = new ArrayList<>();
        final List<Result> after = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(results, "readpath-*.json"))
        {
            for (final Path file : files)
            {
                (file.getFileName().toString().startsWith("readpath-before") ? before : after).addAll(readJmh(file));
            }
        }
        if (after.isEmpty())
        {
            return "_no results yet: run `cache-bench/measure.sh readpath`_";
        }
        after.sort((a, b) -> (workload(a) + a.benchmark() + CACHE_ORDER.indexOf(a.param("cache")))
            .compareTo(workload(b) + b.benchmark() + CACHE_ORDER.indexOf(b.param("cache"))));
        final StringBuilder out = new StringBuilder();
        out.append("| workload | op | cache | before ops/s | after ops/s | after / before | ÷ caffeine before | ")
            .append("÷ caffeine after | after B/op |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        for (final Result now : after)
        {
            final Result then = twin(before, now, now.param("cache"));
            out.append("| ").append(workload(now)).append(" | ").append(now.benchmark()).append(" | ")
                .append(now.param("cache")).append(" | ").append(ops(then)).append(" | ").append(ops(now)).append(" | ")
                .append(quotient(now, then)).append(" | ").append(quotient(then, twin(before, now, "caffeine")))
                .append(" | ").append(quotient(now, twin(after, now, "caffeine"))).append(" | ").append(alloc(now))
                .append(" |\n");
        }
        return out.toString();
    }

    /**
     * @return the result in {@code results} for {@code cache} with the same operation, parameters otherwise and threads
     */
    private static Result twin(final List<Result> results, final Result of, final String cache)
    {
        for (final Result candidate : results)
        {
            if (candidate.benchmark().equals(of.benchmark()) && candidate.threads() == of.threads() &&
                candidate.param("cache").equals(cache) &&
                candidate.param("distribution").equals(of.param("distribution")) &&
                candidate.param("valueSize").equals(of.param("valueSize")) &&
                candidate.param("workingSet").equals(of.param("workingSet")))
            {
                return candidate;
            }
        }
        return null;
    }

    private static String quotient(final Result top, final Result bottom)
    {
        return top == null || bottom == null ? "-" : String.format(Locale.ROOT, "%.2f", top.score() / bottom.score());
    }

    /** Larder's targets, per workload: get >= 3x OHC, >= Chronicle, >= 90% of Caffeine; put >= Caffeine. */
    private static String targets(final List<Result> peers)
    {
        if (peers.isEmpty())
        {
            return "_no results yet_";
        }
        final Map<String, List<Result>> byWorkload = new LinkedHashMap<>();
        peers.stream()
            .sorted((a, b) -> workload(a).compareTo(workload(b)))
            .forEach(result -> byWorkload.computeIfAbsent(workload(result), w -> new ArrayList<>()).add(result));
        final StringBuilder out = new StringBuilder();
        out.append(
            "| workload | get / OHC (≥ 3) | get / Chronicle (≥ 1) | get / Caffeine (≥ 0.9) | put / Caffeine (≥ 1) |\n");
        out.append("|---|---|---|---|---|\n");
        for (final Map.Entry<String, List<Result>> workload : byWorkload.entrySet())
        {
            final List<Result> results = workload.getValue();
            out.append("| ").append(workload.getKey()).append(" | ")
                .append(ratio(find(results, "larder", "get"), find(results, "ohc", "get"), 3)).append(" | ")
                .append(ratio(find(results, "larder", "get"), find(results, "chronicle", "get"), 1)).append(" | ")
                .append(ratio(find(results, "larder", "get"), find(results, "caffeine", "get"), 0.9)).append(" | ")
                .append(ratio(find(results, "larder", "put"), find(results, "caffeine", "put"), 1)).append(" |\n");
        }
        return out.toString();
    }

    private static String ratio(final Result ours, final Result theirs, final double target)
    {
        if (ours == null || theirs == null)
        {
            return "-";
        }
        final double ratio = ours.score() / theirs.score();
        return String.format(Locale.ROOT, "%.2f %s", ratio, ratio >= target ? "met" : "**missed**");
    }

    // ------------------------------------------------------------------------------------------
    // CSV results
    // ------------------------------------------------------------------------------------------

    private static String hitRates(final Path csv, final Path charts, final Path docDir) throws IOException
    {
        if (!Files.exists(csv))
        {
            return "_no results yet: run the hit-rate simulator_";
        }
        final List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        final Map<String, Map<Integer, Map<String, String>>> table = new LinkedHashMap<>();
        final Map<String, Map<Integer, String>> held = new LinkedHashMap<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] cells = line.split(",");
            table.computeIfAbsent(cells[0], t -> new TreeMap<>()).computeIfAbsent(Integer.parseInt(cells[1]),
                s -> new LinkedHashMap<>()).put(cells[2], String.format(Locale.ROOT, "%.2f",
                100 * Double.parseDouble(cells[3])));
            if ("larder".equals(cells[2]))
            {
                held.computeIfAbsent(cells[0], t -> new TreeMap<>()).put(Integer.parseInt(cells[1]), cells[4]);
                if (cells.length > 7)
                {
                    // the lowest of the seeded runs, kept under a name of its own
                    table.get(cells[0]).get(Integer.parseInt(cells[1])).put("larder-lowest", String.format(
                        Locale.ROOT, "%.2f (%s seeds)", 100 * Double.parseDouble(cells[5]), cells[7]));
                }
            }
        }
        final StringBuilder out = new StringBuilder();
        out.append("| trace | size | larder | larder, lowest seed | lru | caffeine | larder − max(lru, caffeine) |")
            .append(" larder-second-chance | fifo | clock | larder-next (model) |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        final Map<String, Double> worst = new LinkedHashMap<>();
        final Map<String, String> worstSize = new LinkedHashMap<>();
        for (final Map.Entry<String, Map<Integer, Map<String, String>>> trace : table.entrySet())
        {
            for (final Map.Entry<Integer, Map<String, String>> size : trace.getValue().entrySet())
            {
                final Map<String, String> rates = size.getValue();
                // issue 13's goal: the default policy within 1 point of the better of LRU and Caffeine
                final double gap = Double.parseDouble(rates.get("larder")) -
                    Math.max(Double.parseDouble(rates.get("lru")), Double.parseDouble(rates.get("caffeine")));
                if (gap < worst.getOrDefault(trace.getKey(), Double.MAX_VALUE))
                {
                    worst.put(trace.getKey(), gap);
                    worstSize.put(trace.getKey(), String.valueOf(size.getKey()));
                }
                final String shown = String.format(Locale.ROOT, gap < -1.0 ? "**%+.2f**" : "%+.2f", gap);
                out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    trace.getKey(), size.getKey(), rates.get("larder"), rates.getOrDefault("larder-lowest", "-"),
                    rates.get("lru"), rates.get("caffeine"), shown,
                    rates.getOrDefault("larder-second-chance", "-"), rates.get("fifo"), rates.get("clock"),
                    rates.getOrDefault("larder-next", "-")));
            }
        }
        out.append("\nLargest shortfall of Larder (the adaptive default) below the better of exact LRU and ")
            .append("Caffeine, per trace (issue 13's goal: at most 1 point):\n\n");
        out.append("| trace | worst larder − max(lru, caffeine) (points) | at size | goal |\n|---|---|---|---|\n");
        worst.forEach((trace, gap) -> out.append(String.format(Locale.ROOT, "| %s | %+.2f | %s | %s |%n", trace, gap,
            worstSize.get(trace), gap >= -1.0 ? "met" : "**missed**")));
        out.append("\n");
        for (final String trace : table.keySet())
        {
            final Path chart = charts.resolve("hitrate-" + trace + ".svg");
            if (Files.exists(chart))
            {
                out.append("![").append(trace).append("](").append(docDir.relativize(chart)).append(") ");
            }
        }
        return out.toString();
    }

    /** Bar charts of heap after GC and full-GC time with 10M entries, per cache. */
    private static String gcCharts(final Path csv, final Path charts, final Path docDir) throws IOException
    {
        if (!Files.exists(csv))
        {
            return "";
        }
        final List<SvgChart.Bar> heap = new ArrayList<>();
        final List<SvgChart.Bar> fullGc = new ArrayList<>();
        final List<SvgChart.Bar> fillGc = new ArrayList<>();
        for (final String line : Files.readAllLines(csv, StandardCharsets.UTF_8))
        {
            final String[] cells = line.split(",");
            if (cells.length > 8 && "10000000".equals(cells[2]))
            {
                heap.add(new SvgChart.Bar(cells[1], Double.parseDouble(cells[7]), 0));
                fullGc.add(new SvgChart.Bar(cells[1], Double.parseDouble(cells[8]), 0));
                fillGc.add(new SvgChart.Bar(cells[1], Double.parseDouble(cells[6]), 0));
            }
        }
        final StringBuilder out = new StringBuilder();
        for (final Object[] chart : new Object[][] {
            {"gc-heap-10m.svg", "Heap after a full GC, 10M entries", "MiB", heap},
            {"gc-fillgc-10m.svg", "GC time while filling 10M entries", "ms", fillGc},
            {"gc-fullgc-10m.svg", "Explicit full GC with 10M entries", "ms", fullGc}})
        {
            @SuppressWarnings("unchecked")
            final List<SvgChart.Bar> bars = (List<SvgChart.Bar>)chart[3];
            if (!bars.isEmpty())
            {
                final Path file = charts.resolve((String)chart[0]);
                SvgChart.bars((String)chart[1], (String)chart[2], bars, file);
                out.append("![").append(chart[1]).append("](").append(docDir.relativize(file)).append(") ");
            }
        }
        return out.toString();
    }

    private static String csvTable(final Path csv, final List<String> header) throws IOException
    {
        if (!Files.exists(csv))
        {
            return "_no results yet_";
        }
        final StringBuilder out = new StringBuilder();
        out.append("| ").append(String.join(" | ", header)).append(" |\n");
        out.append("|").append("---|".repeat(header.size())).append("\n");
        for (final String line : Files.readAllLines(csv, StandardCharsets.UTF_8))
        {
            if (!line.isBlank())
            {
                out.append("| ").append(String.join(" | ", line.split(","))).append(" |\n");
            }
        }
        return out.toString();
    }
}
