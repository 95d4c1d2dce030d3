package prunekit.prune.recon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.function.UnaryOperator;
import prunekit.core.engine.Engines;

/**
 * In-place updates of a slice of a large native matrix (H, H⁻¹, W of the wide path). PyTorch's basic
 * slices are views, so an in-place op on {@code get(slice)} already writes the matrix and copying the
 * result back with {@code set} would only add two passes over the slice; DJL does not promise views,
 * so that is probed once and {@code set} used where slices turn out to be copies.
 */
final class NativeSlices {
    private static final boolean VIEWS = probe();

    private NativeSlices() {
    }

    /** a[idx] ← f(a[idx]), where f updates its argument in place (subi, addi, …) and returns it. */
    static void update(NDArray a, NDIndex idx, UnaryOperator<NDArray> f) {
        NDArray r = f.apply(a.get(idx));
        if (!VIEWS) {
            a.set(idx, r);
        }
    }

    private static boolean probe() {
        try (NDManager m = Engines.newManager()) {
            NDArray a = m.zeros(new Shape(2, 2));
            a.get(new NDIndex("0:1, 0:2")).addi(1);
            return a.getFloat(0, 0) == 1f && a.getFloat(1, 0) == 0f;
        }
    }
}
