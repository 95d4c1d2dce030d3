package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * A model's weights as NDArrays under their HF names, owned by one NDManager. The same object
 * serves inference and training (set {@code requiresGradient} on the arrays to train). The arrays
 * are fp32 unless FLOAT64 is asked for (gradient checks by finite differences need it).
 */
public final class Params implements AutoCloseable {
    private final LlamaConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> arrays;
    private final DataType dtype;

    public Params(LlamaWeights weights) {
        this(weights, DataType.FLOAT32);
    }

    /** The weights as arrays of {@code dtype}: FLOAT32 (the default) or FLOAT64. */
    public Params(LlamaWeights weights, DataType dtype) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
            throw new IllegalArgumentException("params hold FLOAT32 or FLOAT64 arrays, not " + dtype
                    + " (DJL's PyTorch binding cannot take bf16; fp16 is for files only)");
        }
        this.config = weights.config();
        this.dtype = dtype;
        this.manager = Engines.newManager();
        Map<String, NDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, FloatTensor> e : weights.tensors().entrySet()) {
            FloatTensor t = e.getValue();
            NDArray a = dtype == DataType.FLOAT32 ? manager.create(t.data(), Tensors.shape(t))
                    : manager.create(t.toDoubles(), Tensors.shape(t));
            a.setName(e.getKey());
            m.put(e.getKey(), a);
        }
        this.arrays = Collections.unmodifiableMap(m);
    }

    private Params(LlamaConfig config, NDManager manager, Map<String, NDArray> arrays, DataType dtype) {
        this.config = config;
        this.manager = manager;
        this.arrays = arrays;
        this.dtype = dtype;
    }

    /**
     * Params over arrays the caller made: LoRA adapters, or a model's weights with some replaced
     * by W + s·B·A every step (arrays whose autograd history leads to other arrays). The names are
     * not checked against {@code config}; a forward fails naming any tensor it misses. Every array
     * must be FLOAT32, or every one FLOAT64. The result owns {@code manager} and closes it on
     * {@link #close()}; arrays attached to other managers are left alone.
     */
    public static Params wrap(LlamaConfig config, NDManager manager, Map<String, NDArray> arrays) {
        if (arrays.isEmpty()) {
            throw new IllegalArgumentException("cannot wrap an empty set of arrays");
        }
        DataType dtype = arrays.values().iterator().next().getDataType();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            DataType d = e.getValue().getDataType();
            if (d != dtype || (d != DataType.FLOAT32 && d != DataType.FLOAT64)) {
                throw new IllegalArgumentException("params hold all FLOAT32 or all FLOAT64 arrays; " + e.getKey()
                        + " is " + d + " beside " + dtype);
            }
        }
        return new Params(config, manager, Collections.unmodifiableMap(new LinkedHashMap<>(arrays)), dtype);
    }

    public LlamaConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** The element type of every array: FLOAT32 or FLOAT64. */
    public DataType dtype() {
        return dtype;
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
            m.put(e.getKey(), Tensors.toFloatTensor(e.getValue()));
        }
        return new LlamaWeights(config, m, storedDtype);
    }

    @Override
    public void close() {
        manager.close();
    }
}
