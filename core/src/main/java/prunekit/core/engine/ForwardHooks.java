package prunekit.core.engine;

import ai.djl.ndarray.NDArray;

/**
 * Where later stages read activations during a forward pass. Arrays are only valid during the
 * call: copy or reduce what you need. The default methods do nothing, so a hook implements only
 * the sites it wants. During training the arrays carry autograd history; hooks must not modify them.
 */
public interface ForwardHooks {
    ForwardHooks NONE = new ForwardHooks() { };

    /** The input of a group of linear layers. */
    enum Site {
        /** normed hidden state entering q/k/v: (B, T, hidden). */
        ATTN_INPUT,
        /** concatenated head outputs entering o_proj: (B, T, queryHeads * headDim). */
        O_PROJ_INPUT,
        /** normed hidden state entering gate/up: (B, T, hidden). */
        MLP_INPUT,
        /** SwiGLU activation entering down_proj: (B, T, ffn). */
        DOWN_PROJ_INPUT
    }

    default void linearInput(int layer, Site site, NDArray x) {
    }

    /** Per-head attention outputs before o_proj: (B, T, queryHeads, headDim). */
    default void headOutputs(int layer, NDArray heads) {
    }

    /**
     * The attention block's output, o_proj applied (bias included), before it is added to the
     * residual stream: (B, T, hidden). The residual between the attention and MLP blocks is the
     * layer's input plus this.
     */
    default void attentionOutput(int layer, NDArray out) {
    }

    /**
     * The MLP block's output, down_proj applied (bias included), before it is added to the
     * residual stream: (B, T, hidden).
     */
    default void mlpOutput(int layer, NDArray out) {
    }

    /** Residual stream entering layer {@code layer}: (B, T, hidden). */
    default void layerInput(int layer, NDArray h) {
    }

    /** Residual stream leaving layer {@code layer}: (B, T, hidden). */
    default void layerOutput(int layer, NDArray h) {
    }
}
