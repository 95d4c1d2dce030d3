package prunekit.prune.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.group.CouplingGroup;

/**
 * What to keep, in the original model's indices: the hidden channels (everywhere, ascending) and
 * one {@link LayerPlan} per original layer. {@code scorer} and {@code budget} say how it was made.
 * {@link #validate} checks it against the model it is applied to; {@link #prunedConfig} is the
 * shape surgery will produce (before any bias compensation).
 */
public record PruningPlan(String scorer, String budget, int[] hidden, List<LayerPlan> layers) {
    public PruningPlan {
        hidden = hidden.clone();
        layers = List.copyOf(layers);
        if (hidden.length == 0) {
            throw new IllegalArgumentException("a plan must keep at least one hidden channel");
        }
        if (layers.stream().allMatch(LayerPlan::dropped)) {
            throw new IllegalArgumentException("a plan must keep at least one layer");
        }
    }

    /** The plan that keeps everything. */
    public static PruningPlan identity(LlamaConfig c) {
        List<LayerPlan> ls = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            LayerShape s = c.layer(i);
            ls.add(new LayerPlan(i, false, range(s.kvHeads()), range(s.queryHeads()), range(s.ffn())));
        }
        return new PruningPlan("none", "keep everything", range(c.hidden()), ls);
    }

    public static int[] range(int n) {
        return IntStream.range(0, n).toArray();
    }

    /**
     * The members of blocks of {@code size} consecutive indices, block by block: block b owns
     * b·size .. b·size+size−1 (the query heads of KV groups; the q/k/v rows or o_proj columns of heads).
     */
    public static int[] members(int[] blocks, int size) {
        int[] r = new int[blocks.length * size];
        for (int i = 0; i < blocks.length; i++) {
            for (int d = 0; d < size; d++) {
                r[i * size + d] = blocks[i] * size + d;
            }
        }
        return r;
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    public int[] droppedLayers() {
        return layers.stream().filter(LayerPlan::dropped).mapToInt(LayerPlan::layer).toArray();
    }

    /** Checks every index against {@code c}; throws IllegalArgumentException naming the first problem. */
    public void validate(LlamaConfig c) {
        if (layers.size() != c.numLayers()) {
            throw new IllegalArgumentException("the plan has " + layers.size() + " layers but the model has "
                    + c.numLayers() + "; it was made for another model");
        }
        checkIndices("hidden channels", hidden, c.hidden());
        for (int i = 0; i < layers.size(); i++) {
            LayerPlan p = layers.get(i);
            LayerShape s = c.layer(i);
            if (p.layer() != i) {
                throw new IllegalArgumentException("plan entry " + i + " is for layer " + p.layer());
            }
            String at = "layer " + i + " ";
            checkIndices(at + "KV heads", p.kvHeads(), s.kvHeads());
            checkIndices(at + "query heads", p.queryHeads(), s.queryHeads());
            checkIndices(at + "FFN channels", p.ffn(), s.ffn());
            checkGroups(i, p, s);
        }
    }

    private static void checkGroups(int layer, LayerPlan p, LayerShape s) {
        if (p.kvHeads().length == 0) {
            return;
        }
        int g = s.groupSize();
        int[] perGroup = new int[s.kvHeads()];
        for (int q : p.queryHeads()) {
            perGroup[q / g]++;
        }
        int m = perGroup[p.kvHeads()[0]];
        boolean[] kept = new boolean[s.kvHeads()];
        for (int kv : p.kvHeads()) {
            kept[kv] = true;
        }
        for (int kv = 0; kv < s.kvHeads(); kv++) {
            if (kept[kv] ? perGroup[kv] != m || m == 0 : perGroup[kv] != 0) {
                throw new IllegalArgumentException("layer " + layer + ": every kept KV group must keep the same number"
                        + " of query heads and a removed one none; KV group " + kv + " keeps " + perGroup[kv]);
            }
        }
    }

    private static void checkIndices(String what, int[] idx, int n) {
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= n || (i > 0 && idx[i] <= idx[i - 1])) {
                throw new IllegalArgumentException(what + " must be ascending, distinct and in 0.." + (n - 1)
                        + "; got " + Arrays.toString(idx));
            }
        }
    }

    /**
     * The coupling groups this plan removes from a model of config {@code c}: a dropped layer whole;
     * a kept layer's attention or MLP block when it keeps none of it, else its removed KV groups, the
     * removed query heads of its kept groups and its removed MLP channels; every removed hidden channel.
     */
    public List<CouplingGroup> removed(LlamaConfig c) {
        validate(c);
        List<CouplingGroup> out = new ArrayList<>();
        for (LayerPlan p : layers) {
            int l = p.layer();
            LayerShape s = c.layer(l);
            if (p.dropped()) {
                out.add(new CouplingGroup.Layer(l));
                continue;
            }
            if (s.hasAttention() && p.kvHeads().length == 0) {
                out.add(new CouplingGroup.AttentionBlock(l));
            } else if (s.hasAttention()) {
                int[] kv = p.kvHeads();
                missing(kv, s.kvHeads()).forEach(k -> out.add(new CouplingGroup.KvGroup(l, k)));
                missing(p.queryHeads(), s.queryHeads()).filter(h -> Arrays.binarySearch(kv, h / s.groupSize()) >= 0)
                        .forEach(h -> out.add(new CouplingGroup.QueryHead(l, h)));
            }
            if (s.hasMlp() && p.ffn().length == 0) {
                out.add(new CouplingGroup.MlpBlock(l));
            } else if (s.hasMlp()) {
                missing(p.ffn(), s.ffn()).forEach(j -> out.add(new CouplingGroup.MlpChannel(l, j)));
            }
        }
        missing(hidden, c.hidden()).forEach(j -> out.add(new CouplingGroup.HiddenChannel(j)));
        return out;
    }

    /** 0..n−1 without the ascending {@code kept}. */
    private static IntStream missing(int[] kept, int n) {
        return IntStream.range(0, n).filter(i -> Arrays.binarySearch(kept, i) < 0);
    }

    /** The config of the model this plan makes from {@code c} (no biases added). */
    public LlamaConfig prunedConfig(LlamaConfig c) {
        validate(c);
        List<LayerShape> shapes = new ArrayList<>();
        for (LayerPlan p : layers) {
            if (!p.dropped()) {
                shapes.add(new LayerShape(p.queryHeads().length, p.kvHeads().length, p.ffn().length));
            }
        }
        return c.toBuilder().hidden(hidden.length).layers(shapes).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PruningPlan p && p.scorer.equals(scorer) && p.budget.equals(budget)
                && Arrays.equals(p.hidden, hidden) && p.layers.equals(layers);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hidden) * 31 + layers.hashCode();
    }
}
