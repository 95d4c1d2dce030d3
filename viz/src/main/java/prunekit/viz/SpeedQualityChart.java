package prunekit.viz;

import java.awt.geom.Ellipse2D;
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
 * its speedup over the dense model (x) and its perplexity (y, lower is better). Down and to the
 * right is better; a dotted vertical line marks the dense model's speed (1×).
 *
 * <p>JSON:
 * <pre>{@code
 * {
 *   "chart": "speed-quality",
 *   "title": "Quality vs speed",   // optional
 *   "logY": false,                 // optional
 *   "models": [
 *     {"model": "dense 7B", "speedup": 1.0, "perplexity": 8.9},
 *     {"model": "pruned 2.7B + recovery", "speedup": 2.3, "perplexity": 11.4}
 *   ]
 * }
 * }</pre>
 */
public final class SpeedQualityChart {
    private SpeedQualityChart() {
    }

    /** One model's measured speedup (× dense tokens/s) and perplexity. */
    public record Point(String model, double speedup, double perplexity) {
        public Point {
            model = Checks.text(model, "model name");
            Checks.positive(speedup, "model '" + model + "': speedup");
            Checks.positive(perplexity, "model '" + model + "': perplexity");
        }
    }

    /** The models to place; names must be distinct. */
    public record Data(String title, boolean logY, List<Point> models) implements ChartData {
        public Data {
            title = Checks.textOr(title, "Quality vs speed");
            models = Checks.list(models, "models");
            if (models.isEmpty()) {
                throw new IllegalArgumentException("models is empty: give at least one model");
            }
            if (models.stream().map(Point::model).distinct().count() != models.size()) {
                throw new IllegalArgumentException("model names must be distinct");
            }
        }

        @Override
        public ChartKind kind() {
            return ChartKind.SPEED_QUALITY;
        }

        @Override
        public JFreeChart toChart() {
            return build(this);
        }
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
            series.add(p.speedup(), p.perplexity());
            points.addSeries(series);
            renderer.setSeriesPaint(i, Palette.categorical(i));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-5, -5, 10, 10));
            minX = Math.min(minX, p.speedup());
            maxX = Math.max(maxX, p.speedup());
            minY = Math.min(minY, p.perplexity());
            maxY = Math.max(maxY, p.perplexity());
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
        ValueAxis y = data.logY()
                ? ChartStyle.logAxis("perplexity (log scale, lower is better)")
                : ChartStyle.numberAxis("perplexity (lower is better)");
        ChartStyle.cover(y, minY, maxY * (data.logY() ? 1.15 : 1), data.logY());
        if (!data.logY()) {
            y.setUpperBound(y.getUpperBound() + 0.08 * (y.getUpperBound() - y.getLowerBound()));
        }
        XYPlot plot = ChartStyle.xyPlot(points, x, y, renderer);
        ValueMarker dense = new ValueMarker(1.0, Palette.REFERENCE_SECONDARY, Palette.dotted(1.5f));
        plot.addDomainMarker(dense);
        JFreeChart chart = ChartStyle.chart(data.title(), plot, true);
        ChartStyle.subtitle(chart, "each point a model; down and to the right is better");
        return chart;
    }

    private static String label(Point p) {
        return String.format(Locale.ROOT, "%s (%.2f×, %.2f)", p.model(), p.speedup(), p.perplexity());
    }
}
