package prunekit.prune.recon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.engine.Bf16;
import prunekit.core.engine.Engines;
import prunekit.core.engine.ForwardHooks;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.engine.Params;
import prunekit.core.engine.Transformer;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * Runs one decoder layer on given hidden states and returns the input of one of its linear sites,
 * through the project's one forward ({@link Transformer#decoderLayer}, the per-layer step of the
 * layer-streaming executor): the layer becomes layer 0 of a one-layer model and runs on the states
 * as they are (window i at positions 0..T-1), so it computes exactly what it computes inside the
 * full model, and no head is computed. Only this layer's tensors and {@code batch} windows are
 * resident at a time.
 */
final class LayerRunner {
    private LayerRunner() {
    }

    /** What a capture returns: the site's input, the sub-block's output, or both. */
    enum Capture {
        /** The site's input only: the forward stops there (the rest of the block is never computed). */
        INPUT,
        /** The sub-block's output only (o_proj's or down_proj's, bias included): (rows, hidden). */
        OUTPUT,
        /** Both, from the one forward. */
        BOTH
    }

    /**
     * The input of {@code site} (rows = n·t, cols) when {@code layer} runs on {@code h} (n·t, hidden):
     * n windows of t positions, {@code batch} windows per forward.
     */
    static float[] capture(LlamaConfig c, LayerTensors layer, Site site, float[] h, int n, int t, ReconOptions o) {
        return capture(c, layer, site, h, n, t, o, Capture.INPUT)[0];
    }

    /**
     * {input of {@code site} (rows, cols), output of the sub-block {@code site} feeds (rows, hidden)}, each null
     * unless {@code what} asks for it. The output is the one the layer's forward computes (the attention
     * block's for {@link Site#O_PROJ_INPUT}, the MLP's for {@link Site#DOWN_PROJ_INPUT}); with
     * {@link Capture#INPUT} the forward ends at the site, so the sub-block's last projection is not computed.
     * The projections' products are bf16 ({@link Bf16}) when {@code o}'s matmul precision says so for the hidden size.
     */
    static float[][] capture(LlamaConfig c, LayerTensors layer, Site site, float[] h, int n, int t, ReconOptions o,
                             Capture what) {
        boolean bf16 = o.matmul().bf16(c.hidden());
        long[] t0 = PhaseTimes.start();
        try {
            return run(c, layer, site, h, n, t, o.batch(), bf16, what);
        } finally {
            PhaseTimes.stop((bf16 ? "forward bf16 " : "forward ") + site, t0);
        }
    }

    private static float[][] run(LlamaConfig c, LayerTensors layer, Site site, float[] h, int n, int t, int batch,
                                 boolean bf16, Capture what) {
        int hidden = c.hidden();
        if (h.length != (long) n * t * hidden) {
            throw new IllegalArgumentException("hidden states hold " + h.length + " values, expected " + n + "x" + t
                    + "x" + hidden);
        }
        int cols = switch (site) {
            case ATTN_INPUT, MLP_INPUT -> hidden;
            case O_PROJ_INPUT -> layer.shape().queryHeads() * c.headDim();
            case DOWN_PROJ_INPUT -> layer.shape().ffn();
        };
        boolean outputs = what != Capture.INPUT;
        if (outputs && site != Site.O_PROJ_INPUT && site != Site.DOWN_PROJ_INPUT) {
            throw new IllegalArgumentException("a sub-block output is captured at o_proj's or down_proj's input, not "
                    + site);
        }
        float[] in = what == Capture.OUTPUT ? null : new float[n * t * cols];
        float[] out = outputs ? new float[n * t * hidden] : null;
        LlamaConfig one = c.toBuilder().vocabSize(1).layers(List.of(layer.shape())).tieWordEmbeddings(true)
                .maxPositions(Math.max(t, c.maxPositions())).build();
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        m.put(TensorNames.EMBED, FloatTensor.zeros(1, hidden)); // never read: the states go in as they are
        layer.putInto(m, 0);
        m.put(TensorNames.FINAL_NORM, FloatTensor.zeros(hidden));
        if (bf16) { // the projections' weights live as bf16 bits in the kernel only
            for (Proj p : Proj.values()) {
                m.remove(TensorNames.weight(0, p));
            }
        }
        try (Params params = nativeParams(one, m);
             Transformer tf = new Transformer(params, bf16 ? bf16Weights(params.manager(), layer) : null)) {
            for (int w0 = 0; w0 < n; w0 += batch) {
                int b = Math.min(batch, n - w0);
                int inAt = w0 * t * cols;
                int outAt = w0 * t * hidden;
                ForwardHooks hook = new ForwardHooks() {
                    @Override
                    public void linearInput(int l, Site s, NDArray x) {
                        if (s == site) {
                            if (in != null) {
                                copy(x, in, inAt); // (b, t, cols)
                            }
                            if (!outputs) {
                                throw SiteReached.INSTANCE;
                            }
                        }
                    }

                    @Override
                    public void attentionOutput(int l, NDArray y) {
                        if (outputs && site == Site.O_PROJ_INPUT) {
                            copy(y, out, outAt); // (b, t, hidden)
                        }
                    }

                    @Override
                    public void mlpOutput(int l, NDArray y) {
                        if (outputs && site == Site.DOWN_PROJ_INPUT) {
                            copy(y, out, outAt);
                        }
                    }
                };
                try (NDScope scope = new NDScope()) {
                    tf.decoderLayer(0, Gemm.toNative(tf.manager(), h, w0 * t * hidden, new Shape(b, t, hidden)), hook);
                    scope.suppressNotUsedWarning();
                } catch (SiteReached stop) {
                    // the site's input is copied; the scope closed what the forward made up to there
                }
            }
        }
        return new float[][] {in, out};
    }

    private static void copy(NDArray x, float[] into, int offset) {
        float[] f = x.toFloatArray();
        System.arraycopy(f, 0, into, offset, f.length);
    }

    /** Ends a forward at the captured site (thrown by the hook, caught in {@link #capture}; no stack trace). */
    private static final class SiteReached extends RuntimeException {
        static final SiteReached INSTANCE = new SiteReached();

        private SiteReached() {
            super("the captured site was reached", null, false, false);
        }
    }

    /**
     * x Wᵀ by {@link Bf16#linear} against the layer's projection weights rounded to bf16 once, in {@code pm} (freed
     * with it); each weight passes through PyTorch's memory as fp32 only while it is rounded.
     */
    private static Transformer.Linear bf16Weights(NDManager pm, LayerTensors layer) {
        Map<Proj, Bf16.Bits> bits = new java.util.EnumMap<>(Proj.class);
        for (Proj p : Proj.values()) {
            FloatTensor w = layer.weights().get(p);
            if (w != null) {
                try (NDArray f = Gemm.toNative(pm, w.data(), 0, new Shape(w.dim(0), w.dim(1)))) {
                    bits.put(p, Bf16.round(f));
                }
            }
        }
        return (l, p, x) -> Bf16.linear(x, bits.get(p));
    }

    /** The one-layer model's tensors as PyTorch-owned arrays ({@link Gemm#toNative}), freed when closed. */
    private static Params nativeParams(LlamaConfig one, Map<String, FloatTensor> tensors) {
        NDManager pm = Engines.newManager();
        try {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            tensors.forEach((name, t) -> {
                long[] shape = new long[t.rank()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.dim(i);
                }
                NDArray a = Gemm.toNative(pm, t.data(), 0, new Shape(shape));
                a.setName(name);
                arrays.put(name, a);
            });
            return Params.wrap(one, pm, arrays);
        } catch (RuntimeException e) {
            pm.close();
            throw e;
        }
    }
}
