package prunekit.core.engine;

import ai.djl.ndarray.NDArray;

/** Loss functions over logits, written once for evaluation and training. */
public final class Losses {
    private Losses() {
    }

    /** Per-token negative log-likelihood: logits (B, T, V), targets (B, T) int64 → (B, T). */
    public static NDArray tokenNll(NDArray logits, NDArray targets) {
        NDArray logp = logits.logSoftmax(-1);
        return logp.gather(targets.expandDims(-1), -1).squeeze(-1).neg();
    }
}
