package dev.larder.bench.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Small, dependency-free SVG charts for the benchmark pages: a line chart of hit rate against cache
 * size, and a horizontal bar chart with error bars. Markdown renders them as images.
 */
public final class SvgChart
{
    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#17becf", "#7f7f7f"};
    private static final int WIDTH = 640;
    private static final int HEIGHT = 360;
    private static final int LEFT = 60;
    private static final int RIGHT = 130;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private SvgChart()
    {
    }

    /** Writes hit rate (y, %) against cache size (x, log scale), one line per policy. */
    static void hitRates(final String trace, final List<HitRateSimulator.Row> rows, final Path file) throws IOException
    {
        final Map<String, TreeMap<Integer, Double>> lines = new java.util.LinkedHashMap<>();
        final TreeSet<Integer> sizes = new TreeSet<>();
        for (final HitRateSimulator.Row row : rows)
        {
            lines.computeIfAbsent(row.policy(), p -> new TreeMap<>()).put(row.size(), 100 * row.hitRate());
            sizes.add(row.size());
        }
        if (sizes.isEmpty())
        {
            return;
        }
        final StringBuilder svg = header("Hit rate: " + trace, "cache size (entries, log scale)", "hit rate %");
        final double minX = Math.log(sizes.first());
        final double maxX = Math.log(Math.max(sizes.last(), sizes.first() + 1));
        final double plotWidth = WIDTH - LEFT - RIGHT;
        final double plotHeight = HEIGHT - TOP - BOTTOM;
        for (int tick = 0; tick <= 100; tick += 20)
        {
            final double y = TOP + plotHeight * (1 - tick / 100.0);
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#ddd'/>%n",
                LEFT, y, LEFT + plotWidth, y));
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' font-size='11' text-anchor='end'>%d</text>%n",
                LEFT - 6, y + 4, tick));
        }
        for (final int size : sizes)
        {
            final double x = LEFT + plotWidth * (maxX == minX ? 0.5 : (Math.log(size) - minX) / (maxX - minX));
            svg.append(String.format(Locale.ROOT,
                "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%d</text>%n",
                x, HEIGHT - BOTTOM + 16, size));
        }
        int colour = 0;
        for (final Map.Entry<String, TreeMap<Integer, Double>> line : lines.entrySet())
        {
            final String stroke = COLOURS[colour % COLOURS.length];
            final StringBuilder points = new StringBuilder();
            for (final Map.Entry<Integer, Double> point : line.getValue().entrySet())
            {
                final double x = LEFT + plotWidth * (maxX == minX ? 0.5 :
                    (Math.log(point.getKey()) - minX) / (maxX - minX));
                final double y = TOP + plotHeight * (1 - point.getValue() / 100.0);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='2.5' fill='%s'/>%n", x, y,
                    stroke));
            }
            svg.append(String.format(Locale.ROOT,
                "<polyline points='%s' fill='none' stroke='%s' stroke-width='%s'/>%n", points.toString().trim(),
                stroke, line.getKey().startsWith("larder") ? "3" : "1.5"));
            legend(svg, colour, line.getKey(), stroke);
            colour++;
        }
        write(svg, file);
    }

    /** One bar of a bar chart: a label, a value and its error. */
    public record Bar(String label, double value, double error)
    {
    }

    /** Writes a horizontal bar chart with error bars. */
    public static void bars(final String title, final String unit, final List<Bar> bars, final Path file)
        throws IOException
    {
        final int height = TOP + BOTTOM + 22 * bars.size();
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' " +
            "font-family='sans-serif'>%n<rect width='100%%' height='100%%' fill='white'/>%n", WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='22' font-size='14' font-weight='bold'>%s</text>%n", LEFT,
            escape(title)));
        double max = 0;
        for (final Bar bar : bars)
        {
            max = Math.max(max, bar.value() + bar.error());
        }
        final int labelWidth = 110;
        final double plotWidth = WIDTH - labelWidth - 120;
        for (int i = 0; i < bars.size(); i++)
        {
            final Bar bar = bars.get(i);
            final double y = TOP + 22 * i;
            final double width = max == 0 ? 0 : plotWidth * bar.value() / max;
            final double error = max == 0 ? 0 : plotWidth * bar.error() / max;
            final String fill = bar.label().startsWith("larder") ? "#d62728" : "#1f77b4";
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' font-size='12' text-anchor='end'>%s</text>%n",
                labelWidth - 6, y + 13, escape(bar.label())));
            svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%.1f' width='%.1f' height='16' fill='%s'/>%n",
                labelWidth, y, width, fill));
            svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='black'/>%n",
                labelWidth + width - error, y + 8, labelWidth + width + error, y + 8));
            svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%.1f' font-size='11'>%s</text>%n",
                labelWidth + width + error + 6, y + 13, escape(format(bar.value()) + " " + unit)));
        }
        svg.append("</svg>\n");
        Files.createDirectories(file.getParent());
        Files.writeString(file, svg, StandardCharsets.UTF_8);
    }

    static String format(final double value)
    {
        if (value >= 1e6)
        {
            return String.format(Locale.ROOT, "%.2fM", value / 1e6);
        }
        if (value >= 1e3)
        {
            return String.format(Locale.ROOT, "%.1fk", value / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static StringBuilder header(final String title, final String xLabel, final String yLabel)
    {
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' " +
            "font-family='sans-serif'>%n<rect width='100%%' height='100%%' fill='white'/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='22' font-size='14' font-weight='bold'>%s</text>%n", LEFT,
            escape(title)));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='12' text-anchor='middle'>%s</text>%n",
            LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 12, escape(xLabel)));
        svg.append(String.format(Locale.ROOT,
            "<text x='14' y='%d' font-size='12' text-anchor='middle' transform='rotate(-90 14 %d)'>%s</text>%n",
            TOP + (HEIGHT - TOP - BOTTOM) / 2, TOP + (HEIGHT - TOP - BOTTOM) / 2, escape(yLabel)));
        return svg;
    }

    private static void legend(final StringBuilder svg, final int index, final String name, final String colour)
    {
        final int y = TOP + 10 + 18 * index;
        svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='3'/>%n",
            WIDTH - RIGHT + 12, y, WIDTH - RIGHT + 32, y, colour));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='12'>%s</text>%n", WIDTH - RIGHT + 38,
            y + 4, escape(name)));
    }

    private static void write(final StringBuilder svg, final Path file) throws IOException
    {
        svg.append("</svg>\n");
        Files.createDirectories(file.getParent());
        Files.writeString(file, svg, StandardCharsets.UTF_8);
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
