package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import prunekit.core.io.TensorSource;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.TensorNames;

/**
 * Runs a model whose weights stay on disk, one decoder layer resident at a time: embed every batch
 * (hidden states (B, T, hidden) of all batches kept), then for each layer read its weights (fp32,
 * from a {@link TensorSource}), run it over every batch with {@link Transformer#decoderLayer},
 * free it; finally the final norm and head, batch by batch. The ops per batch are those of
 * {@link Transformer#forward}, so the logits are bit-identical to the in-memory forward's. A
 * {@link LayerStep} attaches hooks to each layer's run (calibration statistics) or replaces the
 * layer before it runs, seeing its inputs (sequential pruning: pruned outputs propagate).
 *
 * <p>Memory: the weights of one layer (or the embedding, or norm + head) plus the hidden states
 * of all batches, all in memory PyTorch owns and frees when they are closed ({@link Tensors#toNative}),
 * and the heap copy of the tensor being read. {@link #peakResidentWeightBytes} reports the weight bytes held at once.
 */
public final class LayerStreamer {
    /** Receives the logits (B, T, vocab) of one batch; they are freed when it returns. */
    @FunctionalInterface
    public interface LogitsSink {
        void accept(int batch, NDArray logits);
    }

    private final TensorSource weights;
    private final LlamaConfig config;
    private final ByteBuffer staging = Tensors.newStaging(); // every tensor goes to native memory through it
    private long resident;
    private long peakResident;

    public LayerStreamer(TensorSource weights) {
        this.weights = weights;
        this.config = weights.config();
    }

    public LlamaConfig config() {
        return config;
    }

    /** The most fp32 weight bytes held at once by the runs so far. */
    public long peakResidentWeightBytes() {
        return peakResident;
    }

    /** Bytes of the hidden states a run over {@code tokens} input tokens keeps: tokens · hidden · 4. */
    public static long hiddenStateBytes(LlamaConfig c, long tokens) {
        return tokens * c.hidden() * 4L;
    }

    /**
     * Runs every batch of ids ({@code batches.get(j)}: B rows of T ids from position 0) and hands
     * each batch's logits to {@code sink} in order; {@code layersDone} (may be null) hears after each layer.
     */
    public void forward(List<int[][]> batches, LogitsSink sink, IntConsumer layersDone) {
        forward(batches, layersDone == null ? LayerStep.NONE : new LayerStep() {
            @Override
            public void done(int layer) {
                layersDone.accept(layer + 1);
            }
        }, sink);
    }

    /**
     * Runs every batch as {@link #forward(List, LogitsSink, IntConsumer)} does, with {@code step}
     * watching (and possibly replacing) each layer; with {@link LayerStep#NONE} the same logits.
     */
    public void forward(List<int[][]> batches, LayerStep step, LogitsSink sink) {
        try (NDManager states = Engines.newManager()) {
            List<NDArray> h = embed(batches, states);
            for (int i = 0; i < config.numLayers(); i++) {
                runLayer(i, h, step);
                step.done(i);
            }
            head(h, sink);
        }
    }

    /** h[j]: (B, T, hidden), the embedding rows of batch j's ids. */
    private List<NDArray> embed(List<int[][]> batches, NDManager states) {
        FloatTensor emb = hold(TensorNames.EMBED);
        int hid = config.hidden();
        List<NDArray> h = new ArrayList<>();
        for (int[][] ids : batches) {
            int t = ids[0].length;
            float[] x = new float[ids.length * t * hid];
            for (int b = 0; b < ids.length; b++) {
                if (ids[b].length != t) {
                    throw new IllegalArgumentException("all rows of a batch must have the same length");
                }
                for (int j = 0; j < t; j++) {
                    int id = ids[b][j];
                    if (id < 0 || id >= config.vocabSize()) {
                        throw new IllegalArgumentException("token id " + id + " outside the vocabulary 0.."
                                + (config.vocabSize() - 1));
                    }
                    System.arraycopy(emb.data(), id * hid, x, (b * t + j) * hid, hid);
                }
            }
            h.add(Tensors.toNative(states, new FloatTensor(new int[] {ids.length, t, hid}, x), staging));
        }
        release(TensorNames.EMBED);
        return h;
    }

    private void runLayer(int i, List<NDArray> h, LayerStep step) {
        ForwardHooks hooks = step.hooks(i);
        try (Resident r = load(layerTensors(i)); Transformer t = new Transformer(step.prepare(i, r.params, h))) {
            for (int b = 0; b < h.size(); b++) {
                NDArray in = h.get(b);
                NDArray out;
                try (NDScope scope = new NDScope()) {
                    out = t.decoderLayer(i, in, hooks);
                    NDScope.unregister(out);
                }
                if (out != in) {
                    in.close();
                }
                h.set(b, out);
            }
        }
    }

    private void head(List<NDArray> h, LogitsSink sink) {
        String head = config.tieWordEmbeddings() ? TensorNames.EMBED : TensorNames.LM_HEAD;
        try (Resident r = load(List.of(TensorNames.FINAL_NORM, head)); Transformer t = new Transformer(r.params)) {
            for (int b = 0; b < h.size(); b++) {
                try (NDScope scope = new NDScope()) {
                    NDArray x = t.rmsNorm(h.get(b), r.params.get(TensorNames.FINAL_NORM));
                    sink.accept(b, x.matMul(r.params.get(head).transpose()));
                    scope.suppressNotUsedWarning();
                }
            }
        }
    }

    /** The names of decoder layer {@code i}'s tensors, in file order. */
    List<String> layerTensors(int i) {
        return weights.shapes().keySet().stream().filter(n -> n.startsWith(TensorNames.layer(i))).toList();
    }

    /** Some tensors as native fp32 arrays, counted as resident until closed (also {@link LayerwiseBackward}'s). */
    final class Resident implements AutoCloseable {
        final Params params;
        final List<String> read;

        Resident(Params params, List<String> read) {
            this.params = params;
            this.read = read;
        }

        @Override
        public void close() {
            params.close();
            read.forEach(LayerStreamer.this::release);
        }
    }

    Resident load(List<String> names) {
        NDManager m = Engines.newManager();
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        List<String> read = new ArrayList<>();
        try {
            for (String n : names) {
                FloatTensor w = hold(n); // the heap copy lives only until it is in native memory
                read.add(n);
                NDArray a = Tensors.toNative(m, w, staging);
                a.setName(n);
                arrays.put(n, a);
            }
            return new Resident(Params.wrap(config, m, arrays), read);
        } catch (RuntimeException e) {
            m.close();
            read.forEach(this::release);
            throw e;
        }
    }

    private FloatTensor hold(String name) {
        FloatTensor t = weights.read(name);
        resident += 4 * t.numel();
        peakResident = Math.max(peakResident, resident);
        return t;
    }

    /** Tensor {@code name} (held as its native copy until now) is freed; the source hears it too. */
    private void release(String name) {
        resident -= 4 * FloatTensor.numel(weights.shapes().get(name));
        weights.release(name);
    }
}
