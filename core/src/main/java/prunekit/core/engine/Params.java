package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * A model's weights as fp32 NDArrays under their HF names, owned by one NDManager. The same
 * object serves inference and training (set {@code requiresGradient} on the arrays to train).
 */
public final class Params implements AutoCloseable {
    private final LlamaConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> arrays;

    public Params(LlamaWeights weights) {
        this.config = weights.config();
        this.manager = Engines.newManager();
        Map<String, NDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, FloatTensor> e : weights.tensors().entrySet()) {
            FloatTensor t = e.getValue();
            long[] shape = new long[t.rank()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.dim(i);
            }
            NDArray a = manager.create(t.data(), new Shape(shape));
            a.setName(e.getKey());
            m.put(e.getKey(), a);
        }
        this.arrays = Collections.unmodifiableMap(m);
    }

    public LlamaConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** The array named {@code name}, or null when the model has no such tensor (e.g. a bias). */
    public NDArray getOrNull(String name) {
        return arrays.get(name);
    }

    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("model has no tensor " + name);
        }
        return a;
    }

    /** All arrays in checkpoint order (unmodifiable). */
    public Map<String, NDArray> arrays() {
        return arrays;
    }

    /** Copies the current values back into Java memory as weights of the same config. */
    public LlamaWeights toWeights(prunekit.core.model.DType storedDtype) {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            long[] s = e.getValue().getShape().getShape();
            int[] shape = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                shape[i] = Math.toIntExact(s[i]);
            }
            m.put(e.getKey(), new FloatTensor(shape, e.getValue().toFloatArray()));
        }
        return new LlamaWeights(config, m, storedDtype);
    }

    @Override
    public void close() {
        manager.close();
    }
}
