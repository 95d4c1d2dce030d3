package prunekit.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Stroke;
import java.util.List;

/**
 * Colour-blind-safe colours and the line strokes of every chart: Okabe and Ito's eight categorical
 * colours (ordered so that the first ones read well on white) and the viridis ramp for values.
 */
public final class Palette {
    /** Okabe–Ito: blue, orange, bluish green, vermillion, reddish purple, sky blue, black, yellow. */
    public static final List<Color> CATEGORICAL = List.of(
            new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xD55E00),
            new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442));

    /** Viridis sampled at 0, 0.1, ..., 1 (matplotlib's values). */
    private static final int[] VIRIDIS = {
        0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C,
        0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725};

    /** Reference lines (dense model, unrecovered model) in neutral colours. */
    public static final Color REFERENCE = new Color(0x333333);
    public static final Color REFERENCE_SECONDARY = new Color(0x888888);
    public static final Color GRID = new Color(0xDDDDDD);

    private Palette() {
    }

    /** The i-th categorical colour, cycling after eight. */
    public static Color categorical(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("colour index must be >= 0, found " + index);
        }
        return CATEGORICAL.get(index % CATEGORICAL.size());
    }

    /** Viridis at {@code t} in [0, 1] (clamped), linearly interpolated between samples. */
    public static Color viridis(double t) {
        double clamped = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
        double pos = clamped * (VIRIDIS.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, VIRIDIS.length - 1);
        double f = pos - lo;
        Color a = new Color(VIRIDIS[lo]);
        Color b = new Color(VIRIDIS[hi]);
        return new Color(
                (int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }

    /** The same colour with alpha in [0, 255], for overlapping scatter points. */
    public static Color translucent(Color color, int alpha) {
        return new Color(color.getRed(), color.getGreen(), color.getBlue(), alpha);
    }

    public static Stroke solid(float width) {
        return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }

    public static Stroke dashed(float width) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                new float[] {6f * width, 4f * width}, 0f);
    }

    public static Stroke dotted(float width) {
        return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f,
                new float[] {1f, 3f * width}, 0f);
    }
}
