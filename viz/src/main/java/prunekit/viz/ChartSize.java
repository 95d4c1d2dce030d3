package prunekit.viz;

/** The pixel size of a rendered chart (the PNG's size and the SVG's view box). */
public record ChartSize(int width, int height) {
    /** 900 × 560: readable on a laptop screen and in a report column. */
    public static final ChartSize DEFAULT = new ChartSize(900, 560);

    public ChartSize {
        if (width < 100 || height < 100 || width > 8000 || height > 8000) {
            throw new IllegalArgumentException("chart size must be within 100..8000 px, found " + width + "x" + height);
        }
    }
}
