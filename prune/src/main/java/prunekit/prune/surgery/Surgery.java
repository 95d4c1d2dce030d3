package prunekit.prune.surgery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.calibrate.ChannelStats;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;

/**
 * Builds the smaller model a {@link PruningPlan} describes: real smaller matrices cut with
 * {@link FloatTensor#selectRows}/{@link FloatTensor#selectColumns}, dropped layers removed and the
 * rest renumbered, hidden channels cut consistently everywhere (the vocabulary stays). The new
 * config is computed from the new tensors' shapes. With bias compensation (FLAP) o_proj and
 * down_proj get biases b = b_old + W[:, removed] · mean(x[removed]) and the config turns on
 * {@code attentionBias}/{@code mlpBias} (q/k/v and gate/up get zero biases where they had none).
 * A whole removed block has nowhere to put a bias and is not compensated.
 */
public final class Surgery {
    private Surgery() {
    }

    public static Model apply(Model model, PruningPlan plan, SurgeryOptions options) {
        LlamaConfig c = model.config();
        plan.validate(c);
        LlamaWeights w = model.weights();
        boolean comp = options.biasCompensation();
        if (comp && !options.stats().config().equals(c)) {
            throw new IllegalArgumentException("bias compensation needs statistics of this model; these were taken"
                    + " on a model of another shape");
        }
        boolean attnBias = c.attentionBias() || comp;
        boolean mlpBias = c.mlpBias() || comp;
        int[] hid = plan.hidden();
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        out.put(TensorNames.EMBED, w.get(TensorNames.EMBED).selectColumns(hid));
        List<LayerShape> shapes = new ArrayList<>();
        int j = 0;
        for (LayerPlan p : plan.layers()) {
            if (p.dropped()) {
                continue;
            }
            int i = p.layer();
            out.put(TensorNames.inputNorm(j), w.get(TensorNames.inputNorm(i)).selectElements(hid));
            out.put(TensorNames.postAttentionNorm(j), w.get(TensorNames.postAttentionNorm(i)).selectElements(hid));
            if (p.queryHeads().length > 0) {
                attention(w, options, attnBias, i, j, p, hid, out);
            }
            if (p.ffn().length > 0) {
                mlp(w, options, mlpBias, i, j, p, hid, out);
            }
            shapes.add(shapeOf(out, j, c.headDim()));
            j++;
        }
        out.put(TensorNames.FINAL_NORM, w.get(TensorNames.FINAL_NORM).selectElements(hid));
        if (!c.tieWordEmbeddings()) {
            out.put(TensorNames.LM_HEAD, w.get(TensorNames.LM_HEAD).selectColumns(hid));
        }
        LlamaConfig nc = c.toBuilder().hidden(hid.length).layers(shapes).attentionBias(attnBias).mlpBias(mlpBias)
                .build();
        LlamaWeights nw = new LlamaWeights(nc, out, w.storedDtype());
        return new Model(nc, nw, model.tokenizer(), model.source() + " pruned (" + plan.scorer() + ", " + plan.budget() + ")");
    }

    private static void attention(LlamaWeights w, SurgeryOptions o, boolean bias, int i, int j, LayerPlan p, int[] hid,
                                  Map<String, FloatTensor> out) {
        int hd = w.config().headDim();
        int[] qRows = headRows(p.queryHeads(), hd);
        int[] kvRows = headRows(p.kvHeads(), hd);
        out.put(TensorNames.weight(j, Proj.Q), w.get(TensorNames.weight(i, Proj.Q)).selectRows(qRows).selectColumns(hid));
        out.put(TensorNames.weight(j, Proj.K), w.get(TensorNames.weight(i, Proj.K)).selectRows(kvRows).selectColumns(hid));
        out.put(TensorNames.weight(j, Proj.V), w.get(TensorNames.weight(i, Proj.V)).selectRows(kvRows).selectColumns(hid));
        FloatTensor wo = w.get(TensorNames.weight(i, Proj.O));
        out.put(TensorNames.weight(j, Proj.O), wo.selectRows(hid).selectColumns(qRows));
        if (bias) {
            out.put(TensorNames.bias(j, Proj.Q), biasOrZeros(w, TensorNames.bias(i, Proj.Q), qRows));
            out.put(TensorNames.bias(j, Proj.K), biasOrZeros(w, TensorNames.bias(i, Proj.K), kvRows));
            out.put(TensorNames.bias(j, Proj.V), biasOrZeros(w, TensorNames.bias(i, Proj.V), kvRows));
            FloatTensor bo = compensated(w, TensorNames.bias(i, Proj.O), wo, qRows, o, i, Site.O_PROJ_INPUT);
            out.put(TensorNames.bias(j, Proj.O), bo.selectElements(hid));
        }
    }

    private static void mlp(LlamaWeights w, SurgeryOptions o, boolean bias, int i, int j, LayerPlan p, int[] hid,
                            Map<String, FloatTensor> out) {
        int[] ch = p.ffn();
        out.put(TensorNames.weight(j, Proj.GATE), w.get(TensorNames.weight(i, Proj.GATE)).selectRows(ch).selectColumns(hid));
        out.put(TensorNames.weight(j, Proj.UP), w.get(TensorNames.weight(i, Proj.UP)).selectRows(ch).selectColumns(hid));
        FloatTensor wd = w.get(TensorNames.weight(i, Proj.DOWN));
        out.put(TensorNames.weight(j, Proj.DOWN), wd.selectRows(hid).selectColumns(ch));
        if (bias) {
            out.put(TensorNames.bias(j, Proj.GATE), biasOrZeros(w, TensorNames.bias(i, Proj.GATE), ch));
            out.put(TensorNames.bias(j, Proj.UP), biasOrZeros(w, TensorNames.bias(i, Proj.UP), ch));
            FloatTensor bd = compensated(w, TensorNames.bias(i, Proj.DOWN), wd, ch, o, i, Site.DOWN_PROJ_INPUT);
            out.put(TensorNames.bias(j, Proj.DOWN), bd.selectElements(hid));
        }
    }

    /** Rows of q (or k/v) for the given heads: head h owns rows h·hd .. h·hd+hd−1. */
    static int[] headRows(int[] heads, int hd) {
        int[] rows = new int[heads.length * hd];
        for (int n = 0; n < heads.length; n++) {
            for (int d = 0; d < hd; d++) {
                rows[n * hd + d] = heads[n] * hd + d;
            }
        }
        return rows;
    }

    private static FloatTensor biasOrZeros(LlamaWeights w, String name, int[] keep) {
        FloatTensor b = w.getOrNull(name);
        return b == null ? FloatTensor.zeros(keep.length) : b.selectElements(keep);
    }

    /**
     * The output bias (full hidden size, original basis): the old one (or zeros), plus with
     * compensation W[:, r] · mean(x_r) for every input channel r of W (out, in) not in {@code kept}.
     */
    private static FloatTensor compensated(LlamaWeights w, String biasName, FloatTensor weight, int[] kept,
                                           SurgeryOptions o, int layer, Site site) {
        FloatTensor old = w.getOrNull(biasName);
        int rows = weight.dim(0);
        int cols = weight.dim(1);
        double[] b = new double[rows];
        if (old != null) {
            for (int r = 0; r < rows; r++) {
                b[r] = old.data()[r];
            }
        }
        if (o.biasCompensation()) {
            boolean[] keep = new boolean[cols];
            for (int k : kept) {
                keep[k] = true;
            }
            ChannelStats x = o.stats().channel(layer, site);
            float[] d = weight.data();
            for (int col = 0; col < cols; col++) {
                if (!keep[col]) {
                    double mean = x.mean(col);
                    for (int r = 0; r < rows; r++) {
                        b[r] += d[r * cols + col] * mean;
                    }
                }
            }
        }
        float[] f = new float[rows];
        for (int r = 0; r < rows; r++) {
            f[r] = (float) b[r];
        }
        return new FloatTensor(new int[] {rows}, f);
    }

    /** The shape of new layer {@code j}, read off its tensors (the weights are the truth). */
    private static LayerShape shapeOf(Map<String, FloatTensor> t, int j, int hd) {
        FloatTensor q = t.get(TensorNames.weight(j, Proj.Q));
        FloatTensor k = t.get(TensorNames.weight(j, Proj.K));
        FloatTensor g = t.get(TensorNames.weight(j, Proj.GATE));
        return new LayerShape(q == null ? 0 : q.dim(0) / hd, k == null ? 0 : k.dim(0) / hd, g == null ? 0 : g.dim(0));
    }
}
