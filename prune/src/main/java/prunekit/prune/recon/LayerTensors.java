package prunekit.prune.recon;

import java.util.EnumMap;
import java.util.Map;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * The tensors of one decoder layer, by role: its two norms, the projection weights (out, in) and
 * biases that exist. A block the layer lacks (no heads, or no FFN) has no projections.
 */
public record LayerTensors(LayerShape shape, FloatTensor inputNorm, FloatTensor postNorm, Map<Proj, FloatTensor> weights,
                    Map<Proj, FloatTensor> biases) {
    public LayerTensors {
        weights = Map.copyOf(weights);
        biases = Map.copyOf(biases);
    }

    /** Layer {@code i} of {@code w}. */
    static LayerTensors of(LlamaWeights w, int i) {
        Map<Proj, FloatTensor> ws = new EnumMap<>(Proj.class);
        Map<Proj, FloatTensor> bs = new EnumMap<>(Proj.class);
        for (Proj p : Proj.values()) {
            FloatTensor t = w.getOrNull(TensorNames.weight(i, p));
            if (t != null) {
                ws.put(p, t);
            }
            FloatTensor b = w.getOrNull(TensorNames.bias(i, p));
            if (b != null) {
                bs.put(p, b);
            }
        }
        return new LayerTensors(w.config().layer(i), w.get(TensorNames.inputNorm(i)),
                w.get(TensorNames.postAttentionNorm(i)), ws, bs);
    }

    FloatTensor weight(Proj p) {
        FloatTensor t = weights.get(p);
        if (t == null) {
            throw new IllegalStateException("layer has no " + p.path + " (shape " + shape + ")");
        }
        return t;
    }

    /** The same layer keeping only its attention block (FFN width 0) or only its MLP (no heads). */
    LayerTensors only(boolean attention) {
        Map<Proj, FloatTensor> ws = new EnumMap<>(Proj.class);
        Map<Proj, FloatTensor> bs = new EnumMap<>(Proj.class);
        weights.forEach((p, t) -> {
            if (p.isAttention() == attention) {
                ws.put(p, t);
            }
        });
        biases.forEach((p, t) -> {
            if (p.isAttention() == attention) {
                bs.put(p, t);
            }
        });
        LayerShape s = attention ? new LayerShape(shape.queryHeads(), shape.kvHeads(), 0)
                : new LayerShape(0, 0, shape.ffn());
        return new LayerTensors(s, inputNorm, postNorm, ws, bs);
    }

    /** Puts this layer's tensors into {@code out} as layer {@code j}. */
    void putInto(Map<String, FloatTensor> out, int j) {
        out.put(TensorNames.inputNorm(j), inputNorm);
        out.put(TensorNames.postAttentionNorm(j), postNorm);
        weights.forEach((p, t) -> out.put(TensorNames.weight(j, p), t));
        biases.forEach((p, t) -> out.put(TensorNames.bias(j, p), t));
    }
}
