package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What a {@link LayerStreamer} run does at each decoder layer besides running it: hooks that watch
 * the layer's run over every batch (statistics), a chance to replace the layer before it runs (a
 * layer pruned on the inputs that reached it, so the pruned outputs propagate: sequential pruning),
 * and a notice when it is done. Every method has a default that changes nothing.
 */
public interface LayerStep {
    LayerStep NONE = new LayerStep() { };

    /** The hooks that see layer {@code layer} run over every batch, or null. */
    default ForwardHooks hooks(int layer) {
        return null;
    }

    /**
     * Layer {@code layer}'s weights are resident as {@code resident}; {@code inputs} are the hidden
     * states entering it, one (B, T, hidden) per batch (read them, do not close them). Returns the
     * params to run the layer with: {@code resident}, or new ones (owned by the step, closed by it)
     * whose config gives layer {@code layer} their shapes.
     */
    default Params prepare(int layer, Params resident, List<NDArray> inputs) {
        return resident;
    }

    /** Layer {@code layer} ran over every batch; its weights are freed after this returns. */
    default void done(int layer) {
    }
}
