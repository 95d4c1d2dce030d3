package prunekit.prune.group;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * The tensors coupling groups are counted on and cut from: those of a model of config {@code config}
 * (HF name → shape, checkpoint order), optionally with a bias on every projection (what FLAP's bias
 * compensation gives the model before cutting). A group's cost is the number of parameters its
 * slices cover here.
 */
public record ModelTensors(LlamaConfig config, Map<String, int[]> shapes) {
    public ModelTensors {
        shapes = Collections.unmodifiableMap(new LinkedHashMap<>(shapes));
    }

    /** The tensors of a model of config {@code c}. */
    public static ModelTensors of(LlamaConfig c) {
        return new ModelTensors(c, LlamaWeights.expectedShapes(c));
    }

    /** These tensors plus a bias (one value per output row) for every projection weight that has none. */
    public ModelTensors withEveryBias() {
        Map<String, int[]> m = new LinkedHashMap<>(shapes);
        for (int i = 0; i < config.numLayers(); i++) {
            for (Proj p : Proj.values()) {
                int[] w = shapes.get(TensorNames.weight(i, p));
                if (w != null) {
                    m.putIfAbsent(TensorNames.bias(i, p), new int[] {w[0]});
                }
            }
        }
        return new ModelTensors(config, m);
    }

    /** Whether some tensor of an attention (or, with {@code attention} false, MLP) projection is a bias. */
    public boolean hasBiases(boolean attention) {
        for (int i = 0; i < config.numLayers(); i++) {
            for (Proj p : Proj.values()) {
                if (p.isAttention() == attention && shapes.containsKey(TensorNames.bias(i, p))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every parameter of these tensors. */
    public long parameters() {
        return shapes.values().stream().mapToLong(FloatTensor::numel).sum();
    }

    /** The parameters {@code g}'s slices cover in these tensors (slices of absent tensors cover none). */
    public long parameters(CouplingGroup g) {
        long n = 0;
        for (Slice s : g.slices(config)) {
            int[] shape = shapes.get(s.tensor());
            if (shape != null) {
                n += s.parameters(shape);
            }
        }
        return n;
    }

    /** What stays of these tensors when {@code removed} groups are cut out. */
    public Cut cut(Collection<? extends CouplingGroup> removed) {
        return new Cut(this, removed);
    }
}
