package prunekit.viz;

import java.awt.Paint;
import java.util.Arrays;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * How MLP channel importance falls off inside each layer: per layer, the scores sorted from most to
 * least important against the channel's rank as a fraction of the layer's width (0..1), one line
 * per layer coloured along viridis by depth. A flat curve means the layer has little to cut; a
 * steep one, a few channels carry it. Long curves are thinned to 400 points for drawing.
 *
 * <p>JSON:
 * <pre>{@code
 * {
 *   "chart": "channel-importance",
 *   "title": "MLP channel importance",   // optional
 *   "score_label": "wanda score",         // optional: the y axis label
 *   "log_y": true,                        // optional, default false; values <= 0 are then left out
 *   "scores": [[0.3, 2.1, 0.7], [1.2, 0.1, 0.4, 0.9]]   // [layer][channel], any order, finite
 * }
 * }</pre>
 */
public final class ChannelImportanceChart {
    /** Up to this many layers get an entry each in the legend; deeper models get a colour bar. */
    static final int MAX_LEGEND_LAYERS = 12;
    static final int MAX_POINTS = 400;
    /** Stop viridis before its palest yellow, which is hard to see as a line on white. */
    private static final double TOP = 0.88;

    private ChannelImportanceChart() {
    }

    /** Unsorted channel scores per layer (a layer with no MLP has an empty list). */
    public record Data(String title, String scoreLabel, boolean logY, List<List<Double>> scores) implements ChartData {
        public Data {
            title = Checks.textOr(title, "MLP channel importance by layer");
            scoreLabel = Checks.textOr(scoreLabel, "importance score");
            scores = Checks.finiteRows(scores, "scores");
            if (scores.stream().allMatch(List::isEmpty)) {
                throw new IllegalArgumentException("scores has no channels: give one list of channel scores per layer");
            }
        }

        @Override
        public JFreeChart toChart() {
            return build(this);
        }
    }

    /** The curves as a JFreeChart. */
    public static JFreeChart build(Data data) {
        int layers = data.scores().size();
        XYSeriesCollection curves = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = ChartStyle.lines(false);
        int dropped = 0;
        for (int layer = 0; layer < layers; layer++) {
            List<Double> row = data.scores().get(layer);
            if (row.isEmpty()) {
                continue;
            }
            double[] sorted = Checks.toArray(row);
            Arrays.sort(sorted);
            XYSeries series = new XYSeries("layer " + layer, false, true);
            for (int k : Downsample.indices(sorted.length, MAX_POINTS)) {
                double score = sorted[sorted.length - 1 - k]; // most important first
                if (data.logY() && score <= 0) {
                    continue;
                }
                series.add(sorted.length == 1 ? 0.0 : (double) k / (sorted.length - 1), score);
            }
            dropped += data.logY() ? (int) row.stream().filter(v -> v <= 0).count() : 0;
            int index = curves.getSeriesCount();
            curves.addSeries(series);
            renderer.setSeriesPaint(index, new LayerColours(layers).getPaint(layer));
            renderer.setSeriesStroke(index, Palette.solid(1.6f));
        }
        // fixed 10 % ticks: the auto tick unit picked 0.02 steps whose labels ran into each other
        NumberAxis x = ChartStyle.percentAxis("channel rank (share of the layer's width, most important first)", 1);
        x.setRange(0, 1);
        ValueAxis y = data.logY()
                ? ChartStyle.logAxis(data.scoreLabel() + " (log scale)")
                : ChartStyle.numberAxis(data.scoreLabel());
        XYPlot plot = ChartStyle.xyPlot(curves, x, y, renderer);
        boolean itemLegend = layers <= MAX_LEGEND_LAYERS;
        JFreeChart chart = ChartStyle.chart(data.title(), plot, itemLegend);
        if (!itemLegend) {
            chart.addSubtitle(layerBar(layers));
        }
        String subtitle = layers + " layers, scores sorted within each layer";
        if (dropped > 0) {
            subtitle += "; " + dropped + (dropped == 1 ? " score" : " scores") + " \u2264 0 not shown on the log axis";
        }
        ChartStyle.subtitle(chart, subtitle);
        return chart;
    }

    /** Layer i's line colour, constant over [i - 0.5, i + 0.5) so the colour bar has one band per layer. */
    private record LayerColours(int layers) implements PaintScale {
        @Override
        public double getLowerBound() {
            return -0.5;
        }

        @Override
        public double getUpperBound() {
            return layers - 0.5;
        }

        @Override
        public Paint getPaint(double value) {
            long layer = Math.max(0, Math.min(layers - 1, Math.round(value)));
            return Palette.viridis(TOP * layer / Math.max(1, layers - 1));
        }
    }

    private static PaintScaleLegend layerBar(int layers) {
        NumberAxis axis = ChartStyle.indexAxis("layer");
        axis.setRange(-0.5, layers - 0.5);
        PaintScaleLegend legend = new PaintScaleLegend(new LayerColours(layers), axis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setSubdivisionCount(layers); // one band per layer, centred on its tick
        legend.setStripWidth(14);
        legend.setAxisOffset(4);
        legend.setMargin(new RectangleInsets(8, 12, 8, 4));
        return legend;
    }
}
