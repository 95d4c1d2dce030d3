package prunekit.viz;

import java.awt.Paint;
import org.jfree.chart.renderer.PaintScale;

/** A JFreeChart {@link PaintScale} from {@code lower} (dark purple) to {@code upper} (yellow). */
final class ViridisScale implements PaintScale {
    private final double lower;
    private final double upper;

    ViridisScale(double lower, double upper) {
        if (!(Double.isFinite(lower) && Double.isFinite(upper) && lower < upper)) {
            throw new IllegalArgumentException("colour scale needs finite lower < upper, found " + lower + ", " + upper);
        }
        this.lower = lower;
        this.upper = upper;
    }

    /** A scale over {@code [min, max]}; a constant range is widened so it stays drawable. */
    static ViridisScale over(double min, double max) {
        if (min == max) {
            double pad = min == 0 ? 1 : Math.abs(min) * 0.01;
            return new ViridisScale(min - pad, max + pad);
        }
        return new ViridisScale(min, max);
    }

    @Override
    public double getLowerBound() {
        return lower;
    }

    @Override
    public double getUpperBound() {
        return upper;
    }

    @Override
    public Paint getPaint(double value) {
        return Palette.viridis((value - lower) / (upper - lower));
    }
}
