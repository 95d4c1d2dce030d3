package prunekit.viz;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * A base-10 log axis whose ticks are plain numbers people read, {@code 10, 20, 50, 100}, and dense
 * enough to read a perplexity off a curve that spans less than a decade (JFreeChart's own log axes
 * label only powers of ten there, i.e. one tick or none).
 */
final class PlainLogAxis extends LogAxis {
    private static final long serialVersionUID = 1L;
    /** Mantissa sets from densest to sparsest; the densest that fits is used. */
    private static final int[][] MANTISSAS = {{1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 5}, {1, 2, 5}, {1, 3}, {1}};

    PlainLogAxis(String label) {
        super(label);
        setSmallestValue(1e-300);
    }

    @Override
    protected List refreshTicksHorizontal(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        int max = Math.max(2, (int) (dataArea.getWidth() / 70));
        TextAnchor anchor = edge == RectangleEdge.TOP ? TextAnchor.BOTTOM_CENTER : TextAnchor.TOP_CENTER;
        return ticks(max, anchor);
    }

    @Override
    protected List refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        int max = Math.max(2, (int) (dataArea.getHeight() / 32));
        TextAnchor anchor = edge == RectangleEdge.RIGHT ? TextAnchor.CENTER_LEFT : TextAnchor.CENTER_RIGHT;
        return ticks(max, anchor);
    }

    private List<NumberTick> ticks(int maxTicks, TextAnchor anchor) {
        List<NumberTick> ticks = new ArrayList<>();
        for (BigDecimal value : tickValues(getLowerBound(), getUpperBound(), maxTicks)) {
            ticks.add(new NumberTick(TickType.MAJOR, value.doubleValue(), label(value), anchor, anchor, 0.0));
        }
        return ticks;
    }

    /**
     * Tick values in {@code [lo, hi]}: {@code m·10^k} for the densest mantissa set giving at most
     * {@code maxTicks} ticks; sparser powers of ten over many decades; evenly spaced ticks when the
     * range is too narrow to hold two of those.
     */
    static List<BigDecimal> tickValues(double lo, double hi, int maxTicks) {
        if (!(lo > 0 && hi > lo && Double.isFinite(hi))) {
            return List.of();
        }
        int first = (int) Math.floor(Math.log10(lo));
        int last = (int) Math.ceil(Math.log10(hi));
        for (int[] set : MANTISSAS) {
            List<BigDecimal> values = decades(lo, hi, first, last, set, 1);
            if (values.size() <= maxTicks) {
                return values.size() >= 2 ? values : linear(lo, hi);
            }
        }
        for (int step = 2; ; step++) {
            List<BigDecimal> values = decades(lo, hi, first, last, new int[] {1}, step);
            if (values.size() <= maxTicks) {
                return values;
            }
        }
    }

    private static List<BigDecimal> decades(double lo, double hi, int first, int last, int[] mantissas, int step) {
        List<BigDecimal> values = new ArrayList<>();
        for (int k = first; k <= last; k++) {
            if (Math.floorMod(k, step) != 0) {
                continue;
            }
            for (int m : mantissas) {
                BigDecimal v = BigDecimal.valueOf(m).scaleByPowerOfTen(k);
                double d = v.doubleValue();
                if (d >= lo && d <= hi) {
                    values.add(v);
                }
            }
        }
        return values;
    }

    /** About five evenly spaced ticks at a 1-2-5 step, for ranges narrower than one mantissa step. */
    private static List<BigDecimal> linear(double lo, double hi) {
        double raw = (hi - lo) / 5;
        int exponent = (int) Math.floor(Math.log10(raw));
        double scaled = raw / Math.pow(10, exponent);
        int mantissa = scaled < 1.5 ? 1 : scaled < 3.5 ? 2 : scaled < 7.5 ? 5 : 10;
        BigDecimal step = BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exponent);
        List<BigDecimal> values = new ArrayList<>();
        BigDecimal v = step.multiply(BigDecimal.valueOf(Math.ceil(lo / step.doubleValue())));
        while (v.doubleValue() <= hi) {
            values.add(v);
            v = v.add(step);
        }
        return values;
    }

    /** {@code 0.05, 20, 1000} as plain text; scientific outside 1e-4..1e6. */
    static String label(BigDecimal value) {
        BigDecimal plain = value.stripTrailingZeros();
        double abs = Math.abs(plain.doubleValue());
        if (abs != 0 && (abs < 1e-4 || abs >= 1e7)) {
            return plain.unscaledValue() + "e" + (-plain.scale());
        }
        return plain.toPlainString();
    }
}
