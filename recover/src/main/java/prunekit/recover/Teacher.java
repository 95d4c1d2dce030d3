package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import prunekit.core.engine.ForwardHooks;
import prunekit.core.engine.Params;
import prunekit.core.engine.Transformer;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;

/**
 * The dense teacher during recovery. Runs alongside the student with no gradient (its arrays do
 * not require one and it runs outside the gradient collector), giving per micro-batch either its
 * full logits or, with a {@link TopKCache}, its top-k distribution at temperature T read from the
 * cache or computed and written there; plus, for hidden-state matching, the residual streams
 * leaving the chosen layers (always from a live forward: the cache holds no hidden states).
 * With a cache, the loss always sees the top-k form, whether the entry was just computed or read,
 * so a run that filled the cache and one that reused it train identically.
 */
public final class Teacher implements AutoCloseable {
    /** What the teacher gives for one micro-batch; arrays belong to the caller's manager. */
    public record Targets(NDArray logits, TopKTargets topK, Map<Integer, NDArray> hidden) {
    }

    private final Params params;
    private final Transformer model;
    private final TopKCache cache;
    private final double temperature;
    private final List<Integer> hiddenLayers;

    /** A teacher over {@code weights}; {@code cacheOrNull} switches to top-k targets; hidden layers may be empty. */
    public Teacher(LlamaWeights weights, TopKCache cacheOrNull, double temperature, List<Integer> hiddenLayers) {
        for (int l : hiddenLayers) {
            if (l < 0 || l >= weights.config().numLayers()) {
                throw new IllegalArgumentException("teacher layer " + l + " does not exist (it has "
                        + weights.config().numLayers() + " layers)");
            }
        }
        this.params = new Params(weights);
        this.model = new Transformer(params);
        this.cache = cacheOrNull;
        this.temperature = temperature;
        this.hiddenLayers = List.copyOf(hiddenLayers);
    }

    public Transformer model() {
        return model;
    }

    /** A 64-bit fingerprint of a model's tensor names, shapes and values (what a cache entry depends on). */
    public static long fingerprint(LlamaWeights w) {
        long h = 0x13198A2E03707344L;
        for (Map.Entry<String, FloatTensor> e : w.tensors().entrySet()) {
            h = WindowSampler.mix(h, e.getKey().hashCode());
            for (int d : e.getValue().shape()) {
                h = WindowSampler.mix(h, d);
            }
            long acc = 0;
            float[] data = e.getValue().data();
            for (int i = 0; i < data.length; i++) {
                acc = acc * 0x100000001B3L + Float.floatToRawIntBits(data[i]);
            }
            h = WindowSampler.mix(h, acc);
        }
        return h;
    }

    /**
     * The teacher's targets for {@code windows} (rows × (seq + 1); inputs are the first seq tokens,
     * {@code ids} the same inputs as a (rows, seq) int64 array) of micro-batch {@code micro} of step
     * {@code step}. The returned arrays are attached to {@code m}.
     */
    public Targets targets(int step, int micro, int[][] windows, NDArray ids, NDManager m) {
        long fp = TopKCache.fingerprint(windows);
        Optional<TopKCache.Entry> cached = cache == null ? Optional.empty() : cache.read(step, micro, fp);
        boolean needForward = cache == null || cached.isEmpty() || !hiddenLayers.isEmpty();
        Map<Integer, NDArray> hidden = new LinkedHashMap<>();
        NDArray logits = null;
        if (needForward) {
            ForwardHooks hooks = hiddenLayers.isEmpty() ? ForwardHooks.NONE : new ForwardHooks() {
                @Override
                public void layerOutput(int layer, NDArray h) {
                    if (hiddenLayers.contains(layer)) {
                        NDArray copy = h.duplicate(); // (rows, seq, hidden), kept past the forward's scope
                        NDScope.unregister(copy);
                        copy.attach(m);
                        hidden.put(layer, copy);
                    }
                }
            };
            logits = model.forward(ids, null, hooks); // (rows, seq, vocab)
            logits.attach(m);
        }
        if (cache == null) {
            return new Targets(logits, null, hidden);
        }
        TopKCache.Entry e = cached.orElse(null);
        if (e == null) {
            e = topK(logits, cache.k(), temperature, fp);
            cache.write(step, micro, e);
        }
        if (logits != null) {
            logits.close();
        }
        return new Targets(null, arrays(e, m), hidden);
    }

    /** The top-k entry of {@code logits} (rows, seq, vocab) at {@code temperature}; rest mass summed in double. */
    static TopKCache.Entry topK(NDArray logits, int k, double temperature, long fingerprint) {
        int rows = Math.toIntExact(logits.getShape().get(0));
        int seq = Math.toIntExact(logits.getShape().get(1));
        if (k > logits.getShape().get(2)) {
            throw new IllegalArgumentException("--top-k " + k + " exceeds the vocabulary (" + logits.getShape().get(2) + ")");
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray invT = DistillLosses.scalar(logits, 1.0 / temperature);
            NDArray logp = logits.mul(invT).logSoftmax(-1); // (rows, seq, vocab)
            NDList top = logp.topK(k, -1, true, true); // values, indices: (rows, seq, k)
            float[] lp = top.get(0).toType(DataType.FLOAT32, false).toFloatArray();
            long[] idx = top.get(1).toLongArray();
            int n = rows * seq;
            int[] ids = new int[idx.length];
            float[] rest = new float[n];
            for (int i = 0; i < n; i++) {
                double mass = 0;
                for (int j = 0; j < k; j++) {
                    ids[i * k + j] = Math.toIntExact(idx[i * k + j]);
                    mass += Math.exp(lp[i * k + j]);
                }
                rest[i] = (float) Math.max(0, 1 - mass);
            }
            return new TopKCache.Entry(rows, seq, k, fingerprint, ids, lp, rest);
        }
    }

    /**
     * The entry as fp32 arrays in {@code m}: indices int64 (rows, seq, k), log-probs (rows, seq, k),
     * rest (rows, seq, 1); copies in memory PyTorch owns (autograd keeps the indices for backward).
     */
    static TopKTargets arrays(TopKCache.Entry e, NDManager m) {
        long[] idx = Arrays.stream(e.indices()).asLongStream().toArray();
        NDArray indices;
        NDArray logProbs;
        NDArray rest;
        try (NDArray i = m.create(idx, new Shape(e.rows(), e.seq(), e.k()));
             NDArray lp = m.create(e.logProbs(), new Shape(e.rows(), e.seq(), e.k()));
             NDArray r = m.create(e.restMass(), new Shape(e.rows(), e.seq(), 1))) {
            indices = i.duplicate();
            logProbs = lp.duplicate();
            rest = r.duplicate();
        }
        return new TopKTargets(indices, logProbs, rest);
    }

    @Override
    public void close() {
        model.close();
        params.close();
    }
}
