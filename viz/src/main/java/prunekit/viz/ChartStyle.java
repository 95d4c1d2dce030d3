package prunekit.viz;

import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Stroke;
import java.awt.geom.Line2D;
import java.text.NumberFormat;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYDataset;

/**
 * The one look of every prunekit chart: white background, light grid, sans-serif fonts sized for a
 * 900 px wide image, legend at the bottom, axes built here so their labels and ticks match.
 */
final class ChartStyle {
    static {
        Headless.ensure(); // before any AWT class reads the property
    }

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font ANNOTATION = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private ChartStyle() {
    }

    /** A chart around {@code plot} with prunekit's title, background and legend. */
    static JFreeChart chart(String title, Plot plot, boolean legend) {
        JFreeChart chart = new JFreeChart(title, TITLE, plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(8, 8, 8, 12));
        chart.getTitle().setPaint(Color.BLACK);
        LegendTitle legendTitle = chart.getLegend();
        if (legendTitle != null) {
            legendTitle.setItemFont(LEGEND);
            legendTitle.setFrame(BlockBorder.NONE);
            legendTitle.setBackgroundPaint(Color.WHITE);
            legendTitle.setPosition(RectangleEdge.BOTTOM);
            legendTitle.setItemLabelPadding(new RectangleInsets(2, 4, 2, 12));
        }
        return chart;
    }

    /** A grey line of text under the title. */
    static void subtitle(JFreeChart chart, String text) {
        TextTitle subtitle = new TextTitle(text, SUBTITLE);
        subtitle.setPaint(new Color(0x444444));
        subtitle.setHorizontalAlignment(HorizontalAlignment.CENTER);
        subtitle.setPadding(new RectangleInsets(2, 0, 6, 0));
        chart.addSubtitle(0, subtitle);
    }

    static NumberAxis numberAxis(String label) {
        NumberAxis axis = new NumberAxis(label);
        style(axis);
        axis.setAutoRangeIncludesZero(false);
        axis.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT)); // same labels everywhere
        return axis;
    }

    /** An axis with integer ticks, for layer and head indices. */
    static NumberAxis indexAxis(String label) {
        NumberAxis axis = numberAxis(label);
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
        return axis;
    }

    /** A log10 axis whose ticks read as plain numbers (20, 50, 100), not powers of ten. */
    static ValueAxis logAxis(String label) {
        PlainLogAxis axis = new PlainLogAxis(label);
        style(axis);
        return axis;
    }

    /** A 0..1 axis labelled in percent, with a tick every 5, 10, 20 or 25 % as the span allows. */
    static NumberAxis percentAxis(String label, double span) {
        NumberAxis axis = numberAxis(label);
        NumberFormat percent = NumberFormat.getPercentInstance(Locale.ROOT);
        double unit = span <= 0.12 ? 0.01 : span <= 0.25 ? 0.025 : span <= 0.6 ? 0.05 : 0.1;
        if (unit < 0.05) {
            percent.setMinimumFractionDigits(unit < 0.02 ? 0 : 1);
        }
        axis.setTickUnit(new NumberTickUnit(unit, percent));
        return axis;
    }

    static NumberAxis tokenAxis(String label) {
        NumberAxis axis = numberAxis(label);
        axis.setNumberFormatOverride(new TokenFormat());
        return axis;
    }

    static void style(Axis axis) {
        axis.setLabelFont(LABEL);
        axis.setTickLabelFont(TICK);
        axis.setLabelPaint(Color.BLACK);
        axis.setTickLabelPaint(new Color(0x333333));
        axis.setAxisLinePaint(new Color(0x666666));
    }

    /** An XY plot with white background, light grid and no outline. */
    static XYPlot xyPlot(XYDataset data, ValueAxis x, ValueAxis y, XYItemRenderer renderer) {
        XYPlot plot = new XYPlot(data, x, y, renderer);
        styleXYPlot(plot);
        return plot;
    }

    static void styleXYPlot(XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Palette.GRID);
        plot.setRangeGridlinePaint(Palette.GRID);
        plot.setDomainGridlineStroke(Palette.solid(0.8f));
        plot.setRangeGridlineStroke(Palette.solid(0.8f));
        plot.setOutlineVisible(false);
        plot.setAxisOffset(new RectangleInsets(4, 4, 4, 4));
    }

    /** A longer legend line, so that dashed and solid series tell apart in the legend. */
    static void longLegendLines(XYLineAndShapeRenderer renderer) {
        renderer.setLegendLine(new Line2D.Double(-14, 0, 14, 0));
    }

    /** Draws each series as one path: the same picture, a much smaller SVG. */
    static XYLineAndShapeRenderer lines(boolean shapes) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, shapes);
        renderer.setDrawSeriesLineAsPath(true);
        return renderer;
    }

    /** A labelled horizontal reference line, e.g. the dense model's perplexity. */
    static ValueMarker horizontalLine(double value, String label, Paint paint, Stroke stroke) {
        ValueMarker marker = new ValueMarker(value, paint, stroke);
        marker.setLabel(label);
        marker.setLabelFont(ANNOTATION);
        marker.setLabelPaint(paint);
        marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        marker.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        marker.setLabelOffset(new RectangleInsets(2, 6, 2, 6));
        marker.setLabelBackgroundColor(new Color(255, 255, 255, 210));
        return marker;
    }

    /**
     * Sets the axis range to cover {@code [min, max]} with a margin (multiplicative on log axes),
     * so that reference lines outside the data stay visible.
     */
    static void cover(ValueAxis axis, double min, double max, boolean log) {
        if (log) {
            double lo = Math.log10(min);
            double hi = Math.log10(max);
            double pad = Math.max(0.05 * (hi - lo), 0.02);
            axis.setRange(Math.pow(10, lo - pad), Math.pow(10, hi + 2 * pad)); // room for a line's label
        } else {
            double pad = max > min ? 0.06 * (max - min) : Math.max(Math.abs(max) * 0.05, 1e-9);
            axis.setRange(min - pad, max + 2 * pad);
        }
    }

    /** {@code "0.82"} or {@code "n/a"} for an undefined correlation. */
    static String rho(double rho) {
        return Double.isNaN(rho) ? "n/a" : String.format(Locale.ROOT, "%.2f", rho);
    }
}
