package prunekit.viz;

import java.awt.geom.Ellipse2D;
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
 * How far recovery training brings a pruned model back: held-out perplexity against tokens
 * trained, one line per recovery run (e.g. LoRA vs full, cross-entropy vs distillation), with the
 * dense model and the pruned model before recovery as horizontal reference lines.
 *
 * <p>JSON:
 * <pre>{@code
 * {
 *   "chart": "recovery",
 *   "title": "Recovery",          // optional
 *   "dense_perplexity": 8.9,       // optional: the unpruned model
 *   "pruned_perplexity": 41.0,     // optional: the pruned model before recovery
 *   "log_y": true,                 // optional, default false
 *   "runs": [
 *     {"name": "LoRA r=64, distill", "tokens": [1e6, 1e7, 5e7], "perplexity": [20.1, 14.2, 12.0]}
 *   ]
 * }
 * }</pre>
 */
public final class RecoveryChart {
    private RecoveryChart() {
    }

    /** One recovery run's held-out perplexity after a number of tokens. */
    public record Run(String name, List<Double> tokens, List<Double> perplexity) {
        public Run {
            name = Checks.text(name, "run name");
            tokens = Checks.finite(tokens, "run '" + name + "': tokens");
            perplexity = Checks.positive(perplexity, "run '" + name + "': perplexity");
            Checks.sameSize(tokens, "run '" + name + "': tokens", perplexity, "run '" + name + "': perplexity");
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException("run '" + name + "' has no points");
            }
        }
    }

    /** The runs and the two reference perplexities (each may be null). */
    public record Data(String title, Double densePerplexity, Double prunedPerplexity, boolean logY, List<Run> runs)
            implements ChartData {
        public Data {
            title = Checks.textOr(title, "Held-out perplexity during recovery");
            densePerplexity = Checks.optionalPositive(densePerplexity, "dense_perplexity");
            prunedPerplexity = Checks.optionalPositive(prunedPerplexity, "pruned_perplexity");
            runs = Checks.nonEmpty(runs, "runs", "give at least one recovery run");
            if (runs.stream().map(Run::name).distinct().count() != runs.size()) {
                throw new IllegalArgumentException("run names must be distinct");
            }
        }

        @Override
        public JFreeChart toChart() {
            return build(this);
        }
    }

    /** The runs as a JFreeChart. */
    public static JFreeChart build(Data data) {
        XYSeriesCollection lines = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = ChartStyle.lines(true);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < data.runs().size(); r++) {
            Run run = data.runs().get(r);
            XYSeries series = new XYSeries(run.name(), true, true);
            for (int i = 0; i < run.tokens().size(); i++) {
                series.add(run.tokens().get(i), run.perplexity().get(i));
                min = Math.min(min, run.perplexity().get(i));
                max = Math.max(max, run.perplexity().get(i));
            }
            lines.addSeries(series);
            renderer.setSeriesPaint(r, Palette.categorical(r));
            renderer.setSeriesStroke(r, Palette.solid(2f));
            renderer.setSeriesShape(r, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        }
        for (Double reference : new Double[] {data.densePerplexity(), data.prunedPerplexity()}) {
            if (reference != null) {
                min = Math.min(min, reference);
                max = Math.max(max, reference);
            }
        }
        NumberAxis x = ChartStyle.tokenAxis("recovery tokens trained");
        ValueAxis y = data.logY()
                ? ChartStyle.logAxis("held-out perplexity (log scale, lower is better)")
                : ChartStyle.numberAxis("held-out perplexity (lower is better)");
        ChartStyle.cover(y, min, max, data.logY());
        ChartStyle.longLegendLines(renderer);
        XYPlot plot = ChartStyle.xyPlot(lines, x, y, renderer);
        if (data.densePerplexity() != null) {
            plot.addRangeMarker(ChartStyle.horizontalLine(data.densePerplexity(),
                    String.format(Locale.ROOT, "dense model: %.2f", data.densePerplexity()),
                    Palette.REFERENCE, Palette.dotted(1.8f)));
        }
        if (data.prunedPerplexity() != null) {
            plot.addRangeMarker(ChartStyle.horizontalLine(data.prunedPerplexity(),
                    String.format(Locale.ROOT, "pruned, before recovery: %.2f", data.prunedPerplexity()),
                    Palette.REFERENCE_SECONDARY, Palette.dashed(1.5f)));
        }
        JFreeChart chart = ChartStyle.chart(data.title(), plot, true);
        ChartStyle.subtitle(chart, "one line per recovery run; horizontal lines: dense and unrecovered pruned model");
        return chart;
    }
}
