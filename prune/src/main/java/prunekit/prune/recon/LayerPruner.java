package prunekit.prune.recon;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.plan.PruningPlan;

/**
 * Prunes one decoder layer by layer-wise reconstruction, given only this layer's tensors and its
 * inputs: attention first (o_proj's head columns by group OBS on the heads' outputs, refit; the
 * removed heads' q/k/v rows go with them), then the MLP on the inputs the pruned attention gives
 * (down_proj's channels, refit; gate/up rows go with them). Returns the pruned layer and the
 * states after it, which are the next layer's inputs: the unit a layer-streaming executor runs.
 * On request it also returns the pruned sub-blocks at other sizes, from the same statistics
 * (the candidates of the allocation search).
 */
public final class LayerPruner {
    /** Rows per product when the wide path's output is computed over the kept columns. */
    private static final int OUTPUT_ROWS = 1024;

    private LayerPruner() {
    }

    /**
     * Hidden states entering a layer, (n·t, hidden) each: along the pruned model ({@code pruned})
     * and along the dense model ({@code dense}, null when the recipe needs no dense stream).
     */
    public record States(float[] pruned, float[] dense, int n, int t) {
    }

    /** Extra sizes to build besides the chosen one: attention units and MLP channels (empty: none). */
    public record Sizes(int[] attention, int[] ffn) {
        public static final Sizes NONE = new Sizes(new int[0], new int[0]);
    }

    /**
     * The pruned layer, what it kept (original indices, ascending), the states after it, and the
     * variants of {@link Sizes} (in the order asked).
     */
    public record Result(LayerTensors layer, int[] kvHeads, int[] queryHeads, int[] ffn, States output,
                         List<BlockVariant> attentionVariants, List<BlockVariant> mlpVariants) {
    }

    /** A sub-block pruned to the chosen size and the other sizes, with the states after the chosen one. */
    private record Block(List<BlockVariant> variants, Handoff<States> after) {
        static Block of(List<BlockVariant> variants, States after) {
            return new Block(variants, new Handoff<>(after));
        }
    }

    /**
     * A value passed on once: after {@link #take} the taker alone holds it, so it can drop it midway (a caller's
     * local would keep it alive through the callee: the layer's MLP weights, the states between the blocks).
     */
    private static final class Handoff<T> {
        private T value;

        Handoff(T value) {
            this.value = value;
        }

        T peek() {
            return value;
        }

        T take() {
            T v = value;
            value = null;
            return v;
        }
    }

    /**
     * Prunes the layer to {@code units} attention units and {@code ffn} channels, also building the
     * variants of {@code sizes}. The caller should hold no other reference to {@code in}: the pre-attention states
     * (0.27 GB for two streams at 7B, 8,192 tokens) are dropped once the attention block is pruned.
     */
    public static Result prune(LlamaConfig c, LayerTensors layer, States in, int units, int ffn, Sizes sizes,
                               ReconOptions o) {
        return prune(c, layer.only(true), a -> layer.only(false), in, units, ffn, sizes, o);
    }

    /**
     * As above with the layer given a block at a time, held by no one else: {@code layer}, its norms and attention
     * weights, then once the attention block is pruned and those weights dropped (0.27 GB at 7B) {@code readMlp}'s,
     * the same norms and the MLP's weights (given {@code layer}); so a layer streamed from disk never holds all its
     * weights at once.
     */
    public static Result prune(LlamaConfig c, LayerTensors layer, UnaryOperator<LayerTensors> readMlp, States in,
                               int units, int ffn, Sizes sizes, ReconOptions o) {
        LayerShape attnShape = layer.shape();
        FloatTensor inputNorm = layer.inputNorm();
        FloatTensor postNorm = layer.postNorm();
        Block attn = attention(c, layer, in, concat(units, sizes.attention()), o);
        in = null; // garbage from here on
        Handoff<LayerTensors> rest = new Handoff<>(readMlp.apply(layer)); // the MLP's weights: mlp drops them midway
        layer = null; // the attention weights now: the variants hold their kept rows
        LayerShape shape = new LayerShape(attnShape.queryHeads(), attnShape.kvHeads(), rest.peek().shape().ffn());
        Block mlp = mlp(c, rest, attn.after().take(), concat(ffn, sizes.ffn()), o);
        BlockVariant a = attn.variants().get(0);
        BlockVariant m = mlp.variants().get(0);
        Map<Proj, FloatTensor> ws = new EnumMap<>(Proj.class);
        Map<Proj, FloatTensor> bs = new EnumMap<>(Proj.class);
        ws.putAll(a.weights());
        ws.putAll(m.weights());
        bs.putAll(a.biases());
        bs.putAll(m.biases());
        LayerShape ns = Allocation.shape(shape, o.attention(), units, ffn);
        LayerTensors out = new LayerTensors(ns, inputNorm, postNorm, ws, bs);
        // copies, not subList views: a view keeps the whole list alive, and with it the chosen variants' weights
        // (0.3 GB a 7B layer), which the caller keeps for every layer (a 32-layer 7B prune ran out of heap in layer 2)
        List<BlockVariant> av = List.copyOf(attn.variants().subList(1, attn.variants().size()));
        List<BlockVariant> mv = List.copyOf(mlp.variants().subList(1, mlp.variants().size()));
        return new Result(out, a.kvHeads(), a.queryHeads(), m.channels(), mlp.after().take(), av, mv);
    }

    private static int[] concat(int first, int[] rest) {
        int[] all = new int[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static Block attention(LlamaConfig c, LayerTensors layer, States in, int[] sizes, ReconOptions o) {
        LayerShape s = layer.shape();
        int hd = c.headDim();
        int g = s.groupSize();
        int qd = s.queryHeads() * hd;
        int rows = in.n() * in.t();
        int hidden = c.hidden();
        if (!s.hasAttention()) {
            return Block.of(removedAll(sizes), in);
        }
        LayerTensors attn = layer.only(true);
        float[] wo = layer.weight(Proj.O).data(); // (hidden, qd)
        double[] bo = bias(layer, Proj.O);
        if (max(sizes) == 0) { // every variant removes the block: the pruned stream skips it
            float[] yd = denseOutput(c, attn, Site.O_PROJ_INPUT, in, o);
            return Block.of(removedAll(sizes), new States(in.pruned(), add(in.dense(), yd), in.n(), in.t()));
        }
        float[][] xy = captureBoth(c, attn, Site.O_PROJ_INPUT, in, o);
        float[] x = xy[0]; // (rows, qd)
        float[] denseAfter = add(in.dense(), xy[1]); // the dense stream after the block (null without one)
        float[] y = target(o.target(), x, rows, qd, wo, bo, hidden, in, xy[1], denseAfter);
        xy = null; // the dense output: garbage unless it is the target
        List<int[]> groups = new ArrayList<>();
        int[] family = null;
        boolean kvGroups = o.attention() == AttentionUnit.KV_GROUPS;
        int[] removes = new int[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
            removes[k] = kvGroups ? s.kvHeads() - sizes[k] : (g - sizes[k]) * s.kvHeads();
        }
        if (kvGroups) {
            for (int kv = 0; kv < s.kvHeads(); kv++) {
                groups.add(range(kv * g * hd, g * hd));
            }
        } else {
            family = new int[s.queryHeads()];
            for (int q = 0; q < s.queryHeads(); q++) {
                groups.add(range(q * hd, hd));
                family[q] = q / g;
            }
        }
        boolean icpt = o.refit() && (o.intercept() || c.attentionBias());
        List<SubBlockFit.Fit> fits = SubBlockFit.fitLevels(x, rows, qd, y, wo, bo, hidden, groups, family, removes, o,
                icpt);
        y = null; // garbage once fit
        List<BlockVariant> variants = new ArrayList<>();
        for (int k = 0; k < sizes.length; k++) {
            variants.add(sizes[k] == 0 ? BlockVariant.removed() : attentionVariant(layer, sizes[k], fits.get(k), kvGroups,
                    g, hd, hidden));
        }
        float[] h = sizes[0] == 0 ? in.pruned() : Gemm.add(in.pruned(), output(x, rows, qd, fits.get(0),
                PruningPlan.members(variants.get(0).queryHeads(), hd), variants.get(0).weights().get(Proj.O), icpt,
                hidden));
        return Block.of(variants, new States(h, denseAfter, in.n(), in.t()));
    }

    private static BlockVariant attentionVariant(LayerTensors layer, int size, SubBlockFit.Fit fit, boolean kvGroups,
                                                 int g, int hd, int hidden) {
        int[] kv;
        int[] q;
        if (kvGroups) {
            kv = fit.keptGroups();
            q = PruningPlan.members(kv, g);
        } else {
            kv = range(0, layer.shape().kvHeads());
            q = fit.keptGroups();
        }
        int[] qRows = PruningPlan.members(q, hd);
        int[] kvRows = PruningPlan.members(kv, hd);
        Map<Proj, FloatTensor> ws = new EnumMap<>(Proj.class);
        Map<Proj, FloatTensor> bs = new EnumMap<>(Proj.class);
        ws.put(Proj.Q, layer.weight(Proj.Q).selectRows(qRows));
        ws.put(Proj.K, layer.weight(Proj.K).selectRows(kvRows));
        ws.put(Proj.V, layer.weight(Proj.V).selectRows(kvRows));
        ws.put(Proj.O, new FloatTensor(new int[] {hidden, qRows.length}, fit.select(qRows)));
        if (fit.bias() != null) {
            bs.put(Proj.Q, biasRows(layer, Proj.Q, qRows));
            bs.put(Proj.K, biasRows(layer, Proj.K, kvRows));
            bs.put(Proj.V, biasRows(layer, Proj.V, kvRows));
            bs.put(Proj.O, new FloatTensor(new int[] {hidden}, Gemm.toFloat(fit.bias())));
        }
        return new BlockVariant(size, kv, q, new int[0], ws, bs);
    }

    private static Block mlp(LlamaConfig c, Handoff<LayerTensors> rest, States in, int[] sizes, ReconOptions o) {
        LayerTensors layer = rest.take();
        int f0 = layer.shape().ffn();
        int rows = in.n() * in.t();
        int hidden = c.hidden();
        if (f0 == 0) {
            return Block.of(removedAll(sizes), in);
        }
        LayerTensors mlp = layer.only(false);
        float[] wd = layer.weight(Proj.DOWN).data(); // (hidden, f0)
        double[] bd = bias(layer, Proj.DOWN);
        if (max(sizes) == 0) {
            float[] yd = denseOutput(c, mlp, Site.DOWN_PROJ_INPUT, in, o);
            return Block.of(removedAll(sizes), new States(in.pruned(), add(in.dense(), yd), in.n(), in.t()));
        }
        float[][] xy = captureBoth(c, mlp, Site.DOWN_PROJ_INPUT, in, o);
        float[] x = xy[0]; // (rows, f0)
        float[] denseAfter = add(in.dense(), xy[1]); // the dense stream after the block (null without one)
        float[] y = target(o.target(), x, rows, f0, wd, bd, hidden, in, xy[1], denseAfter);
        xy = null; // the dense output: garbage unless it is the target
        in = new States(in.pruned(), null, in.n(), in.t()); // the dense input too (no one else holds it)
        mlp = null;
        if (o.refit()) { // the fit reads inputs and targets only: down_proj's old weights (0.18 GB at 7B) go now
            wd = null;
            layer = layer.withoutWeight(Proj.DOWN);
        }
        List<int[]> groups = new ArrayList<>();
        for (int ch = 0; ch < f0; ch++) {
            groups.add(new int[] {ch});
        }
        int[] removes = new int[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
            removes[k] = f0 - sizes[k];
        }
        boolean icpt = o.refit() && (o.intercept() || c.mlpBias());
        List<SubBlockFit.Fit> fits = SubBlockFit.fitLevels(x, rows, f0, y, wd, bd, hidden, groups, null, removes, o,
                icpt);
        y = null; // garbage once fit
        List<BlockVariant> variants = new ArrayList<>();
        for (int k = 0; k < sizes.length; k++) {
            variants.add(sizes[k] == 0 ? BlockVariant.removed() : mlpVariant(layer, sizes[k], fits.get(k), hidden));
        }
        layer = null; // the MLP's weights (0.36 GB at 7B): the variants hold their kept rows
        wd = null;
        float[] h = sizes[0] == 0 ? in.pruned() : Gemm.add(in.pruned(), output(x, rows, f0, fits.get(0),
                variants.get(0).channels(), variants.get(0).weights().get(Proj.DOWN), icpt, hidden));
        return Block.of(variants, new States(h, denseAfter, in.n(), in.t()));
    }

    private static BlockVariant mlpVariant(LayerTensors layer, int size, SubBlockFit.Fit fit, int hidden) {
        int[] kept = fit.keptGroups();
        Map<Proj, FloatTensor> ws = new EnumMap<>(Proj.class);
        Map<Proj, FloatTensor> bs = new EnumMap<>(Proj.class);
        ws.put(Proj.GATE, layer.weight(Proj.GATE).selectRows(kept));
        ws.put(Proj.UP, layer.weight(Proj.UP).selectRows(kept));
        ws.put(Proj.DOWN, new FloatTensor(new int[] {hidden, kept.length}, fit.select(kept)));
        if (fit.bias() != null) {
            bs.put(Proj.GATE, biasRows(layer, Proj.GATE, kept));
            bs.put(Proj.UP, biasRows(layer, Proj.UP, kept));
            bs.put(Proj.DOWN, new FloatTensor(new int[] {hidden}, Gemm.toFloat(fit.bias())));
        }
        return new BlockVariant(size, new int[0], new int[0], kept, ws, bs);
    }

    /**
     * X Wᵀ + b of the pruned sub-block on its inputs x (rows, cols). On the wide path ({@link BlockObs#MIN_WIDTH})
     * only the kept columns {@code kept} are multiplied, by their weights {@code keptWeight} (out, |kept|), skipping
     * the fit's zero columns; below it the full-width product as before, so the exact path's bytes stay the same.
     */
    static float[] output(float[] x, int rows, int cols, SubBlockFit.Fit fit, int[] kept, FloatTensor keptWeight,
                          boolean intercept, int out) {
        if ((intercept ? cols + 1 : cols) < BlockObs.MIN_WIDTH) {
            return Gemm.linear(x, rows, cols, fit.weight(), out, fit.bias());
        }
        int k = kept.length;
        float[] y = new float[rows * out];
        for (int r0 = 0; r0 < rows; r0 += OUTPUT_ROWS) { // row chunks: no copy of the kept inputs as large as x
            int r1 = Math.min(rows, r0 + OUTPUT_ROWS);
            float[] xk = new float[(r1 - r0) * k];
            for (int r = r0; r < r1; r++) {
                for (int a = 0; a < k; a++) {
                    xk[(r - r0) * k + a] = x[r * cols + kept[a]];
                }
            }
            float[] part = Gemm.linear(xk, r1 - r0, k, keptWeight.data(), out, fit.bias());
            System.arraycopy(part, 0, y, r0 * out, part.length);
        }
        return y;
    }

    /**
     * The sub-block's input on the pruned stream (rows, cols) and its dense output on the dense stream
     * (rows, hidden; null without one), each from the layer's own forward, so no product is computed twice
     * (the batched product gives the same bytes as one over all rows did: mini-vina's default prune is
     * unchanged). The dense stream is captured first (its output only), so only one stream's input (0.36 GB
     * for down_proj at 7B) is held at a time; when both streams are the same states, one capture serves both.
     */
    private static float[][] captureBoth(LlamaConfig c, LayerTensors block, Site site, States in, ReconOptions o) {
        if (in.dense() == in.pruned()) {
            return LayerRunner.capture(c, block, site, in.pruned(), in.n(), in.t(), o, LayerRunner.Capture.BOTH);
        }
        float[] yDense = denseOutput(c, block, site, in, o);
        return new float[][] {LayerRunner.capture(c, block, site, in.pruned(), in.n(), in.t(), o), yDense};
    }

    /** The dense sub-block's output on the dense stream (rows, hidden), or null without one. */
    private static float[] denseOutput(LlamaConfig c, LayerTensors block, Site site, States in, ReconOptions o) {
        return in.dense() == null ? null
                : LayerRunner.capture(c, block, site, in.dense(), in.n(), in.t(), o, LayerRunner.Capture.OUTPUT)[1];
    }

    private static float[] target(RefitTarget t, float[] x, int rows, int cols, float[] w, double[] b, int out,
                                  States in, float[] yDense, float[] denseAfter) {
        return switch (t) {
            case SELF -> Gemm.linear(x, rows, cols, w, out, b);
            case DENSE -> yDense;
            case DENSE_RESIDUAL -> Gemm.subtract(denseAfter, in.pruned());
        };
    }

    private static float[] add(float[] h, float[] y) {
        return h == null ? null : Gemm.add(h, y);
    }

    private static int max(int[] a) {
        return java.util.Arrays.stream(a).max().orElse(0);
    }

    private static List<BlockVariant> removedAll(int[] sizes) {
        return Collections.nCopies(sizes.length, BlockVariant.removed());
    }

    private static double[] bias(LayerTensors layer, Proj p) {
        FloatTensor b = layer.biases().get(p);
        return b == null ? null : b.toDoubles();
    }

    private static FloatTensor biasRows(LayerTensors layer, Proj p, int[] rows) {
        FloatTensor b = layer.biases().get(p);
        return b == null ? FloatTensor.zeros(rows.length) : b.selectElements(rows);
    }

    static int[] range(int from, int count) {
        return java.util.stream.IntStream.range(from, from + count).toArray();
    }
}
