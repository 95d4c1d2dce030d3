package prunekit.viz;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Importance of every attention head as a [layer][head] heat map (viridis: dark = unimportant,
 * yellow = important) with a colour bar, and an optional cross on each pruned head. Layers may
 * have different head counts (after per-layer pruning); cells past a layer's last head are blank.
 *
 * <p>JSON ({@code prunekit plot}):
 * <pre>{@code
 * {
 *   "chart": "head-heatmap",
 *   "title": "Attention head importance (wanda)",   // optional
 *   "score_label": "importance (wanda)",              // optional: the colour bar's label
 *   "log_scale": false,                               // optional: colour by log10(score); scores must be > 0
 *   "scores": [[0.9, 0.1, 0.5, 0.7], [0.3, 0.2], []],  // [layer][head], finite; rows may differ
 *   "pruned": [[1], [], []]                          // optional: pruned head indices per layer
 * }
 * }</pre>
 */
public final class HeadHeatmap {
    private HeadHeatmap() {
    }

    /**
     * The heat map's input; {@code pruned} is empty or has one list per layer. With {@code logScale}
     * the colour follows log10(score), for importances spanning orders of magnitude.
     */
    public record Data(String title, String scoreLabel, boolean logScale, List<List<Double>> scores,
            List<List<Integer>> pruned) implements ChartData {
        public Data {
            title = Checks.textOr(title, "Attention head importance");
            scoreLabel = Checks.textOr(scoreLabel, "importance score");
            scores = Checks.finiteRows(scores, "scores");
            if (scores.isEmpty() || scores.stream().allMatch(List::isEmpty)) {
                throw new IllegalArgumentException("scores has no heads: give one list of head scores per layer");
            }
            if (logScale) {
                for (int layer = 0; layer < scores.size(); layer++) {
                    Checks.positive(scores.get(layer), "scores[" + layer + "] (log_scale)");
                }
            }
            pruned = checkPruned(pruned, scores);
        }

        @Override
        public JFreeChart toChart() {
            return build(this);
        }

        /** Taller for deep models, so a cell stays about 18 px high. */
        @Override
        public ChartSize size() {
            return new ChartSize(900, Math.max(560, Math.min(1600, 200 + 18 * scores.size())));
        }

        public int maxHeads() {
            return scores.stream().mapToInt(List::size).max().orElse(0);
        }
    }

    private static List<List<Integer>> checkPruned(List<List<Integer>> pruned, List<List<Double>> scores) {
        if (pruned == null || pruned.isEmpty()) {
            return List.of();
        }
        List<List<Integer>> outer = Checks.list(pruned, "pruned");
        if (outer.size() != scores.size()) {
            throw new IllegalArgumentException("pruned has " + outer.size() + " layers but scores has "
                    + scores.size() + " (give one list per layer, empty for none)");
        }
        List<List<Integer>> copy = new ArrayList<>();
        for (int layer = 0; layer < outer.size(); layer++) {
            List<Integer> heads = Checks.list(outer.get(layer), "pruned[" + layer + "]");
            for (int head : heads) {
                if (head < 0 || head >= scores.get(layer).size()) {
                    throw new IllegalArgumentException("pruned[" + layer + "] names head " + head
                            + " but layer " + layer + " has " + scores.get(layer).size() + " heads");
                }
            }
            copy.add(heads);
        }
        return List.copyOf(copy);
    }

    /** The heat map as a JFreeChart. */
    public static JFreeChart build(Data data) {
        DefaultXYZDataset cells = cells(data);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < cells.getItemCount(0); i++) {
            min = Math.min(min, cells.getZValue(0, i));
            max = Math.max(max, cells.getZValue(0, i));
        }
        ViridisScale scale = ViridisScale.over(min, max);

        XYBlockRenderer blocks = new XYBlockRenderer();
        blocks.setPaintScale(scale);
        blocks.setDefaultSeriesVisibleInLegend(false);
        NumberAxis heads = ChartStyle.indexAxis("head index");
        heads.setRange(-0.5, data.maxHeads() - 0.5);
        NumberAxis layers = ChartStyle.indexAxis("layer");
        layers.setRange(-0.5, data.scores().size() - 0.5);
        layers.setInverted(true); // layer 0 on top, like a matrix
        XYPlot plot = ChartStyle.xyPlot(cells, heads, layers, blocks);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setBackgroundPaint(Color.WHITE);

        boolean marks = data.pruned().stream().anyMatch(l -> !l.isEmpty());
        if (marks) {
            plot.setDataset(1, prunedCells(data));
            plot.setRenderer(1, crossRenderer());
            plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        }
        JFreeChart chart = ChartStyle.chart(data.title(), plot, marks);
        chart.addSubtitle(colourBar(scale, data.logScale() ? "log10 " + data.scoreLabel() : data.scoreLabel()));
        ChartStyle.subtitle(chart, subtitle(data));
        return chart;
    }

    private static DefaultXYZDataset cells(Data data) {
        int n = data.scores().stream().mapToInt(List::size).sum();
        double[][] xyz = new double[3][n];
        int i = 0;
        for (int layer = 0; layer < data.scores().size(); layer++) {
            List<Double> row = data.scores().get(layer);
            for (int head = 0; head < row.size(); head++, i++) {
                xyz[0][i] = head;
                xyz[1][i] = layer;
                xyz[2][i] = data.logScale() ? Math.log10(row.get(head)) : row.get(head);
            }
        }
        DefaultXYZDataset dataset = new DefaultXYZDataset();
        dataset.addSeries("importance", xyz);
        return dataset;
    }

    private static XYSeriesCollection prunedCells(Data data) {
        XYSeries series = new XYSeries("pruned head", false, true);
        for (int layer = 0; layer < data.pruned().size(); layer++) {
            for (int head : data.pruned().get(layer)) {
                series.add(head, layer);
            }
        }
        return new XYSeriesCollection(series);
    }

    /** White crosses with a dark outline: visible on both ends of viridis. */
    private static XYLineAndShapeRenderer crossRenderer() {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        renderer.setSeriesShape(0, ShapeUtils.createDiagonalCross(5f, 1.5f));
        renderer.setUseFillPaint(true);
        renderer.setUseOutlinePaint(true);
        renderer.setDrawOutlines(true);
        renderer.setSeriesFillPaint(0, Color.WHITE);
        renderer.setSeriesPaint(0, Color.WHITE);
        renderer.setSeriesOutlinePaint(0, Color.BLACK);
        renderer.setSeriesOutlineStroke(0, Palette.solid(0.8f));
        return renderer;
    }

    private static PaintScaleLegend colourBar(ViridisScale scale, String label) {
        NumberAxis axis = ChartStyle.numberAxis(label);
        axis.setRange(scale.getLowerBound(), scale.getUpperBound());
        PaintScaleLegend legend = new PaintScaleLegend(scale, axis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setSubdivisionCount(256);
        legend.setStripWidth(16);
        legend.setAxisOffset(4);
        legend.setMargin(new RectangleInsets(8, 12, 8, 4));
        legend.setStripOutlineVisible(true);
        return legend;
    }

    private static String subtitle(Data data) {
        int heads = data.scores().stream().mapToInt(List::size).sum();
        int pruned = data.pruned().stream().mapToInt(List::size).sum();
        String text = data.scores().size() + " layers, " + heads + " heads";
        return pruned == 0 ? text : text + ", " + pruned + " pruned (×)";
    }
}
