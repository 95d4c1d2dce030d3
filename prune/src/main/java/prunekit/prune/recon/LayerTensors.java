package prunekit.prune.recon;

import java.util.EnumMap;
import java.util.Map;
import prunekit.core.io.TensorSource;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
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

    /**
     * Layer {@code i}'s norms and attention block (shape without FFN) read from {@code w} (fp32); {@link #readMlp}
     * reads the rest, {@link #release} tells the source when neither is held.
     */
    static LayerTensors readAttention(TensorSource w, int i) {
        LayerShape s = w.config().layer(i);
        return read(w, i, true, new LayerShape(s.queryHeads(), s.kvHeads(), 0), w.read(TensorNames.inputNorm(i)),
                w.read(TensorNames.postAttentionNorm(i)));
    }

    /** Layer {@code i}'s MLP (shape without heads) read from {@code w}, with this block's norms (not read again). */
    LayerTensors readMlp(TensorSource w, int i) {
        return read(w, i, false, new LayerShape(0, 0, w.config().layer(i).ffn()), inputNorm, postNorm);
    }

    private static LayerTensors read(TensorSource w, int i, boolean attention, LayerShape s, FloatTensor inputNorm,
                                     FloatTensor postNorm) {
        Map<String, int[]> stored = w.shapes();
        Map<Proj, FloatTensor> ws = new EnumMap<>(Proj.class);
        Map<Proj, FloatTensor> bs = new EnumMap<>(Proj.class);
        for (Proj p : Proj.values()) {
            if (p.isAttention() != attention) {
                continue;
            }
            if (stored.containsKey(TensorNames.weight(i, p))) {
                ws.put(p, w.read(TensorNames.weight(i, p)));
            }
            if (stored.containsKey(TensorNames.bias(i, p))) {
                bs.put(p, w.read(TensorNames.bias(i, p)));
            }
        }
        return new LayerTensors(s, inputNorm, postNorm, ws, bs);
    }

    /** Tells {@code w} that layer {@code i} (read by {@link #readAttention} and {@link #readMlp}) is not held. */
    static void release(TensorSource w, int i) {
        Map<String, int[]> stored = w.shapes();
        w.release(TensorNames.inputNorm(i));
        w.release(TensorNames.postAttentionNorm(i));
        for (Proj p : Proj.values()) {
            if (stored.containsKey(TensorNames.weight(i, p))) {
                w.release(TensorNames.weight(i, p));
            }
            if (stored.containsKey(TensorNames.bias(i, p))) {
                w.release(TensorNames.bias(i, p));
            }
        }
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

    /** This layer without {@code p}'s weight (its bias stays): what a step keeps once it no longer needs that matrix. */
    LayerTensors withoutWeight(Proj p) {
        Map<Proj, FloatTensor> ws = new java.util.EnumMap<>(weights);
        ws.remove(p);
        return new LayerTensors(shape, inputNorm, postNorm, ws, biases);
    }

    /** Puts this layer's tensors into {@code out} as layer {@code j}. */
    void putInto(Map<String, FloatTensor> out, int j) {
        out.put(TensorNames.inputNorm(j), inputNorm);
        out.put(TensorNames.postAttentionNorm(j), postNorm);
        weights.forEach((p, t) -> out.put(TensorNames.weight(j, p), t));
        biases.forEach((p, t) -> out.put(TensorNames.bias(j, p), t));
    }
}
