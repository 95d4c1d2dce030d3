package prunekit.core.engine;

import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * The slow, obvious LLaMA forward the engine is tested against: plain loops, double accumulation,
 * one sequence, no cache. HF rotate-half RoPE, GQA (query head h uses KV head h / groupSize).
 */
public final class ReferenceForward {
    private final LlamaConfig c;
    private final LlamaWeights w;
    private final double[] invFreq;

    public ReferenceForward(LlamaWeights w) {
        this.w = w;
        this.c = w.config();
        this.invFreq = c.ropeScaling().inverseFrequencies(c.headDim(), c.ropeTheta());
    }

    /** Logits (T, vocab) for ids at positions 0..T-1. */
    public double[][] logits(int[] ids) {
        int t = ids.length;
        int h = c.hidden();
        double[][] x = new double[t][h];
        FloatTensor emb = w.get(TensorNames.EMBED);
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < h; j++) {
                x[i][j] = emb.data()[ids[i] * h + j];
            }
        }
        for (int l = 0; l < c.numLayers(); l++) {
            LayerShape s = c.layer(l);
            if (s.hasAttention()) {
                double[][] a = attention(l, s, norm(x, w.get(TensorNames.inputNorm(l))));
                add(x, a);
            }
            if (s.hasMlp()) {
                double[][] n = norm(x, w.get(TensorNames.postAttentionNorm(l)));
                double[][] g = linear(n, l, Proj.GATE);
                double[][] u = linear(n, l, Proj.UP);
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < g[i].length; j++) {
                        g[i][j] = g[i][j] / (1 + Math.exp(-g[i][j])) * u[i][j];
                    }
                }
                add(x, linear(g, l, Proj.DOWN));
            }
        }
        double[][] n = norm(x, w.get(TensorNames.FINAL_NORM));
        return matmulT(n, w.lmHead(), null);
    }

    private double[][] attention(int l, LayerShape s, double[][] x) {
        int t = x.length;
        int hd = c.headDim();
        double[][] q = linear(x, l, Proj.Q);
        double[][] k = linear(x, l, Proj.K);
        double[][] v = linear(x, l, Proj.V);
        for (int i = 0; i < t; i++) {
            rope(q[i], s.queryHeads(), i);
            rope(k[i], s.kvHeads(), i);
        }
        double[][] out = new double[t][s.queryHeads() * hd];
        for (int head = 0; head < s.queryHeads(); head++) {
            int kvh = head / s.groupSize();
            for (int i = 0; i < t; i++) {
                double[] sc = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double d = 0;
                    for (int e = 0; e < hd; e++) {
                        d += q[i][head * hd + e] * k[j][kvh * hd + e];
                    }
                    sc[j] = d / Math.sqrt(hd);
                    max = Math.max(max, sc[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    sc[j] = Math.exp(sc[j] - max);
                    sum += sc[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int e = 0; e < hd; e++) {
                        out[i][head * hd + e] += sc[j] / sum * v[j][kvh * hd + e];
                    }
                }
            }
        }
        return linear(out, l, Proj.O);
    }

    private void rope(double[] vec, int heads, int pos) {
        int hd = c.headDim();
        int half = hd / 2;
        for (int head = 0; head < heads; head++) {
            for (int j = 0; j < half; j++) {
                double ang = pos * invFreq[j];
                double a = vec[head * hd + j];
                double b = vec[head * hd + j + half];
                vec[head * hd + j] = a * Math.cos(ang) - b * Math.sin(ang);
                vec[head * hd + j + half] = b * Math.cos(ang) + a * Math.sin(ang);
            }
        }
    }

    private double[][] linear(double[][] x, int l, Proj p) {
        return matmulT(x, w.get(TensorNames.weight(l, p)), w.getOrNull(TensorNames.bias(l, p)));
    }

    /** x (T, in) · Wᵀ with W (out, in), plus bias. */
    private static double[][] matmulT(double[][] x, FloatTensor wt, FloatTensor bias) {
        int out = wt.dim(0);
        int in = wt.dim(1);
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double d = bias == null ? 0 : bias.data()[o];
                for (int j = 0; j < in; j++) {
                    d += x[i][j] * wt.data()[o * in + j];
                }
                y[i][o] = d;
            }
        }
        return y;
    }

    private double[][] norm(double[][] x, FloatTensor g) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double ms = 0;
            for (double v : x[i]) {
                ms += v * v;
            }
            double r = 1 / Math.sqrt(ms / x[i].length + c.rmsNormEps());
            y[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = x[i][j] * r * g.data()[j];
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] d) {
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] += d[i][j];
            }
        }
    }
}
