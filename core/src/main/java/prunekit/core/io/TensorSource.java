package prunekit.core.io;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * A model's weights, read on demand one tensor at a time: fp32, under the HF names of
 * {@link prunekit.core.model.TensorNames}, in the rotate-half RoPE layout, exactly the floats the
 * in-memory loader gives (which reads every tensor through a source). Opening reads only headers
 * and checks that the file holds every tensor of {@link #config()} with its shape; nothing is
 * cached, so what is resident is what the caller keeps. Reads are serialized (one reused buffer).
 */
public interface TensorSource extends AutoCloseable {
    /** Opens the weights of an HF checkpoint directory, a {@code .gguf} or a llama2.c {@code .bin}. */
    static TensorSource open(Path model) {
        return switch (ModelLoader.detect(model)) {
            case HF -> HfCheckpoint.openWeights(model);
            case GGUF -> GgufReader.openWeights(model);
            case LLAMA2C -> Llama2cReader.openWeights(model);
        };
    }

    /**
     * Weights already in memory seen as a source ({@code source} names them): reads hand out the
     * tensors themselves, without copying, so a pipeline written against sources serves both.
     */
    static TensorSource of(LlamaWeights weights, String source) {
        return new TensorSource() {
            @Override
            public LlamaConfig config() {
                return weights.config();
            }

            @Override
            public DType storedDtype() {
                return weights.storedDtype();
            }

            @Override
            public String source() {
                return source;
            }

            @Override
            public FloatTensor read(String name) {
                return weights.get(name);
            }

            @Override
            public LlamaWeights readAll() {
                return weights;
            }

            @Override
            public void close() {
            }
        };
    }

    /** The config computed from the stored shapes (checked against the file's own config). */
    LlamaConfig config();

    /** The dtype holding most of the parameters in the file. */
    DType storedDtype();

    /** The file or directory, for messages and manifests. */
    String source();

    /** The tensor {@code name} (one of {@link #shapes()}) in fp32. */
    FloatTensor read(String name);

    /**
     * Tells the source the caller no longer holds its read of tensor {@code name} (a metering
     * source counts it off, as the tests' {@code MeteredTensorSource} does); others do nothing.
     */
    default void release(String name) {
    }

    @Override
    void close();

    /** Every tensor name with its shape, in checkpoint order. */
    default Map<String, int[]> shapes() {
        return LlamaWeights.expectedShapes(config());
    }

    /** Parameters stored, from the shapes alone. */
    default long parameterCount() {
        return shapes().values().stream().mapToLong(FloatTensor::numel).sum();
    }

    /** Every tensor read into memory. */
    default LlamaWeights readAll() {
        MemoryCheck.requireHeap(source() + ": every tensor in fp32 (" + config().parameterCount() + " parameters)",
                MemoryCheck.bytes(config().parameterCount(), 4), "raise the heap (PRUNEKIT_JAVA_OPTS=-Xmx...) or use a"
                        + " command that streams one layer at a time (eval, score, prune, convert, export)");
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        for (String name : shapes().keySet()) {
            m.put(name, read(name));
        }
        return new LlamaWeights(config(), m, storedDtype());
    }
}
