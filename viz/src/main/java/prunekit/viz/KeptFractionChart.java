package prunekit.viz;

import java.awt.Color;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * What a pruning plan keeps of each layer: per layer, the kept fraction of attention heads and of
 * MLP channels as two bars side by side. Either list may be empty when only the other part was
 * pruned.
 *
 * <p>JSON:
 * <pre>{@code
 * {
 *   "chart": "kept-fraction",
 *   "title": "Kept fraction per layer",   // optional
 *   "attention": [1.0, 0.75, 0.5],        // per layer, in [0, 1]; may be []
 *   "mlp": [0.9, 0.6, 0.45]               // per layer, in [0, 1]; may be []
 * }
 * }</pre>
 */
public final class KeptFractionChart {
    static final String ATTENTION = "attention heads";
    static final String MLP = "MLP channels";

    private KeptFractionChart() {
    }

    /** Kept fractions per layer; both lists have one value per layer unless one is empty. */
    public record Data(String title, List<Double> attention, List<Double> mlp) implements ChartData {
        public Data {
            title = Checks.textOr(title, "Kept fraction per layer");
            attention = fractions(attention == null ? List.of() : attention, "attention");
            mlp = fractions(mlp == null ? List.of() : mlp, "mlp");
            if (attention.isEmpty() && mlp.isEmpty()) {
                throw new IllegalArgumentException("attention and mlp are both empty: give kept fractions per layer");
            }
            if (!attention.isEmpty() && !mlp.isEmpty()) {
                Checks.sameSize(attention, "attention", mlp, "mlp");
            }
        }

        @Override
        public JFreeChart toChart() {
            return build(this);
        }

        public int layers() {
            return Math.max(attention.size(), mlp.size());
        }
    }

    private static List<Double> fractions(List<Double> values, String what) {
        List<Double> copy = Checks.finite(values, what);
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i) < 0 || copy.get(i) > 1) {
                throw new IllegalArgumentException(what + "[" + i + "] must be a fraction in [0, 1], found " + copy.get(i));
            }
        }
        return copy;
    }

    /** The bars as a JFreeChart. */
    public static JFreeChart build(Data data) {
        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        renderer.setItemMargin(0.04);
        int series = 0;
        if (!data.attention().isEmpty()) {
            add(bars, ATTENTION, data.attention());
            renderer.setSeriesPaint(series++, Palette.categorical(0));
        }
        if (!data.mlp().isEmpty()) {
            add(bars, MLP, data.mlp());
            renderer.setSeriesPaint(series, Palette.categorical(1));
        }
        CategoryAxis layers = new CategoryAxis("layer");
        ChartStyle.style(layers);
        layers.setCategoryMargin(0.15);
        layers.setLowerMargin(0.01);
        layers.setUpperMargin(0.01);
        if (data.layers() > 40) {
            layers.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        }
        NumberAxis kept = ChartStyle.percentAxis("kept (% of the layer's original units)", 1.0);
        kept.setRange(0, 1.05);
        CategoryPlot plot = new CategoryPlot(bars, layers, kept, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Palette.GRID);
        plot.setOutlineVisible(false);
        JFreeChart chart = ChartStyle.chart(data.title(), plot, true);
        ChartStyle.subtitle(chart, subtitle(data));
        return chart;
    }

    private static void add(DefaultCategoryDataset bars, String series, List<Double> values) {
        for (int layer = 0; layer < values.size(); layer++) {
            bars.addValue(values.get(layer), series, Integer.valueOf(layer));
        }
    }

    private static String subtitle(Data data) {
        StringBuilder text = new StringBuilder("mean over " + data.layers() + " layers:");
        if (!data.attention().isEmpty()) {
            text.append(String.format(Locale.ROOT, " %s %.1f%%", ATTENTION, 100 * mean(data.attention())));
        }
        if (!data.mlp().isEmpty()) {
            text.append(data.attention().isEmpty() ? "" : ",");
            text.append(String.format(Locale.ROOT, " %s %.1f%%", MLP, 100 * mean(data.mlp())));
        }
        return text.toString();
    }

    private static double mean(List<Double> values) {
        return Stats.mean(Checks.toArray(values));
    }
}
