package prunekit.prune.group;

import java.util.ArrayList;
import java.util.List;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.group.Slice.Axis;

/**
 * A set of rows, columns and elements that must be removed together for the model to stay a
 * model (Torch-Pruning's dependency group, as types). {@link #slices} lists them for a config, in
 * HF tensor names, with the group's bias positions whether or not the model has those biases (a
 * reader skips tensors that are absent). The slices are the one description of the group: every
 * weight-based scorer reads them, {@link ModelTensors} counts the parameters they cover and
 * {@link Cut} cuts them out.
 */
public sealed interface CouplingGroup {
    GroupKind kind();

    /** The layer, or −1 for a group that spans the whole model (a hidden channel). */
    int layer();

    /** The group's index within its row (head, channel; 0 for blocks). */
    int index();

    List<Slice> slices(LlamaConfig c);

    /** A KV head with its query heads: their q/k/v rows and biases and o_proj columns. */
    record KvGroup(int layer, int kvHead) implements CouplingGroup {
        public GroupKind kind() { return GroupKind.KV_GROUP; }
        public int index() { return kvHead; }

        public List<Slice> slices(LlamaConfig c) {
            LayerShape s = requireAttention(c, layer);
            int hd = c.headDim();
            int q0 = kvHead * s.groupSize() * hd;
            int qn = s.groupSize() * hd;
            List<Slice> out = new ArrayList<>();
            out.add(weight(layer, Proj.Q, Axis.ROW, q0, qn));
            out.add(weight(layer, Proj.K, Axis.ROW, kvHead * hd, hd));
            out.add(weight(layer, Proj.V, Axis.ROW, kvHead * hd, hd));
            out.add(weight(layer, Proj.O, Axis.COLUMN, q0, qn));
            out.add(bias(layer, Proj.Q, q0, qn));
            out.add(bias(layer, Proj.K, kvHead * hd, hd));
            out.add(bias(layer, Proj.V, kvHead * hd, hd));
            return out;
        }
    }

    /** One query head inside its KV group: its q rows and bias and o_proj columns. */
    record QueryHead(int layer, int head) implements CouplingGroup {
        public GroupKind kind() { return GroupKind.QUERY_HEAD; }
        public int index() { return head; }

        public List<Slice> slices(LlamaConfig c) {
            requireAttention(c, layer);
            int hd = c.headDim();
            List<Slice> out = new ArrayList<>();
            out.add(weight(layer, Proj.Q, Axis.ROW, head * hd, hd));
            out.add(weight(layer, Proj.O, Axis.COLUMN, head * hd, hd));
            out.add(bias(layer, Proj.Q, head * hd, hd));
            return out;
        }
    }

    /** One MLP channel: its gate and up rows and biases and its down_proj column. */
    record MlpChannel(int layer, int channel) implements CouplingGroup {
        public GroupKind kind() { return GroupKind.MLP_CHANNEL; }
        public int index() { return channel; }

        public List<Slice> slices(LlamaConfig c) {
            if (!c.layer(layer).hasMlp()) {
                throw new IllegalArgumentException("layer " + layer + " has no MLP");
            }
            List<Slice> out = new ArrayList<>();
            out.add(weight(layer, Proj.GATE, Axis.ROW, channel, 1));
            out.add(weight(layer, Proj.UP, Axis.ROW, channel, 1));
            out.add(weight(layer, Proj.DOWN, Axis.COLUMN, channel, 1));
            out.add(bias(layer, Proj.GATE, channel, 1));
            out.add(bias(layer, Proj.UP, channel, 1));
            return out;
        }
    }

    /**
     * One channel of the residual stream, everywhere it appears: embedding column, every norm
     * weight, every projection's input column or output row (and output bias), final norm, lm_head column.
     */
    record HiddenChannel(int channel) implements CouplingGroup {
        public GroupKind kind() { return GroupKind.HIDDEN_CHANNEL; }
        public int layer() { return -1; }
        public int index() { return channel; }

        public List<Slice> slices(LlamaConfig c) {
            List<Slice> out = new ArrayList<>();
            out.add(new Slice(TensorNames.EMBED, -1, null, Axis.COLUMN, channel, 1));
            for (int i = 0; i < c.numLayers(); i++) {
                LayerShape s = c.layer(i);
                out.add(new Slice(TensorNames.inputNorm(i), i, null, Axis.ELEMENT, channel, 1));
                if (s.hasAttention()) {
                    for (Proj p : new Proj[] {Proj.Q, Proj.K, Proj.V}) {
                        out.add(weight(i, p, Axis.COLUMN, channel, 1));
                    }
                    out.add(weight(i, Proj.O, Axis.ROW, channel, 1));
                    out.add(bias(i, Proj.O, channel, 1));
                }
                out.add(new Slice(TensorNames.postAttentionNorm(i), i, null, Axis.ELEMENT, channel, 1));
                if (s.hasMlp()) {
                    out.add(weight(i, Proj.GATE, Axis.COLUMN, channel, 1));
                    out.add(weight(i, Proj.UP, Axis.COLUMN, channel, 1));
                    out.add(weight(i, Proj.DOWN, Axis.ROW, channel, 1));
                    out.add(bias(i, Proj.DOWN, channel, 1));
                }
            }
            out.add(new Slice(TensorNames.FINAL_NORM, -1, null, Axis.ELEMENT, channel, 1));
            if (!c.tieWordEmbeddings()) {
                out.add(new Slice(TensorNames.LM_HEAD, -1, null, Axis.COLUMN, channel, 1));
            }
            return out;
        }
    }

    /** A layer's whole attention block: every q/k/v/o weight and bias. */
    record AttentionBlock(int layer) implements CouplingGroup {
        public GroupKind kind() { return GroupKind.ATTENTION_BLOCK; }
        public int index() { return 0; }

        public List<Slice> slices(LlamaConfig c) {
            LayerShape s = requireAttention(c, layer);
            int q = s.queryHeads() * c.headDim();
            int kv = s.kvHeads() * c.headDim();
            List<Slice> out = new ArrayList<>();
            out.add(weight(layer, Proj.Q, Axis.ROW, 0, q));
            out.add(weight(layer, Proj.K, Axis.ROW, 0, kv));
            out.add(weight(layer, Proj.V, Axis.ROW, 0, kv));
            out.add(weight(layer, Proj.O, Axis.COLUMN, 0, q)); // every input channel of o_proj
            out.add(bias(layer, Proj.Q, 0, q));
            out.add(bias(layer, Proj.K, 0, kv));
            out.add(bias(layer, Proj.V, 0, kv));
            out.add(bias(layer, Proj.O, 0, c.hidden()));
            return out;
        }
    }

    /** A layer's whole MLP block: gate, up and down weights and biases. */
    record MlpBlock(int layer) implements CouplingGroup {
        public GroupKind kind() { return GroupKind.MLP_BLOCK; }
        public int index() { return 0; }

        public List<Slice> slices(LlamaConfig c) {
            int f = c.layer(layer).ffn();
            if (f == 0) {
                throw new IllegalArgumentException("layer " + layer + " has no MLP");
            }
            List<Slice> out = new ArrayList<>();
            out.add(weight(layer, Proj.GATE, Axis.ROW, 0, f));
            out.add(weight(layer, Proj.UP, Axis.ROW, 0, f));
            out.add(weight(layer, Proj.DOWN, Axis.COLUMN, 0, f)); // every input channel of down_proj
            out.add(bias(layer, Proj.GATE, 0, f));
            out.add(bias(layer, Proj.UP, 0, f));
            out.add(bias(layer, Proj.DOWN, 0, c.hidden()));
            return out;
        }
    }

    /** A whole layer: its attention and MLP blocks and its two norm weights. */
    record Layer(int layer) implements CouplingGroup {
        public GroupKind kind() { return GroupKind.LAYER; }
        public int index() { return 0; }

        public List<Slice> slices(LlamaConfig c) {
            List<Slice> out = new ArrayList<>();
            out.add(new Slice(TensorNames.inputNorm(layer), layer, null, Axis.ELEMENT, 0, c.hidden()));
            if (c.layer(layer).hasAttention()) {
                out.addAll(new AttentionBlock(layer).slices(c));
            }
            out.add(new Slice(TensorNames.postAttentionNorm(layer), layer, null, Axis.ELEMENT, 0, c.hidden()));
            if (c.layer(layer).hasMlp()) {
                out.addAll(new MlpBlock(layer).slices(c));
            }
            return out;
        }
    }

    private static Slice weight(int layer, Proj p, Axis axis, int start, int length) {
        return new Slice(TensorNames.weight(layer, p), layer, p, axis, start, length);
    }

    private static Slice bias(int layer, Proj p, int start, int length) {
        return new Slice(TensorNames.bias(layer, p), layer, p, Axis.ELEMENT, start, length);
    }

    private static LayerShape requireAttention(LlamaConfig c, int layer) {
        LayerShape s = c.layer(layer);
        if (!s.hasAttention()) {
            throw new IllegalArgumentException("layer " + layer + " has no attention");
        }
        return s;
    }
}
