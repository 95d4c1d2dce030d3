package prunekit.prune.recon;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.budget.AttentionUnit;

/**
 * Prunes one decoder layer by layer-wise reconstruction, given only this layer's tensors and its
 * inputs: attention first (o_proj's head columns by group OBS on the heads' outputs, refit; the
 * removed heads' q/k/v rows go with them), then the MLP on the inputs the pruned attention gives
 * (down_proj's channels, refit; gate/up rows go with them). Returns the pruned layer and the
 * states after it, which are the next layer's inputs: the unit a layer-streaming executor runs.
 */
public final class LayerPruner {
    private LayerPruner() {
    }

    /**
     * Hidden states entering a layer, (n·t, hidden) each: along the pruned model ({@code pruned})
     * and along the dense model ({@code dense}, null when the recipe needs no dense stream).
     */
    public record States(float[] pruned, float[] dense, int n, int t) {
    }

    /** The pruned layer, what it kept (original indices, ascending) and the states after it. */
    public record Result(LayerTensors layer, int[] kvHeads, int[] queryHeads, int[] ffn, States output) {
    }

    public static Result prune(LlamaConfig c, LayerTensors layer, States in, int units, int ffn, ReconOptions o) {
        LayerShape s = layer.shape();
        Map<Proj, FloatTensor> ws = new EnumMap<>(Proj.class);
        Map<Proj, FloatTensor> bs = new EnumMap<>(Proj.class);
        int[][] heads = {new int[0], new int[0]};
        States mid = in;
        if (units > 0) {
            heads = new int[2][];
            mid = attention(c, layer, in, units, o, ws, bs, heads);
        } else {
            mid = new States(in.pruned(), in.dense() == null ? null : passAttention(c, layer, in, o), in.n(), in.t());
        }
        int[] channels = new int[0];
        States after = mid;
        if (ffn > 0) {
            int[][] ch = new int[1][];
            after = mlp(c, layer, mid, ffn, o, ws, bs, ch);
            channels = ch[0];
        } else if (mid.dense() != null) {
            after = new States(mid.pruned(), passMlp(c, layer, mid, o), mid.n(), mid.t());
        }
        LayerShape ns = Allocation.shape(s, o.attention(), units, ffn);
        LayerTensors out = new LayerTensors(ns, layer.inputNorm(), layer.postNorm(), ws, bs);
        return new Result(out, heads[0], heads[1], channels, after);
    }

    private static States attention(LlamaConfig c, LayerTensors layer, States in, int units, ReconOptions o,
                                    Map<Proj, FloatTensor> ws, Map<Proj, FloatTensor> bs, int[][] heads) {
        LayerShape s = layer.shape();
        int hd = c.headDim();
        int g = s.groupSize();
        int qd = s.queryHeads() * hd;
        int rows = in.n() * in.t();
        int hidden = c.hidden();
        LayerTensors attn = layer.only(true);
        float[] x = LayerRunner.capture(c, attn, Site.O_PROJ_INPUT, in.pruned(), in.n(), in.t(), o.batch()); // (rows, qd)
        double[] wo = Gemm.toDouble(layer.weight(Proj.O).data()); // (hidden, qd)
        double[] bo = bias(layer, Proj.O);
        float[] yDense = denseOutput(c, attn, Site.O_PROJ_INPUT, in, x, wo, bo, qd, o);
        float[] y = target(o.target(), x, rows, qd, wo, bo, hidden, in, yDense);
        List<int[]> groups = new ArrayList<>();
        int[] family = null;
        int remove;
        if (o.attention() == AttentionUnit.KV_GROUPS) {
            for (int kv = 0; kv < s.kvHeads(); kv++) {
                groups.add(range(kv * g * hd, g * hd));
            }
            remove = s.kvHeads() - units;
        } else {
            family = new int[s.queryHeads()];
            for (int q = 0; q < s.queryHeads(); q++) {
                groups.add(range(q * hd, hd));
                family[q] = q / g;
            }
            remove = (g - units) * s.kvHeads();
        }
        boolean icpt = o.refit() && (o.intercept() || c.attentionBias());
        SubBlockFit.Fit fit = SubBlockFit.fit(x, rows, qd, y, wo, bo, hidden, groups, family, remove, o, icpt);
        int[] kv;
        int[] q;
        if (o.attention() == AttentionUnit.KV_GROUPS) {
            kv = fit.keptGroups();
            q = new int[kv.length * g];
            for (int i = 0; i < kv.length; i++) {
                for (int j = 0; j < g; j++) {
                    q[i * g + j] = kv[i] * g + j;
                }
            }
        } else {
            kv = range(0, s.kvHeads());
            q = fit.keptGroups();
        }
        heads[0] = kv;
        heads[1] = q;
        int[] qRows = rowsOf(q, hd);
        int[] kvRows = rowsOf(kv, hd);
        ws.put(Proj.Q, layer.weight(Proj.Q).selectRows(qRows));
        ws.put(Proj.K, layer.weight(Proj.K).selectRows(kvRows));
        ws.put(Proj.V, layer.weight(Proj.V).selectRows(kvRows));
        ws.put(Proj.O, new FloatTensor(new int[] {hidden, qRows.length}, SubBlockFit.columns(fit.weight(), hidden, qd, qRows)));
        if (fit.bias() != null) {
            bs.put(Proj.Q, biasRows(layer, Proj.Q, qRows));
            bs.put(Proj.K, biasRows(layer, Proj.K, kvRows));
            bs.put(Proj.V, biasRows(layer, Proj.V, kvRows));
            bs.put(Proj.O, new FloatTensor(new int[] {hidden}, Gemm.toFloat(fit.bias())));
        }
        float[] h = Gemm.add(in.pruned(), Gemm.linear(x, rows, qd, fit.weight(), hidden, fit.bias()));
        return new States(h, yDense == null ? null : Gemm.add(in.dense(), yDense), in.n(), in.t());
    }

    private static States mlp(LlamaConfig c, LayerTensors layer, States in, int keep, ReconOptions o,
                              Map<Proj, FloatTensor> ws, Map<Proj, FloatTensor> bs, int[][] channels) {
        int f0 = layer.shape().ffn();
        int rows = in.n() * in.t();
        int hidden = c.hidden();
        LayerTensors mlp = layer.only(false);
        float[] x = LayerRunner.capture(c, mlp, Site.DOWN_PROJ_INPUT, in.pruned(), in.n(), in.t(), o.batch()); // (rows, f0)
        double[] wd = Gemm.toDouble(layer.weight(Proj.DOWN).data()); // (hidden, f0)
        double[] bd = bias(layer, Proj.DOWN);
        float[] yDense = denseOutput(c, mlp, Site.DOWN_PROJ_INPUT, in, x, wd, bd, f0, o);
        float[] y = target(o.target(), x, rows, f0, wd, bd, hidden, in, yDense);
        List<int[]> groups = new ArrayList<>();
        for (int ch = 0; ch < f0; ch++) {
            groups.add(new int[] {ch});
        }
        boolean icpt = o.refit() && (o.intercept() || c.mlpBias());
        SubBlockFit.Fit fit = SubBlockFit.fit(x, rows, f0, y, wd, bd, hidden, groups, null, f0 - keep, o, icpt);
        int[] kept = fit.keptGroups();
        channels[0] = kept;
        ws.put(Proj.GATE, layer.weight(Proj.GATE).selectRows(kept));
        ws.put(Proj.UP, layer.weight(Proj.UP).selectRows(kept));
        ws.put(Proj.DOWN, new FloatTensor(new int[] {hidden, kept.length}, SubBlockFit.columns(fit.weight(), hidden, f0, kept)));
        if (fit.bias() != null) {
            bs.put(Proj.GATE, biasRows(layer, Proj.GATE, kept));
            bs.put(Proj.UP, biasRows(layer, Proj.UP, kept));
            bs.put(Proj.DOWN, new FloatTensor(new int[] {hidden}, Gemm.toFloat(fit.bias())));
        }
        float[] h = Gemm.add(in.pruned(), Gemm.linear(x, rows, f0, fit.weight(), hidden, fit.bias()));
        return new States(h, yDense == null ? null : Gemm.add(in.dense(), yDense), in.n(), in.t());
    }

    /** The dense sub-block's output on the dense stream (rows, hidden), or null without one. */
    private static float[] denseOutput(LlamaConfig c, LayerTensors block, Site site, States in, float[] x, double[] w,
                                       double[] b, int cols, ReconOptions o) {
        if (in.dense() == null) {
            return null;
        }
        float[] xd = in.dense() == in.pruned() ? x
                : LayerRunner.capture(c, block, site, in.dense(), in.n(), in.t(), o.batch());
        return Gemm.linear(xd, in.n() * in.t(), cols, w, c.hidden(), b);
    }

    private static float[] target(RefitTarget t, float[] x, int rows, int cols, double[] w, double[] b, int out,
                                  States in, float[] yDense) {
        return switch (t) {
            case SELF -> Gemm.linear(x, rows, cols, w, out, b);
            case DENSE -> yDense;
            case DENSE_RESIDUAL -> Gemm.subtract(Gemm.add(in.dense(), yDense), in.pruned());
        };
    }

    /** The dense stream through a removed attention block (the pruned stream skips it). */
    private static float[] passAttention(LlamaConfig c, LayerTensors layer, States in, ReconOptions o) {
        LayerTensors attn = layer.only(true);
        int qd = layer.shape().queryHeads() * c.headDim();
        float[] xd = LayerRunner.capture(c, attn, Site.O_PROJ_INPUT, in.dense(), in.n(), in.t(), o.batch());
        return Gemm.add(in.dense(), Gemm.linear(xd, in.n() * in.t(), qd, Gemm.toDouble(layer.weight(Proj.O).data()),
                c.hidden(), bias(layer, Proj.O)));
    }

    private static float[] passMlp(LlamaConfig c, LayerTensors layer, States in, ReconOptions o) {
        LayerTensors mlp = layer.only(false);
        int f0 = layer.shape().ffn();
        float[] xd = LayerRunner.capture(c, mlp, Site.DOWN_PROJ_INPUT, in.dense(), in.n(), in.t(), o.batch());
        return Gemm.add(in.dense(), Gemm.linear(xd, in.n() * in.t(), f0, Gemm.toDouble(layer.weight(Proj.DOWN).data()),
                c.hidden(), bias(layer, Proj.DOWN)));
    }

    private static double[] bias(LayerTensors layer, Proj p) {
        FloatTensor b = layer.biases().get(p);
        return b == null ? null : Gemm.toDouble(b.data());
    }

    private static FloatTensor biasRows(LayerTensors layer, Proj p, int[] rows) {
        FloatTensor b = layer.biases().get(p);
        return b == null ? FloatTensor.zeros(rows.length) : b.selectElements(rows);
    }

    static int[] range(int from, int count) {
        return java.util.stream.IntStream.range(from, from + count).toArray();
    }

    /** Rows (of q, k, v) or columns (of o_proj) of the given heads: head h owns h·hd .. h·hd+hd−1. */
    static int[] rowsOf(int[] heads, int hd) {
        int[] r = new int[heads.length * hd];
        for (int i = 0; i < heads.length; i++) {
            for (int d = 0; d < hd; d++) {
                r[i * hd + d] = heads[i] * hd + d;
            }
        }
        return r;
    }
}
