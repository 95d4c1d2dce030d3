package prunekit.core.engine;

import java.util.ArrayList;
import java.util.List;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * The slow, obvious LLaMA forward every fast path is tested against (our engine, the ONNX
 * graphs): plain loops, double accumulation, one token at a time with a KV cache (a prefill of T
 * tokens is T steps, which is what a causal model computes). HF semantics: RMSNorm, rotate-half
 * RoPE from the one {@link RopeTable}, GQA (query head h reads KV head h / groupSize), SwiGLU,
 * optional biases, per-layer shapes with skipped blocks for 0 heads / 0 FFN. {@link Hooks} sees
 * the same sites as {@link ForwardHooks}, one position at a time.
 */
public final class ReferenceForward implements Decoder.Source {
    /**
     * The sites of {@link ForwardHooks} for one position: vectors are (width) rows of the engine's
     * (B, T, width) arrays, valid only during the call; do not modify them.
     */
    public interface Hooks {
        Hooks NONE = new Hooks() { };

        default void linearInput(int layer, ForwardHooks.Site site, int position, double[] x) {
        }

        /** Head outputs before o_proj, heads side by side: (queryHeads * headDim). */
        default void headOutputs(int layer, int position, double[] heads) {
        }

        /** o_proj's output (bias included) before the residual add: (hidden). */
        default void attentionOutput(int layer, int position, double[] out) {
        }

        default void layerInput(int layer, int position, double[] h) {
        }

        default void layerOutput(int layer, int position, double[] h) {
        }
    }

    private final LlamaWeights w;
    private final LlamaConfig c;
    private final RopeTable rope;

    public ReferenceForward(LlamaWeights weights) {
        this.w = weights;
        this.c = weights.config();
        this.rope = RopeTable.of(c);
    }

    @Override
    public String name() {
        return "plain-java-double";
    }

    @Override
    public Run newDecoder() {
        return new Run(Hooks.NONE);
    }

    /** A decoder whose steps call {@code hooks}. */
    public Run newDecoder(Hooks hooks) {
        return new Run(hooks);
    }

    /** Logits (T, vocab) in double of {@code ids} from position 0. */
    public double[][] logits(int[] ids) {
        try (Run r = newDecoder()) {
            return r.appendExact(ids);
        }
    }

    /** One sequence with its cache: per layer, per position, the rotated keys and the values of all KV heads. */
    public final class Run implements Decoder {
        private final Hooks hooks;
        private final List<List<double[]>> keys = new ArrayList<>();
        private final List<List<double[]>> values = new ArrayList<>();
        private int position;

        private Run(Hooks hooks) {
            this.hooks = hooks;
            for (int i = 0; i < c.numLayers(); i++) {
                keys.add(new ArrayList<>());
                values.add(new ArrayList<>());
            }
        }

        @Override
        public float[][] append(int[] ids) {
            double[][] d = appendExact(ids);
            float[][] out = new float[d.length][];
            for (int t = 0; t < d.length; t++) {
                out[t] = new float[d[t].length];
                for (int i = 0; i < d[t].length; i++) {
                    out[t][i] = (float) d[t][i];
                }
            }
            return out;
        }

        /** As {@link #append}, the logits left in double. */
        public double[][] appendExact(int[] ids) {
            double[][] out = new double[ids.length][];
            for (int t = 0; t < ids.length; t++) {
                out[t] = step(ids[t], position++);
            }
            return out;
        }

        @Override
        public int length() {
            return position;
        }

        @Override
        public int maxPositions() {
            return c.maxPositions();
        }

        @Override
        public void close() {
            keys.clear();
            values.clear();
        }

        private double[] step(int id, int pos) {
            if (pos >= c.maxPositions()) {
                throw new IllegalArgumentException("position " + pos + " is past the model's context of "
                        + c.maxPositions() + " positions");
            }
            int hidden = c.hidden();
            double[] x = new double[hidden];
            float[] emb = w.get(TensorNames.EMBED).data();
            for (int i = 0; i < hidden; i++) {
                x[i] = emb[id * hidden + i];
            }
            for (int l = 0; l < c.numLayers(); l++) {
                hooks.layerInput(l, pos, x);
                LayerShape s = c.layer(l);
                if (s.hasAttention()) {
                    double[] n = rms(x, TensorNames.inputNorm(l));
                    hooks.linearInput(l, ForwardHooks.Site.ATTN_INPUT, pos, n);
                    double[] a = attention(l, s, n, pos);
                    hooks.attentionOutput(l, pos, a);
                    add(x, a);
                }
                if (s.hasMlp()) {
                    double[] n = rms(x, TensorNames.postAttentionNorm(l));
                    hooks.linearInput(l, ForwardHooks.Site.MLP_INPUT, pos, n);
                    add(x, mlp(l, n, pos));
                }
                hooks.layerOutput(l, pos, x);
            }
            return matVec(w.lmHead(), rms(x, TensorNames.FINAL_NORM), null);
        }

        private double[] attention(int l, LayerShape s, double[] x, int pos) {
            int hd = c.headDim();
            double[] q = linear(l, Proj.Q, x);
            double[] k = linear(l, Proj.K, x);
            double[] v = linear(l, Proj.V, x);
            for (int head = 0; head < s.queryHeads(); head++) {
                rotate(q, head * hd, pos);
            }
            for (int head = 0; head < s.kvHeads(); head++) {
                rotate(k, head * hd, pos);
            }
            List<double[]> ks = keys.get(l);
            List<double[]> vs = values.get(l);
            ks.add(k);
            vs.add(v);
            int len = ks.size();
            double scale = 1 / Math.sqrt(hd);
            double[] ctx = new double[s.queryHeads() * hd];
            double[] scores = new double[len];
            for (int head = 0; head < s.queryHeads(); head++) {
                int kv = (head / s.groupSize()) * hd;
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p < len; p++) {
                    double dot = 0;
                    double[] kp = ks.get(p);
                    for (int d = 0; d < hd; d++) {
                        dot += q[head * hd + d] * kp[kv + d];
                    }
                    scores[p] = dot * scale;
                    max = Math.max(max, scores[p]);
                }
                double sum = 0;
                for (int p = 0; p < len; p++) {
                    scores[p] = Math.exp(scores[p] - max);
                    sum += scores[p];
                }
                for (int p = 0; p < len; p++) {
                    double weight = scores[p] / sum;
                    double[] vp = vs.get(p);
                    for (int d = 0; d < hd; d++) {
                        ctx[head * hd + d] += weight * vp[kv + d];
                    }
                }
            }
            hooks.headOutputs(l, pos, ctx);
            hooks.linearInput(l, ForwardHooks.Site.O_PROJ_INPUT, pos, ctx);
            return linear(l, Proj.O, ctx);
        }

        /** Rotate-half RoPE of the head at {@code off}: pair j is (j, j + headDim/2). */
        private void rotate(double[] x, int off, int pos) {
            int half = rope.pairs();
            for (int j = 0; j < half; j++) {
                double cos = rope.cos(pos, j);
                double sin = rope.sin(pos, j);
                double a = x[off + j];
                double b = x[off + half + j];
                x[off + j] = a * cos - b * sin;
                x[off + half + j] = b * cos + a * sin;
            }
        }

        private double[] mlp(int l, double[] x, int pos) {
            double[] gate = linear(l, Proj.GATE, x);
            double[] up = linear(l, Proj.UP, x);
            for (int i = 0; i < gate.length; i++) {
                gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i]; // SiLU(gate) * up
            }
            hooks.linearInput(l, ForwardHooks.Site.DOWN_PROJ_INPUT, pos, gate);
            return linear(l, Proj.DOWN, gate);
        }
    }

    private double[] linear(int l, Proj p, double[] x) {
        return matVec(w.get(TensorNames.weight(l, p)), x, w.getOrNull(TensorNames.bias(l, p)));
    }

    /** x / sqrt(mean(x²) + eps) * g. */
    private double[] rms(double[] x, String weight) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        float[] g = w.get(weight).data();
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * inv * g[i];
        }
        return out;
    }

    /** W (out, in) · x (+ b). */
    private static double[] matVec(FloatTensor m, double[] x, FloatTensor bias) {
        int rows = m.dim(0);
        int cols = m.dim(1);
        float[] a = m.data();
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double acc = bias == null ? 0 : bias.data()[r];
            for (int k = 0; k < cols; k++) {
                acc += a[r * cols + k] * x[k];
            }
            y[r] = acc;
        }
        return y;
    }

    private static void add(double[] x, double[] d) {
        for (int i = 0; i < x.length; i++) {
            x[i] += d[i];
        }
    }
}
