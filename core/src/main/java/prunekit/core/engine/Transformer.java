package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * The LLaMA forward pass on DJL's PyTorch engine: embedding, per layer RMSNorm → attention (RoPE,
 * GQA, causal) → residual → RMSNorm → SwiGLU MLP → residual, final RMSNorm, output head.
 * Layers may differ in heads and FFN width; a layer with no heads or no FFN skips that block.
 * The same code runs inference (with an optional {@link KvCache}) and training (arrays in
 * {@link Params} with gradients attached; hooks see arrays with autograd history).
 */
public final class Transformer implements Decoder.Source, AutoCloseable {
    private final LlamaConfig config;
    private final Params params;
    private final boolean ownsParams;
    private final Rope rope;
    private final NDManager manager;
    private final NDArray attentionScale;
    private final Linear kernel;

    /**
     * How a projection's product x Wᵀ is computed (the bias is added after): PyTorch's matmul over the params' weight
     * unless a caller brings another, which holds the weights itself (so the params need not: the reconstruction
     * pruner's wide path keeps them as {@link Bf16.Bits} only).
     */
    @FunctionalInterface
    public interface Linear {
        NDArray apply(int layer, Proj p, NDArray x);
    }

    /** Loads {@code weights} into a new set of arrays owned by this transformer. */
    public Transformer(LlamaWeights weights) {
        this(new Params(weights), true, null);
    }

    /** Runs over arrays owned by the caller (e.g. a trainer); {@link #close()} leaves them alone. */
    public Transformer(Params params) {
        this(params, false, null);
    }

    /** As {@link #Transformer(Params)}, each projection's product computed by {@code linear}. */
    public Transformer(Params params, Linear linear) {
        this(params, false, linear);
    }

    private Transformer(Params params, boolean ownsParams, Linear linear) {
        this.kernel = linear;
        this.config = params.config();
        this.params = params;
        this.ownsParams = ownsParams;
        this.manager = params.manager().newSubManager();
        this.rope = new Rope(config, manager, params.dtype());
        this.attentionScale = nativeConstant(manager, 1.0 / Math.sqrt(config.headDim()), params.dtype());
    }

    public LlamaConfig config() {
        return config;
    }

    public Params params() {
        return params;
    }

    public KvCache newCache() {
        return new KvCache(config.numLayers(), manager);
    }

    @Override
    public String name() {
        return "prunekit Transformer (DJL PyTorch)";
    }

    /** A decoder over this forward with its own {@link KvCache}. */
    @Override
    public Decoder newDecoder() {
        KvCache cache = newCache();
        return new Decoder() {
            @Override
            public float[][] append(int[] ids) {
                return forwardCached(cache, ids);
            }

            @Override
            public int length() {
                return cache.length();
            }

            @Override
            public int maxPositions() {
                return config.maxPositions();
            }

            @Override
            public void close() {
                cache.close();
            }
        };
    }

    /**
     * Logits for {@code ids} (B, T) int64 following what {@code cache} holds (positions start at
     * cache.length(); a null cache means position 0 and nothing is kept). Returns (B, T, vocab),
     * which the caller closes; every intermediate is freed before returning.
     */
    public NDArray forward(NDArray ids, KvCache cache, ForwardHooks hooks) {
        try (NDScope scope = new NDScope()) {
            NDArray h = hidden(ids, cache, hooks);
            NDArray logits = h.matMul(params.getOrNull(TensorNames.LM_HEAD) != null
                    ? params.get(TensorNames.LM_HEAD).transpose()
                    : params.get(TensorNames.EMBED).transpose());
            NDScope.unregister(logits);
            scope.suppressNotUsedWarning();
            return logits;
        }
    }

    /** The final normed hidden state (B, T, hidden); intermediates belong to the caller's scope. */
    NDArray hidden(NDArray ids, KvCache cache, ForwardHooks hooks) {
        ForwardHooks hk = hooks == null ? ForwardHooks.NONE : hooks;
        int start = cache == null ? 0 : cache.length();
        NDArray h = Embedding.embedding(ids, params.get(TensorNames.EMBED), SparseFormat.DENSE).singletonOrThrow();
        long t = ids.getShape().get(1);
        NDArray mask = causalMask(start, t);
        for (int i = 0; i < config.numLayers(); i++) {
            h = layer(i, h, start, mask, cache, hk);
        }
        if (cache != null) {
            cache.advance((int) t);
        }
        return rmsNorm(h, params.get(TensorNames.FINAL_NORM));
    }

    /**
     * Decoder layer {@code i} alone over {@code h} (B, T, hidden) from position 0, no cache: the
     * same ops as one step of {@link #hidden}'s loop, needing only layer i's params (for an executor
     * that holds one layer at a time, {@link LayerStreamer}). Intermediates belong to the caller's scope.
     */
    public NDArray decoderLayer(int i, NDArray h, ForwardHooks hooks) {
        return layer(i, h, 0, causalMask(0, h.getShape().get(1)), null, hooks == null ? ForwardHooks.NONE : hooks);
    }

    /** Layer {@code i} over {@code h} (B, T, hidden) at positions start..: h + attention(norm h), then + MLP(norm h). */
    private NDArray layer(int i, NDArray h, int start, NDArray mask, KvCache cache, ForwardHooks hk) {
        hk.layerInput(i, h);
        LayerShape s = config.layer(i);
        if (s.hasAttention()) {
            NDArray x = rmsNorm(h, params.get(TensorNames.inputNorm(i)));
            hk.linearInput(i, ForwardHooks.Site.ATTN_INPUT, x);
            h = h.add(attention(i, s, x, start, mask, cache, hk));
        }
        if (s.hasMlp()) {
            NDArray x = rmsNorm(h, params.get(TensorNames.postAttentionNorm(i)));
            hk.linearInput(i, ForwardHooks.Site.MLP_INPUT, x);
            h = h.add(mlp(i, x, hk));
        }
        hk.layerOutput(i, h);
        return h;
    }

    private NDArray attention(int layer, LayerShape s, NDArray x, int start, NDArray mask, KvCache cache,
                              ForwardHooks hk) {
        Shape in = x.getShape();
        long b = in.get(0);
        long t = in.get(1);
        int hd = config.headDim();
        int kvh = s.kvHeads();
        int rep = s.groupSize();
        // q: (B, T, qh*hd) → (B, qh, T, hd); k, v: (B, kvh, T, hd)
        NDArray q = linear(layer, Proj.Q, x).reshape(b, t, s.queryHeads(), hd).transpose(0, 2, 1, 3);
        NDArray k = linear(layer, Proj.K, x).reshape(b, t, kvh, hd).transpose(0, 2, 1, 3);
        NDArray v = linear(layer, Proj.V, x).reshape(b, t, kvh, hd).transpose(0, 2, 1, 3);
        q = rope.apply(q, start);
        k = rope.apply(k, start);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        long sLen = k.getShape().get(2);
        // Query heads of one KV group side by side: (B, kvh, rep*T, hd); head h uses KV head h / rep.
        NDArray qg = q.reshape(b, kvh, rep * t, hd);
        // scores, probs: (B, kvh, rep*T, S). Each step closes its input (and the views reshape made), so
        // at most two copies live at once and none outlives the layer: see MemoryCheck.forwardBytesPerRow.
        NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2));
        scores = then(scores, a -> a.mul(attentionScale));
        scores = then(then(scores, a -> a.reshape(b, kvh, rep, t, sLen)), a -> a.add(mask));
        NDArray probs = then(then(scores, a -> a.reshape(b, kvh, rep * t, sLen)), a -> a.softmax(-1));
        NDArray heads; // (B, kvh, rep*T, hd)
        try (probs) {
            heads = probs.matMul(v);
        }
        NDArray out = heads.reshape(b, s.queryHeads(), t, hd).transpose(0, 2, 1, 3); // (B, T, qh, hd)
        hk.headOutputs(layer, out);
        NDArray concat = out.reshape(b, t, (long) s.queryHeads() * hd);
        hk.linearInput(layer, ForwardHooks.Site.O_PROJ_INPUT, concat);
        NDArray attnOut = linear(layer, Proj.O, concat); // (B, T, hidden)
        hk.attentionOutput(layer, attnOut);
        return attnOut;
    }

    /**
     * {@code f(x)}, then x's handle closed (its storage lives on in a view {@code f} returned, or
     * in autograd's saved tensors): frees attention's large intermediates as it goes.
     */
    private static NDArray then(NDArray x, UnaryOperator<NDArray> f) {
        try (x) {
            return f.apply(x);
        }
    }

    private NDArray mlp(int layer, NDArray x, ForwardHooks hk) {
        NDArray gate = linear(layer, Proj.GATE, x);
        NDArray up = linear(layer, Proj.UP, x);
        NDArray act = Activation.sigmoid(gate).mul(gate).mul(up); // SiLU(gate) * up: (B, T, ffn)
        hk.linearInput(layer, ForwardHooks.Site.DOWN_PROJ_INPUT, act);
        NDArray out = linear(layer, Proj.DOWN, act); // (B, T, hidden)
        hk.mlpOutput(layer, out);
        return out;
    }

    private NDArray linear(int layer, Proj p, NDArray x) {
        NDArray y = kernel == null ? x.matMul(params.get(TensorNames.weight(layer, p)).transpose())
                : kernel.apply(layer, p, x);
        NDArray bias = params.getOrNull(TensorNames.bias(layer, p));
        return bias == null ? y : y.add(bias);
    }

    /** RMSNorm over the last axis: x / sqrt(mean(x²) + eps) * w. */
    NDArray rmsNorm(NDArray x, NDArray w) {
        NDArray ms = x.square().mean(new int[] {-1}, true);
        return x.div(ms.add((float) config.rmsNormEps()).sqrt()).mul(w);
    }

    /**
     * A 0-dim constant in memory that PyTorch allocated and reference-counts. Never multiply by a
     * Java number ({@code x.mul(0.125)}) on the autograd path: DJL wraps the number in a tensor over a
     * Java direct buffer and closes it at once, but autograd keeps that tensor for the backward pass
     * (MulBackward needs it); once the garbage collector frees the buffer, backward reads freed
     * memory and the gradients become garbage or NaN, intermittently.
     */
    static NDArray nativeConstant(NDManager manager, double value, DataType dtype) {
        try (NDArray wrapped = dtype == DataType.FLOAT64 ? manager.create(value) : manager.create((float) value)) {
            return wrapped.duplicate();
        }
    }

    /** (T, S) additive mask in the params' dtype: query t (absolute start+t) sees keys 0..start+t. */
    private NDArray causalMask(int start, long t) {
        int tt = (int) t;
        int sLen = start + tt;
        float[] m = new float[tt * sLen];
        for (int i = 0; i < tt; i++) {
            for (int j = start + i + 1; j < sLen; j++) {
                m[i * sLen + j] = Float.NEGATIVE_INFINITY;
            }
        }
        if (params.dtype() == DataType.FLOAT64) {
            return manager.create(FloatTensor.toDoubles(m), new Shape(tt, sLen));
        }
        return manager.create(m, new Shape(tt, sLen));
    }

    // ---- array-level conveniences for callers that work in Java arrays ----

    /** Logits (T, vocab) of a single sequence processed from position 0. */
    public float[][] logits(int[] ids) {
        return forwardCached(null, ids);
    }

    /** Logits (T, vocab) of {@code ids} appended after what {@code cache} holds (batch 1; null: none, from position 0). */
    public float[][] forwardCached(KvCache cache, int[] ids) {
        try (NDManager m = manager.newSubManager()) {
            NDArray in = m.create(Arrays.stream(ids).asLongStream().toArray(), new Shape(1, ids.length));
            try (NDArray out = forward(in, cache, null)) {
                return rows(out.toFloatArray(), ids.length, config.vocabSize());
            }
        }
    }

    /** A (B, T) int64 array of ids in this transformer's manager; the caller closes it. */
    public NDArray idsArray(int[][] batch) {
        int t = batch[0].length;
        long[] flat = new long[batch.length * t];
        for (int i = 0; i < batch.length; i++) {
            if (batch[i].length != t) {
                throw new IllegalArgumentException("all rows of a batch must have the same length");
            }
            for (int j = 0; j < t; j++) {
                flat[i * t + j] = batch[i][j];
            }
        }
        return manager.create(flat, new Shape(batch.length, t));
    }

    private static float[][] rows(float[] flat, int t, int v) {
        float[][] out = new float[t][v];
        for (int i = 0; i < t; i++) {
            System.arraycopy(flat, i * v, out[i], 0, v);
        }
        return out;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
        if (ownsParams) {
            params.close();
        }
    }
}
