package prunekit.calibrate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import prunekit.core.engine.Losses;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.WindowBatch;

/**
 * The mean next-token loss of a model over explicit windows (e.g. a {@link CalibrationSet}'s
 * held-out split): each window's first {@code len} tokens are inputs and tokens 1..len targets,
 * {@code batch} windows per forward, the per-window sums added in double.
 */
public final class WindowLoss {
    private WindowLoss() {
    }

    public static double meanNll(Transformer model, int[][] windows, int len, int batch) {
        if (windows.length == 0) {
            throw new IllegalArgumentException("no windows to evaluate");
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        double total = 0;
        for (int w0 = 0; w0 < windows.length; w0 += batch) {
            int b = Math.min(batch, windows.length - w0);
            try (NDManager m = model.manager().newSubManager()) {
                WindowBatch cut = WindowBatch.of(windows, w0, b, len);
                NDArray ids = cut.inputArray(m);
                NDArray targets = cut.targetArray(m);
                try (NDArray logits = model.forward(ids, null, null);
                     NDArray nll = Losses.tokenNll(logits, targets).sum(new int[] {1})) {
                    for (float s : nll.toFloatArray()) {
                        total += s;
                    }
                }
            }
        }
        return total / ((double) windows.length * len);
    }
}
