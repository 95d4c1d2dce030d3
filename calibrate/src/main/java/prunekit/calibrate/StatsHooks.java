package prunekit.calibrate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import prunekit.calibrate.ActivationStats.Block;
import prunekit.core.engine.ForwardHooks;

/**
 * The forward hooks of a statistics pass: every reduction is done in float64 on arrays detached
 * from autograd, so the same hooks serve a plain pass and a pass that also collects gradients.
 * The residual stream between the attention and MLP blocks is the layer's input plus the
 * attention block's output, added as the transformer adds it. Each hook frees its float64 copies
 * before it returns: left to the batch's scope they added up to 1.5 GB per batch of 8 windows at
 * LLaMA-2-7B's width (a (B·T, 11008) float64 input is 90 MB, and there are a dozen such).
 */
final class StatsHooks implements ForwardHooks {
    private final ActivationStats stats;
    private NDArray hIn;  // residual entering the current layer: (B, T, hidden)
    private NDArray hMid; // residual after its attention block, or null

    StatsHooks(ActivationStats stats) {
        this.stats = stats;
    }

    @Override
    public void linearInput(int layer, Site site, NDArray x) {
        try (NDScope scope = new NDScope()) {
            NDArray d = x.stopGradient();
            long c = d.getShape().get(d.getShape().dimension() - 1);
            NDArray flat = d.toType(DataType.FLOAT64, false).reshape(-1, c); // (B·T, C)
            double[] sum = flat.sum(new int[] {0}).toDoubleArray();
            double[] sq = columnSums(flat.square());
            double[] abs = columnSums(flat.abs());
            stats.channel(layer, site).add(sum, sq, abs, flat.getShape().get(0));
            scope.suppressNotUsedWarning();
        }
    }

    /** The column sums of {@code a} (B·T, C), which is freed at once (it is as large as the input). */
    private static double[] columnSums(NDArray a) {
        try (a) {
            return a.sum(new int[] {0}).toDoubleArray();
        }
    }

    @Override
    public void attentionOutput(int layer, NDArray out) {
        hMid = hIn.add(out.stopGradient()); // (B, T, hidden)
        stats.addInfluence(layer, Block.ATTENTION, sumOneMinusCos(hIn, hMid));
    }

    @Override
    public void headOutputs(int layer, NDArray heads) {
        // heads: (B, T, qh, hd) → per-token head norms (B, T, qh) → summed over tokens (qh)
        try (NDScope scope = new NDScope()) {
            NDArray norms = heads.stopGradient().toType(DataType.FLOAT64, false).square().sum(new int[] {-1}).sqrt();
            stats.addHeadNorms(layer, norms.sum(new int[] {0, 1}).toDoubleArray());
            scope.suppressNotUsedWarning();
        }
    }

    @Override
    public void layerInput(int layer, NDArray h) {
        hIn = h.stopGradient();
        hMid = null;
    }

    @Override
    public void layerOutput(int layer, NDArray h) {
        NDArray hOut = h.stopGradient();
        if (stats.config().layer(layer).hasMlp()) {
            stats.addInfluence(layer, Block.MLP, sumOneMinusCos(hMid != null ? hMid : hIn, hOut));
        }
        stats.addInfluence(layer, Block.LAYER, sumOneMinusCos(hIn, hOut));
        hIn = null;
        hMid = null;
    }

    /** Σ over tokens of 1 − cos(a_t, b_t) for a, b: (B, T, hidden), in float64. */
    static double sumOneMinusCos(NDArray a, NDArray b) {
        try (NDScope scope = new NDScope()) {
            NDArray a64 = a.toType(DataType.FLOAT64, false);
            NDArray b64 = b.toType(DataType.FLOAT64, false);
            NDArray dot = a64.mul(b64).sum(new int[] {-1});
            NDArray norms = a64.square().sum(new int[] {-1}).mul(b64.square().sum(new int[] {-1})).sqrt();
            NDArray cos = dot.div(norms.maximum(1e-300));
            scope.suppressNotUsedWarning();
            return cos.neg().add(1).sum().getDouble();
        }
    }
}
