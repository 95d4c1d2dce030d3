package prunekit.viz;

/**
 * Picks at most {@code max} evenly spaced indices of a long series (always the first and the last),
 * so a 11008-channel curve or a 100k-step loss log stays a small SVG without changing its shape.
 */
final class Downsample {
    private Downsample() {
    }

    static int[] indices(int n, int max) {
        if (n < 0 || max < 2) {
            throw new IllegalArgumentException("need n >= 0 and max >= 2, found n=" + n + ", max=" + max);
        }
        int m = Math.min(n, max);
        int[] out = new int[m];
        for (int k = 0; k < m; k++) {
            out[k] = m == 1 ? 0 : (int) Math.round((double) k * (n - 1) / (m - 1));
        }
        return out;
    }
}
