package prunekit.viz;

import java.awt.geom.Ellipse2D;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Training and validation loss against tokens seen, for one or more runs (e.g. ours against a
 * reference run): colour = run, solid thin line = training loss, dashed line with dots = validation
 * loss. Training logs longer than 2000 points are thinned for drawing.
 *
 * <p>JSON:
 * <pre>{@code
 * {
 *   "chart": "loss-curve",
 *   "title": "Recovery training loss",   // optional
 *   "loss_label": "loss (nats/token)",    // optional: the y axis label
 *   "runs": [
 *     {"name": "ours",
 *      "train_tokens": [0, 1e6, 2e6], "train_loss": [3.9, 3.1, 2.8],   // may both be []
 *      "val_tokens": [0, 2e6],        "val_loss": [3.8, 2.9]}           // may both be []
 *   ]
 * }
 * }</pre>
 */
public final class LossCurveChart {
    static final int MAX_POINTS = 2000;

    private LossCurveChart() {
    }

    /** One run's losses; tokens and losses are paired by position. */
    public record Run(String name, List<Double> trainTokens, List<Double> trainLoss, List<Double> valTokens,
            List<Double> valLoss) {
        public Run {
            name = Checks.text(name, "run name");
            String prefix = "run '" + name + "': ";
            trainTokens = Checks.finite(orEmpty(trainTokens), prefix + "train_tokens");
            trainLoss = Checks.finite(orEmpty(trainLoss), prefix + "train_loss");
            valTokens = Checks.finite(orEmpty(valTokens), prefix + "val_tokens");
            valLoss = Checks.finite(orEmpty(valLoss), prefix + "val_loss");
            Checks.sameSize(trainTokens, prefix + "train_tokens", trainLoss, prefix + "train_loss");
            Checks.sameSize(valTokens, prefix + "val_tokens", valLoss, prefix + "val_loss");
            if (trainLoss.isEmpty() && valLoss.isEmpty()) {
                throw new IllegalArgumentException(prefix + "has neither training nor validation loss");
            }
        }
    }

    /** The runs to draw; names must be distinct. */
    public record Data(String title, String lossLabel, List<Run> runs) implements ChartData {
        public Data {
            title = Checks.textOr(title, "Training and validation loss");
            lossLabel = Checks.textOr(lossLabel, "loss (nats/token)");
            runs = Checks.nonEmpty(runs, "runs", "give at least one run");
            if (runs.stream().map(Run::name).distinct().count() != runs.size()) {
                throw new IllegalArgumentException("run names must be distinct");
            }
        }

        @Override
        public JFreeChart toChart() {
            return build(this);
        }
    }

    static List<Double> orEmpty(List<Double> values) {
        return values == null ? List.of() : values;
    }

    /** The curves as a JFreeChart. */
    public static JFreeChart build(Data data) {
        XYSeriesCollection lines = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = ChartStyle.lines(false);
        for (int r = 0; r < data.runs().size(); r++) {
            Run run = data.runs().get(r);
            if (!run.trainLoss().isEmpty()) {
                int index = add(lines, run.name() + ": train", run.trainTokens(), run.trainLoss());
                renderer.setSeriesPaint(index, Palette.categorical(r));
                renderer.setSeriesStroke(index, Palette.solid(1.4f));
            }
            if (!run.valLoss().isEmpty()) {
                int index = add(lines, run.name() + ": validation", run.valTokens(), run.valLoss());
                renderer.setSeriesPaint(index, Palette.categorical(r));
                renderer.setSeriesStroke(index, Palette.dashed(2f));
                renderer.setSeriesShapesVisible(index, true);
                renderer.setSeriesShape(index, new Ellipse2D.Double(-3, -3, 6, 6));
            }
        }
        NumberAxis x = ChartStyle.tokenAxis("tokens seen");
        NumberAxis y = ChartStyle.numberAxis(data.lossLabel());
        ChartStyle.longLegendLines(renderer);
        XYPlot plot = ChartStyle.xyPlot(lines, x, y, renderer);
        JFreeChart chart = ChartStyle.chart(data.title(), plot, true);
        ChartStyle.subtitle(chart, "colour = run; solid = training loss, dashed with dots = validation loss");
        return chart;
    }

    /** Adds a (thinned) series and returns its index. */
    private static int add(XYSeriesCollection lines, String key, List<Double> tokens, List<Double> values) {
        XYSeries series = new XYSeries(key, true, true);
        for (int k : Downsample.indices(tokens.size(), MAX_POINTS)) {
            series.add(tokens.get(k), values.get(k));
        }
        lines.addSeries(series);
        return lines.getSeriesCount() - 1;
    }
}
