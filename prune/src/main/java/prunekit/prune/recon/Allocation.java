package prunekit.prune.recon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.budget.AttentionUnit;

/**
 * How much of every layer survives: {@code attention[i]} attention units (KV groups, or query heads
 * per group) and {@code ffn[i]} MLP channels; 0 removes the sub-block. Parameter counts are exact
 * (they come from the pruned config, biases included when {@code bias}).
 */
public record Allocation(int[] attention, int[] ffn) {
    public Allocation {
        attention = attention.clone();
        ffn = ffn.clone();
        if (attention.length != ffn.length) {
            throw new IllegalArgumentException("allocation has " + attention.length + " attention and " + ffn.length
                    + " FFN entries");
        }
    }

    @Override
    public int[] attention() {
        return attention.clone();
    }

    @Override
    public int[] ffn() {
        return ffn.clone();
    }

    /** Attention units of layer {@code s}: its KV groups, or the query heads of one group. */
    static int units(LayerShape s, AttentionUnit u) {
        return u == AttentionUnit.KV_GROUPS ? s.kvHeads() : s.groupSize();
    }

    /** The shape layer {@code i} of {@code c} has when it keeps {@code units} units and {@code ffn} channels. */
    static LayerShape shape(LayerShape s, AttentionUnit u, int units, int ffn) {
        if (units < 0 || units > units(s, u) || ffn < 0 || ffn > s.ffn()) {
            throw new IllegalArgumentException("cannot keep " + units + " attention units and " + ffn
                    + " channels of a layer " + s);
        }
        if (units == 0) {
            return new LayerShape(0, 0, ffn);
        }
        return u == AttentionUnit.KV_GROUPS ? new LayerShape(units * s.groupSize(), units, ffn)
                : new LayerShape(units * s.kvHeads(), s.kvHeads(), ffn);
    }

    /** The config of the pruned model. */
    public LlamaConfig config(LlamaConfig c, AttentionUnit u, boolean bias) {
        if (attention.length != c.numLayers()) {
            throw new IllegalArgumentException("allocation for " + attention.length + " layers, model has "
                    + c.numLayers());
        }
        List<LayerShape> shapes = new ArrayList<>();
        for (int i = 0; i < attention.length; i++) {
            shapes.add(shape(c.layer(i), u, attention[i], ffn[i]));
        }
        return c.toBuilder().layers(shapes).attentionBias(c.attentionBias() || bias).mlpBias(c.mlpBias() || bias)
                .build();
    }

    public long parameters(LlamaConfig c, AttentionUnit u, boolean bias) {
        return config(c, u, bias).parameterCount();
    }

    /**
     * The same shape in every layer with at most {@code target} parameters: attention and MLP shrunk
     * by about the same fraction (attention units rounded), then the widest FFN that fits.
     */
    public static Allocation uniform(LlamaConfig c, long target, AttentionUnit u, boolean bias) {
        if (!c.isUniform()) {
            throw new IllegalArgumentException("a uniform allocation needs a model whose layers all have one shape");
        }
        int layers = c.numLayers();
        LayerShape s = c.layer(0);
        int a0 = units(s, u);
        int f0 = s.ffn();
        long full = c.parameterCount();
        Allocation none = same(layers, 0, 0);
        long removable = full - none.parameters(c, u, false);
        double keep = 1 - (double) (full - target) / removable;
        for (int a = Math.max(1, Math.min(a0, (int) Math.round(keep * a0))); a >= 1; a--) {
            long p1 = same(layers, a, 1).parameters(c, u, bias);
            long per = same(layers, a, 2).parameters(c, u, bias) - p1;
            if (p1 > target) {
                continue;
            }
            int f = (int) Math.min(f0, 1 + (target - p1) / per);
            return same(layers, a, f);
        }
        throw new IllegalArgumentException("a target of " + target + " parameters leaves less than one attention unit"
                + " and one channel per layer; give a larger keep ratio");
    }

    private static Allocation same(int layers, int a, int f) {
        int[] at = new int[layers];
        int[] ff = new int[layers];
        Arrays.fill(at, a);
        Arrays.fill(ff, f);
        return new Allocation(at, ff);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Allocation x && Arrays.equals(x.attention, attention) && Arrays.equals(x.ffn, ffn);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(attention) + Arrays.hashCode(ffn);
    }

    @Override
    public String toString() {
        return "attention " + Arrays.toString(attention) + ", ffn " + Arrays.toString(ffn);
    }
}
