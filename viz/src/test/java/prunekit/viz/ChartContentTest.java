package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;

/** What each chart draws: the cells, curves, strokes and legend texts that carry its meaning. */
class ChartContentTest {
    @Test
    void heatmapColoursPresentCellsAndLeavesMissingOnesBlank() {
        HeadHeatmap.Data data = ChartFixtures.heatmap();
        JFreeChart chart = data.toChart();
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage image = chart.createBufferedImage(900, 560, BufferedImage.TYPE_INT_RGB, info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        XYPlot plot = chart.getXYPlot();

        // layer 0, head 3 scores 0.7 of the range 0.05..0.95 → viridis((0.7-0.05)/0.9)
        Color expected = Palette.viridis((0.7 - 0.05) / 0.9);
        assertClose(expected, pixel(image, plot, area, 3, 0));
        assertEquals(Color.WHITE, pixel(image, plot, area, 3, 1), "layer 1 has only 3 heads");
        assertEquals(Color.WHITE, pixel(image, plot, area, 0, 3), "layer 3 has no attention");
        assertTrue(legendLabels(chart.getPlot().getLegendItems()).contains("pruned head"));
    }

    @Test
    void heatmapWithoutPrunedHeadsHasNoMarkLegend() {
        HeadHeatmap.Data data = new HeadHeatmap.Data(null, null, false, List.of(List.of(1.0, 2.0)), null);
        assertEquals(null, data.toChart().getLegend());
        assertEquals(1, data.toChart().getXYPlot().getDatasetCount());
    }

    @Test
    void channelRankTicksAreTenPercentApartSoTheirLabelsNeverTouch() {
        JFreeChart chart = ChartFixtures.channels(6, false).toChart();
        chart.createBufferedImage(900, 560); // lays the axis out
        org.jfree.chart.axis.NumberAxis x = (org.jfree.chart.axis.NumberAxis) chart.getXYPlot().getDomainAxis();
        assertEquals(0.1, x.getTickUnit().getSize(), 1e-12);
        assertEquals("50%", x.getTickUnit().valueToString(0.5));
    }

    @Test
    void channelCurvesAreSortedDescendingOverRankFraction() {
        ChannelImportanceChart.Data data = new ChannelImportanceChart.Data(null, null, false,
                List.of(List.of(3.0, 1.0, 2.0, 5.0, 4.0), List.of(0.5, 0.25)));
        XYDataset curves = data.toChart().getXYPlot().getDataset();
        assertEquals(2, curves.getSeriesCount());
        double[] x = new double[5];
        double[] y = new double[5];
        for (int i = 0; i < 5; i++) {
            x[i] = curves.getXValue(0, i);
            y[i] = curves.getYValue(0, i);
        }
        assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0), boxed(x));
        assertEquals(List.of(5.0, 4.0, 3.0, 2.0, 1.0), boxed(y));
    }

    @Test
    void channelCurvesAreThinnedButKeepBothEnds() {
        List<Double> wide = new ArrayList<>();
        for (int c = 0; c < 11008; c++) {
            wide.add((double) c);
        }
        XYDataset curves = new ChannelImportanceChart.Data(null, null, false, List.of(wide)).toChart()
                .getXYPlot().getDataset();
        int n = curves.getItemCount(0);
        assertEquals(ChannelImportanceChart.MAX_POINTS, n);
        assertEquals(11007.0, curves.getYValue(0, 0));
        assertEquals(0.0, curves.getYValue(0, n - 1));
    }

    @Test
    void scatterLegendCarriesEachScorersSpearman() {
        JFreeChart chart = ChartFixtures.scatter().toChart();
        List<String> labels = legendLabels(chart.getPlot().getLegendItems());
        // wanda ranks vs oracle ranks (ties averaged) worked out in Stats; here only the text form
        double rho = ChartFixtures.scatter().scorers().get(0).spearman();
        assertEquals(String.format(java.util.Locale.ROOT, "wanda (ρ = %.2f, n = 8)", rho), labels.get(0));
        assertEquals(3, labels.size());
    }

    @Test
    void keepRatioDashesAdaptiveAndColoursByScorer() {
        XYPlot plot = ChartFixtures.keepRatio().toChart().getXYPlot();
        XYItemRenderer renderer = plot.getRenderer();
        assertEquals(renderer.getSeriesPaint(0), renderer.getSeriesPaint(1), "same scorer, same colour");
        assertNotEquals(renderer.getSeriesPaint(0), renderer.getSeriesPaint(2), "other scorer, other colour");
        assertEquals(null, ((java.awt.BasicStroke) renderer.getSeriesStroke(0)).getDashArray(), "uniform is solid");
        assertTrue(((java.awt.BasicStroke) renderer.getSeriesStroke(1)).getDashArray() != null, "adaptive is dashed");
        assertEquals(8.9, ((ValueMarker) plot.getRangeMarkers(Layer.FOREGROUND).iterator().next()).getValue());
        assertTrue(plot.getRangeAxis().getLowerBound() < 8.9, "the dense line is inside the axis range");
    }

    @Test
    void recoveryShowsDenseAndUnrecoveredLinesInRange() {
        XYPlot plot = ChartFixtures.recovery().toChart().getXYPlot();
        List<Double> lines = new ArrayList<>();
        for (Object marker : plot.getRangeMarkers(Layer.FOREGROUND)) {
            lines.add(((ValueMarker) marker).getValue());
        }
        assertEquals(List.of(8.9, 41.0), lines);
        assertTrue(plot.getRangeAxis().getRange().contains(8.9) && plot.getRangeAxis().getRange().contains(41.0));
    }

    @Test
    void speedQualityLabelsEveryPoint() {
        XYPlot plot = ChartFixtures.speedQuality().toChart().getXYPlot();
        String label = plot.getRenderer().getDefaultItemLabelGenerator().generateLabel(plot.getDataset(), 2, 0);
        assertEquals("pruned 2.7B + recovery (2.30×, 11.40)", label);
    }

    @Test
    void lossCurveDrawsTrainAndValidationPerRun() {
        List<String> labels = legendLabels(ChartFixtures.loss().toChart().getXYPlot().getLegendItems());
        assertEquals(List.of("ours: train", "ours: validation", "reference: train", "reference: validation"), labels);
    }

    private static Color pixel(BufferedImage image, XYPlot plot, Rectangle2D area, double head, double layer) {
        int x = (int) plot.getDomainAxis().valueToJava2D(head, area, plot.getDomainAxisEdge());
        int y = (int) plot.getRangeAxis().valueToJava2D(layer, area, plot.getRangeAxisEdge());
        return new Color(image.getRGB(x, y));
    }

    private static void assertClose(Color expected, Color actual) {
        int diff = Math.abs(expected.getRed() - actual.getRed()) + Math.abs(expected.getGreen() - actual.getGreen())
                + Math.abs(expected.getBlue() - actual.getBlue());
        assertTrue(diff <= 6, "expected " + expected + " but the pixel is " + actual);
    }

    private static List<String> legendLabels(LegendItemCollection items) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < items.getItemCount(); i++) {
            LegendItem item = items.get(i);
            labels.add(item.getLabel());
        }
        return labels;
    }

    private static List<Double> boxed(double[] values) {
        List<Double> out = new ArrayList<>();
        for (double v : values) {
            out.add(v);
        }
        return out;
    }
}
