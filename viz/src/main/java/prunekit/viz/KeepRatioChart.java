package prunekit.viz;

import com.google.gson.annotations.SerializedName;
import java.awt.geom.Ellipse2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Perplexity against keep ratio (fraction of parameters kept), one line per scorer and budget
 * allocation: colour = scorer, solid = uniform (same shape in every layer), dashed = adaptive
 * (per-layer shapes). The dense model is a horizontal reference line; the y axis is logarithmic.
 *
 * <p>JSON:
 * <pre>{@code
 * {
 *   "chart": "keep-ratio",
 *   "title": "Perplexity vs keep ratio",   // optional
 *   "dense_perplexity": 8.9,                // optional: the unpruned model
 *   "curves": [
 *     {"scorer": "wanda", "allocation": "uniform",  "keep_ratio": [0.9, 0.7, 0.5], "perplexity": [9.4, 12.8, 25.1]},
 *     {"scorer": "wanda", "allocation": "adaptive", "keep_ratio": [0.9, 0.7, 0.5], "perplexity": [9.2, 11.5, 19.9]}
 *   ]
 * }
 * }</pre>
 * {@code allocation} is {@code "uniform"} or {@code "adaptive"}; keep ratios are in (0, 1] and
 * perplexities &gt; 0.
 */
public final class KeepRatioChart {
    private KeepRatioChart() {
    }

    /** How the budget was spread over layers. */
    public enum Allocation {
        @SerializedName("uniform") UNIFORM,
        @SerializedName("adaptive") ADAPTIVE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One scorer + allocation swept over keep ratios. */
    public record Curve(String scorer, Allocation allocation, List<Double> keepRatio, List<Double> perplexity) {
        public Curve {
            scorer = Checks.text(scorer, "curve scorer");
            if (allocation == null) {
                throw new IllegalArgumentException("curve '" + scorer + "': allocation is missing or not one of "
                        + "\"uniform\", \"adaptive\"");
            }
            String name = "curve '" + scorer + ", " + allocation.label() + "': ";
            keepRatio = Checks.positive(keepRatio, name + "keep_ratio");
            perplexity = Checks.positive(perplexity, name + "perplexity");
            Checks.sameSize(keepRatio, name + "keep_ratio", perplexity, name + "perplexity");
            if (keepRatio.isEmpty()) {
                throw new IllegalArgumentException(name + "has no points");
            }
            if (keepRatio.stream().anyMatch(r -> r > 1)) {
                throw new IllegalArgumentException(name + "keep_ratio values must be in (0, 1]");
            }
        }
    }

    /** The sweep; {@code densePerplexity} may be null. */
    public record Data(String title, Double densePerplexity, List<Curve> curves) implements ChartData {
        public Data {
            title = Checks.textOr(title, "Perplexity vs keep ratio");
            densePerplexity = Checks.optionalPositive(densePerplexity, "dense_perplexity");
            curves = Checks.nonEmpty(curves, "curves", "give at least one scorer's sweep");
        }

        @Override
        public JFreeChart toChart() {
            return build(this);
        }
    }

    /** The sweep as a JFreeChart. */
    public static JFreeChart build(Data data) {
        List<String> scorers = new ArrayList<>();
        XYSeriesCollection lines = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = ChartStyle.lines(true);
        double min = data.densePerplexity() == null ? Double.POSITIVE_INFINITY : data.densePerplexity();
        double max = data.densePerplexity() == null ? Double.NEGATIVE_INFINITY : data.densePerplexity();
        for (Curve curve : data.curves()) {
            if (!scorers.contains(curve.scorer())) {
                scorers.add(curve.scorer());
            }
            XYSeries series = new XYSeries(curve.scorer() + ", " + curve.allocation().label(), true, true);
            for (int i = 0; i < curve.keepRatio().size(); i++) {
                series.add(curve.keepRatio().get(i), curve.perplexity().get(i));
                min = Math.min(min, curve.perplexity().get(i));
                max = Math.max(max, curve.perplexity().get(i));
            }
            int index = lines.getSeriesCount();
            lines.addSeries(series);
            boolean adaptive = curve.allocation() == Allocation.ADAPTIVE;
            renderer.setSeriesPaint(index, Palette.categorical(scorers.indexOf(curve.scorer())));
            renderer.setSeriesStroke(index, adaptive ? Palette.dashed(2f) : Palette.solid(2f));
            renderer.setSeriesShape(index, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        }
        double minRatio = data.curves().stream().flatMap(c -> c.keepRatio().stream()).mapToDouble(d -> d).min().orElse(0);
        double maxRatio = data.curves().stream().flatMap(c -> c.keepRatio().stream()).mapToDouble(d -> d).max().orElse(1);
        NumberAxis x = ChartStyle.percentAxis("keep ratio (% of parameters kept)", maxRatio - minRatio);
        ValueAxis y = ChartStyle.logAxis("perplexity (log scale, lower is better)");
        ChartStyle.cover(y, min, max, true);
        ChartStyle.longLegendLines(renderer);
        XYPlot plot = ChartStyle.xyPlot(lines, x, y, renderer);
        if (data.densePerplexity() != null) {
            plot.addRangeMarker(ChartStyle.horizontalLine(data.densePerplexity(),
                    String.format(Locale.ROOT, "dense model: %.2f", data.densePerplexity()),
                    Palette.REFERENCE, Palette.dotted(1.8f)));
        }
        JFreeChart chart = ChartStyle.chart(data.title(), plot, true);
        ChartStyle.subtitle(chart, "colour = scorer; solid = uniform allocation, dashed = adaptive (per-layer)");
        return chart;
    }
}
