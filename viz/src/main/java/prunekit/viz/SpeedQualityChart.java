package prunekit.viz;

import com.google.gson.annotations.SerializedName;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The trade-off in one picture: each model (dense, pruned, recovered, ...) as a labelled point at
 * its measured speedup over the dense model (x) and its quality (y): held-out perplexity (lower is
 * better) or a task accuracy (higher is better). A dotted vertical line marks the dense model's
 * speed (1×); with {@code front} the Pareto front (the points no other point beats on both speed
 * and quality) is drawn as a dashed line through them, from the slowest to the fastest.
 *
 * <p>JSON:
 * <pre>{@code
 * {
 *   "chart": "speed-quality",
 *   "title": "Quality vs speed",   // optional
 *   "log_y": false,                 // optional
 *   "metric": "perplexity",        // optional: perplexity (default, lower is better) or accuracy (higher is better)
 *   "front": false,                // optional: draw the Pareto front
 *   "models": [
 *     {"model": "dense 7B", "speedup": 1.0, "quality": 8.9},
 *     {"model": "pruned 2.7B + recovery", "speedup": 2.3, "quality": 11.4}
 *   ]
 * }
 * }</pre>
 */
public final class SpeedQualityChart {
    private SpeedQualityChart() {
    }

    /** What the y axis measures, and which way is better. */
    public enum Metric {
        @SerializedName("perplexity") PERPLEXITY("perplexity", false),
        @SerializedName("accuracy") ACCURACY("accuracy", true);

        private final String label;
        private final boolean higherIsBetter;

        Metric(String label, boolean higherIsBetter) {
            this.label = label;
            this.higherIsBetter = higherIsBetter;
        }

        /** True when {@code a} is at least as good as {@code b}. */
        boolean atLeastAsGood(double a, double b) {
            return higherIsBetter ? a >= b : a <= b;
        }
    }

    /** One model's measured speedup (× dense tokens/s) and quality (perplexity, or accuracy in [0, 1]). */
    public record Point(String model, double speedup, double quality) {
        public Point {
            model = Checks.text(model, "model name");
            Checks.positive(speedup, "model '" + model + "': speedup");
            Checks.finite(quality, "model '" + model + "': quality");
        }
    }

    /** The models to place; names must be distinct; {@code metric} null is perplexity, {@code front} null false. */
    public record Data(String title, boolean logY, List<Point> models, Metric metric, Boolean front) implements ChartData {
        /** Perplexity, no front drawn. */
        public Data(String title, boolean logY, List<Point> models) {
            this(title, logY, models, Metric.PERPLEXITY, false);
        }

        public Data {
            title = Checks.textOr(title, "Quality vs speed");
            metric = metric == null ? Metric.PERPLEXITY : metric;
            front = front != null && front;
            models = Checks.nonEmpty(models, "models", "give at least one model");
            if (metric == Metric.PERPLEXITY) {
                models.forEach(p -> Checks.positive(p.quality(), "model '" + p.model() + "': perplexity"));
            }
            if (models.stream().map(Point::model).distinct().count() != models.size()) {
                throw new IllegalArgumentException("model names must be distinct");
            }
        }

        @Override
        public JFreeChart toChart() {
            return build(this);
        }
    }

    /**
     * The Pareto front of {@code points} for {@code metric}, by increasing speedup: each point that no
     * other point matches or beats on both speed and quality while being strictly better on one.
     */
    public static List<Point> front(List<Point> points, Metric metric) {
        List<Point> front = new ArrayList<>();
        for (Point p : points) {
            boolean dominated = points.stream().anyMatch(q -> q != p && q.speedup() >= p.speedup()
                    && metric.atLeastAsGood(q.quality(), p.quality())
                    && (q.speedup() > p.speedup() || q.quality() != p.quality()));
            if (!dominated) {
                front.add(p);
            }
        }
        front.sort(Comparator.comparingDouble(Point::speedup).thenComparing(Point::model));
        return front;
    }

    /** The points as a JFreeChart. */
    public static JFreeChart build(Data data) {
        XYSeriesCollection points = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        double minX = 1;
        double maxX = 1;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < data.models().size(); i++) {
            Point p = data.models().get(i);
            XYSeries series = new XYSeries(p.model(), false, true);
            series.add(p.speedup(), p.quality());
            points.addSeries(series);
            renderer.setSeriesPaint(i, Palette.categorical(i));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
            minX = Math.min(minX, p.speedup());
            maxX = Math.max(maxX, p.speedup());
            minY = Math.min(minY, p.quality());
            maxY = Math.max(maxY, p.quality());
        }
        renderer.setDefaultItemLabelGenerator((dataset, series, item) -> label(data.models().get(series)));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(ChartStyle.ANNOTATION);
        renderer.setDefaultItemLabelPaint(Palette.REFERENCE);
        renderer.setDefaultPositiveItemLabelPosition(
                new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        NumberAxis x = ChartStyle.numberAxis("speedup over the dense model (×, higher is faster)");
        double padX = 0.2 * (maxX - minX) + 0.05; // room for the labels centred over the points
        x.setRange(minX - padX, maxX + padX);
        String better = data.metric().higherIsBetter ? "higher is better" : "lower is better";
        ValueAxis y = data.logY()
                ? ChartStyle.logAxis(data.metric().label + " (log scale, " + better + ")")
                : ChartStyle.numberAxis(data.metric().label + " (" + better + ")");
        ChartStyle.cover(y, minY, maxY * (data.logY() ? 1.15 : 1), data.logY());
        if (!data.logY()) {
            y.setUpperBound(y.getUpperBound() + 0.08 * (y.getUpperBound() - y.getLowerBound()));
        }
        XYPlot plot = ChartStyle.xyPlot(points, x, y, renderer);
        ValueMarker dense = new ValueMarker(1.0, Palette.REFERENCE_SECONDARY, Palette.dotted(1.5f));
        plot.addDomainMarker(dense);
        if (data.front()) {
            plot.setDataset(1, frontSeries(data));
            XYLineAndShapeRenderer line = new XYLineAndShapeRenderer(true, false);
            line.setSeriesPaint(0, Palette.REFERENCE);
            line.setSeriesStroke(0, Palette.dashed(1.5f));
            plot.setRenderer(1, line);
        }
        JFreeChart chart = ChartStyle.chart(data.title(), plot, true);
        String corner = data.metric().higherIsBetter ? "up" : "down";
        ChartStyle.subtitle(chart, "each point a model; " + corner + " and to the right is better"
                + (data.front() ? "; dashed: the Pareto front" : ""));
        return chart;
    }

    private static XYSeriesCollection frontSeries(Data data) {
        XYSeries line = new XYSeries("Pareto front", false, true);
        for (Point p : front(data.models(), data.metric())) {
            line.add(p.speedup(), p.quality());
        }
        return new XYSeriesCollection(line);
    }

    private static String label(Point p) {
        return String.format(Locale.ROOT, "%s (%.2f×, %.2f)", p.model(), p.speedup(), p.quality());
    }
}
