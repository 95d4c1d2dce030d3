package prunekit.export;

import java.util.ArrayList;
import java.util.List;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * The slow, obvious LLaMA forward the ONNX graphs are tested against: one token at a time with a
 * KV cache, plain loops, double accumulation, HF semantics (RMSNorm, rotate-half RoPE with the
 * config's inverse frequencies, GQA head h reading KV head h / group, SwiGLU, optional biases,
 * skipped blocks for 0 heads / 0 FFN). Prefill of T tokens = T single-token steps, which is what a
 * causal model computes.
 */
final class ReferenceLlama implements ReferenceForward {
    private final LlamaWeights w;
    private final LlamaConfig c;
    private final double[] invFreq;

    ReferenceLlama(LlamaWeights weights) {
        this.w = weights;
        this.c = weights.config();
        this.invFreq = c.ropeScaling().inverseFrequencies(c.headDim(), c.ropeTheta());
    }

    @Override
    public String name() {
        return "plain-java-double";
    }

    @Override
    public float[][] prefill(int[] ids) {
        try (Run r = newRun()) {
            return r.append(ids);
        }
    }

    @Override
    public Run newRun() {
        return new CachedRun();
    }

    @Override
    public void close() {
    }

    private final class CachedRun implements Run {
        /** Per layer, per position: k or v of all KV heads (nkv * hd). */
        private final List<List<double[]>> keys = new ArrayList<>();
        private final List<List<double[]>> values = new ArrayList<>();
        private int position;

        CachedRun() {
            for (int i = 0; i < c.numLayers(); i++) {
                keys.add(new ArrayList<>());
                values.add(new ArrayList<>());
            }
        }

        @Override
        public float[][] append(int[] ids) {
            float[][] out = new float[ids.length][];
            for (int t = 0; t < ids.length; t++) {
                out[t] = step(ids[t]);
            }
            return out;
        }

        private float[] step(int id) {
            int hdim = c.hidden();
            double[] x = new double[hdim];
            FloatTensor emb = w.get(TensorNames.EMBED);
            for (int i = 0; i < hdim; i++) {
                x[i] = emb.data()[id * hdim + i];
            }
            for (int l = 0; l < c.numLayers(); l++) {
                LayerShape s = c.layer(l);
                if (s.hasAttention()) {
                    add(x, attention(l, s, rms(x, TensorNames.inputNorm(l))));
                }
                if (s.hasMlp()) {
                    add(x, mlp(l, rms(x, TensorNames.postAttentionNorm(l))));
                }
            }
            double[] logits = matVec(w.lmHead(), rms(x, TensorNames.FINAL_NORM), null);
            position++;
            float[] f = new float[logits.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) logits[i];
            }
            return f;
        }

        private double[] attention(int l, LayerShape s, double[] h) {
            int hd = c.headDim();
            double[] q = linear(l, Proj.Q, h, c.attentionBias());
            double[] k = linear(l, Proj.K, h, c.attentionBias());
            double[] v = linear(l, Proj.V, h, c.attentionBias());
            for (int head = 0; head < s.queryHeads(); head++) {
                rope(q, head * hd);
            }
            for (int head = 0; head < s.kvHeads(); head++) {
                rope(k, head * hd);
            }
            keys.get(l).add(k);
            values.get(l).add(v);
            int len = keys.get(l).size();
            double[] ctx = new double[s.queryHeads() * hd];
            for (int head = 0; head < s.queryHeads(); head++) {
                int kvh = head / s.groupSize();
                double[] scores = new double[len];
                double max = Double.NEGATIVE_INFINITY;
                for (int p = 0; p < len; p++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) {
                        dot += q[head * hd + d] * keys.get(l).get(p)[kvh * hd + d];
                    }
                    scores[p] = dot / Math.sqrt(hd);
                    max = Math.max(max, scores[p]);
                }
                double sum = 0;
                for (int p = 0; p < len; p++) {
                    scores[p] = Math.exp(scores[p] - max);
                    sum += scores[p];
                }
                for (int p = 0; p < len; p++) {
                    for (int d = 0; d < hd; d++) {
                        ctx[head * hd + d] += scores[p] / sum * values.get(l).get(p)[kvh * hd + d];
                    }
                }
            }
            return linear(l, Proj.O, ctx, c.attentionBias());
        }

        private void rope(double[] x, int off) {
            int half = c.headDim() / 2;
            for (int i = 0; i < half; i++) {
                double angle = position * invFreq[i];
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                double a = x[off + i];
                double b = x[off + half + i];
                x[off + i] = a * cos - b * sin;
                x[off + half + i] = b * cos + a * sin;
            }
        }

        private double[] mlp(int l, double[] h) {
            double[] gate = linear(l, Proj.GATE, h, c.mlpBias());
            double[] up = linear(l, Proj.UP, h, c.mlpBias());
            for (int i = 0; i < gate.length; i++) {
                gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
            }
            return linear(l, Proj.DOWN, gate, c.mlpBias());
        }

        private double[] linear(int l, Proj p, double[] x, boolean bias) {
            return matVec(w.get(TensorNames.weight(l, p)), x, bias ? w.get(TensorNames.bias(l, p)) : null);
        }

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

        @Override
        public void close() {
        }
    }

    /** W (out, in) · x (+ b). */
    static double[] matVec(FloatTensor m, double[] x, FloatTensor bias) {
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
