package prunekit.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Token windows cut for next-token prediction, the one place that does it: {@code rows} windows
 * of at least {@code seq + 1} ids give the inputs (ids 0..seq-1 of each window) and the targets
 * (ids 1..seq), both (rows, seq) row-major.
 */
public record WindowBatch(int rows, int seq, long[] inputs, long[] targets) {
    public WindowBatch {
        if (rows <= 0 || seq <= 0 || inputs.length != (long) rows * seq || targets.length != inputs.length) {
            throw new IllegalArgumentException("a batch of " + rows + " × " + seq + " needs " + rows * seq
                    + " inputs and targets, got " + inputs.length + " and " + targets.length);
        }
    }

    /** Windows {@code from .. from + rows - 1} of {@code windows}. */
    public static WindowBatch of(int[][] windows, int from, int rows, int seq) {
        if (from < 0 || rows <= 0 || from + rows > windows.length) {
            throw new IllegalArgumentException("windows " + from + ".." + (from + rows - 1) + " asked of "
                    + windows.length);
        }
        long[] in = new long[rows * seq];
        long[] tg = new long[rows * seq];
        for (int r = 0; r < rows; r++) {
            int[] w = windows[from + r];
            if (w.length < seq + 1) {
                throw new IllegalArgumentException("window " + (from + r) + " has " + w.length
                        + " ids, fewer than seq + 1 = " + (seq + 1));
            }
            for (int j = 0; j < seq; j++) {
                in[r * seq + j] = w[j];
                tg[r * seq + j] = w[j + 1];
            }
        }
        return new WindowBatch(rows, seq, in, tg);
    }

    /** The inputs as {@code rows} arrays of {@code seq} ids (a {@code LayerStreamer} batch). */
    public int[][] inputRows() {
        int[][] out = new int[rows][seq];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < seq; t++) {
                out[r][t] = Math.toIntExact(inputs[r * seq + t]);
            }
        }
        return out;
    }

    /** (rows, seq). */
    public Shape shape() {
        return new Shape(rows, seq);
    }

    /** The inputs as a (rows, seq) int64 array of {@code m}. */
    public NDArray inputArray(NDManager m) {
        return m.create(inputs, shape());
    }

    /** The targets as a (rows, seq) int64 array of {@code m}. */
    public NDArray targetArray(NDManager m) {
        return m.create(targets, shape());
    }
}
