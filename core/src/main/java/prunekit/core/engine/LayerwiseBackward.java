package prunekit.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.eval.WindowBatch;
import prunekit.core.io.TensorSource;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.TensorNames;

/**
 * The gradient of the mean calibration loss (the mean over batches of each batch's mean next-token
 * NLL) w.r.t. every weight, with one decoder layer resident at a time: a {@link LayerStreamer}
 * forward keeps every layer's input hidden states ({@link LayerInputs}: in memory, or on disk when
 * large) and the top layer's outputs, then from the top down: the final norm, the head and the loss
 * over those outputs; each layer loaded again, its forward recomputed from its stored inputs with
 * autograd on and back-propagated from the gradient w.r.t. its output that the step above passed
 * down (injected exactly, as ∂/∂out of Σ(out · g), whose backward is g); the embedding last. At
 * most one layer's weights (or the embedding, or norm + head) are resident.
 *
 * <p>Each recomputed graph is the whole model's graph cut at a layer boundary, and a weight's
 * per-batch gradients add up in the same order as PyTorch's accumulation over batches would, so the
 * gradients are bit-identical to one whole-model backward per batch (tested). A tied embedding gets
 * its head and lookup parts of each batch added first, then batch by batch, as autograd does.
 */
public final class LayerwiseBackward {
    private LayerwiseBackward() {
    }

    /** Layer inputs of all layers above this many bytes are spilled to disk. */
    public static final long IN_MEMORY_BYTES = 256L << 20;

    /**
     * The mean-loss gradients (HF name → weight-shaped) over {@code batches}; {@code step} watches the
     * forward's layers (statistics hooks; it must not replace them), {@code sink} hears each batch's
     * logits; spilled inputs go to a temporary folder under {@code spillDir} (null: java.io.tmpdir).
     */
    public static Map<String, FloatTensor> meanLossGradients(TensorSource weights, List<WindowBatch> batches,
                                                             LayerStep step, LayerStreamer.LogitsSink sink, Path spillDir) {
        return meanLossGradients(weights, batches, step, sink, spillDir, IN_MEMORY_BYTES);
    }

    static Map<String, FloatTensor> meanLossGradients(TensorSource weights, List<WindowBatch> batches, LayerStep step,
                                                      LayerStreamer.LogitsSink sink, Path spillDir, long inMemoryBytes) {
        LlamaConfig c = weights.config();
        int n = c.numLayers();
        List<int[][]> ids = new ArrayList<>();
        long tokens = 0;
        for (WindowBatch b : batches) {
            ids.add(b.inputRows());
            tokens += (long) b.rows() * b.seq();
        }
        LayerStreamer streamer = new LayerStreamer(weights);
        Map<String, FloatTensor> grads = new LinkedHashMap<>();
        long headBytes = c.tieWordEmbeddings() ? 4L * batches.size() * c.vocabSize() * c.hidden() : 0;
        try (LayerInputs inputs = new LayerInputs(n + 1, (n + 1) * LayerStreamer.hiddenStateBytes(c, tokens),
                inMemoryBytes, spillDir);
             LayerInputs headPart = new LayerInputs(1, headBytes, inMemoryBytes, spillDir)) {
            // headPart, tied embedding only: per batch, the head's part of the embedding's gradient (vocab, hidden)
            streamer.forward(ids, recording(step, inputs, n), sink);
            List<float[]> g = new ArrayList<>(); // per batch: ∂loss_j/∂(input of the layer last done), (B, T, hidden)
            for (int i = n; i >= 0; i--) {
                layer(streamer, i, batches, inputs, g, headPart, grads);
                inputs.drop(i);
            }
            grads.put(TensorNames.EMBED, embedding(streamer, batches, g, headPart));
        }
        for (FloatTensor t : grads.values()) {
            float[] x = t.data();
            for (int k = 0; k < x.length; k++) {
                x[k] /= batches.size();
            }
        }
        return grads;
    }

    /** {@code step}, and every layer's inputs stored before it runs; the top layer's outputs as input {@code n}. */
    private static LayerStep recording(LayerStep step, LayerInputs inputs, int n) {
        return new LayerStep() {
            @Override
            public ForwardHooks hooks(int layer) {
                ForwardHooks h = step.hooks(layer);
                return layer == n - 1 ? new TopOutputs(h == null ? ForwardHooks.NONE : h, inputs, n) : h;
            }

            @Override
            public Params prepare(int layer, Params resident, List<NDArray> in) {
                for (int b = 0; b < in.size(); b++) {
                    inputs.put(layer, b, in.get(b));
                }
                Params p = step.prepare(layer, resident, in);
                if (p != resident) {
                    throw new IllegalArgumentException("a layer-wise backward cannot replace layers (layer " + layer + ")");
                }
                return p;
            }

            @Override
            public void done(int layer) {
                step.done(layer);
            }
        };
    }

    /** {@code inner}, and the top layer's output of each batch (in batch order) stored as input {@code n}. */
    private static final class TopOutputs implements ForwardHooks {
        private final ForwardHooks inner;
        private final LayerInputs inputs;
        private final int n;
        private int batch;

        TopOutputs(ForwardHooks inner, LayerInputs inputs, int n) {
            this.inner = inner;
            this.inputs = inputs;
            this.n = n;
        }

        @Override
        public void linearInput(int layer, Site site, NDArray x) {
            inner.linearInput(layer, site, x);
        }

        @Override
        public void headOutputs(int layer, NDArray heads) {
            inner.headOutputs(layer, heads);
        }

        @Override
        public void attentionOutput(int layer, NDArray out) {
            inner.attentionOutput(layer, out);
        }

        @Override
        public void mlpOutput(int layer, NDArray out) {
            inner.mlpOutput(layer, out);
        }

        @Override
        public void layerInput(int layer, NDArray h) {
            inner.layerInput(layer, h);
        }

        @Override
        public void layerOutput(int layer, NDArray h) {
            inner.layerOutput(layer, h);
            inputs.put(n, batch++, h);
        }
    }

    /**
     * Layer {@code i} back-propagated for every batch (i = n: the final norm, the head and the loss
     * over the top layer's outputs): its weights' gradients into {@code grads}, {@code g} replaced by
     * the gradients w.r.t. its inputs.
     */
    private static void layer(LayerStreamer streamer, int i, List<WindowBatch> batches, LayerInputs inputs,
                              List<float[]> g, LayerInputs headPart, Map<String, FloatTensor> grads) {
        LlamaConfig c = streamer.config();
        boolean top = i == c.numLayers();
        boolean tied = c.tieWordEmbeddings();
        List<String> names = top ? List.of(TensorNames.FINAL_NORM, tied ? TensorNames.EMBED : TensorNames.LM_HEAD)
                : streamer.layerTensors(i);
        try (LayerStreamer.Resident r = streamer.load(names); Transformer t = new Transformer(r.params)) {
            r.params.arrays().forEach((name, a) -> a.setRequiresGradient(!name.equals(TensorNames.EMBED)));
            for (int j = 0; j < batches.size(); j++) {
                try (NDManager m = r.params.manager().newSubManager(); NDScope scope = new NDScope()) {
                    NDArray h = inputs.get(i, j, m); // (B, T, hidden)
                    h.setRequiresGradient(true);
                    NDArray head = null;
                    if (top && tied) {
                        head = r.params.get(TensorNames.EMBED).duplicate();
                        head.setRequiresGradient(true);
                    }
                    try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                        if (top) {
                            gc.backward(loss(t, r.params, h, head, batches.get(j), m));
                        } else {
                            NDArray out = t.decoderLayer(i, h, null);
                            gc.backward(out.mul(m.create(g.get(j), out.getShape())).sum());
                        }
                    }
                    float[] gin = gradient(h);
                    if (j < g.size()) {
                        g.set(j, gin);
                    } else {
                        g.add(gin);
                    }
                    if (head != null) {
                        try (NDArray grad = head.getGradient()) {
                            headPart.put(0, j, grad);
                        }
                    }
                }
            }
            r.params.arrays().forEach((name, a) -> {
                if (!name.equals(TensorNames.EMBED)) {
                    try (NDArray grad = a.getGradient()) {
                        grads.put(name, Tensors.toFloatTensor(grad));
                    }
                }
            });
        }
    }

    /** Batch {@code b}'s mean NLL from the top layer's output {@code out}, as {@link Transformer#forward} computes the logits. */
    private static NDArray loss(Transformer t, Params p, NDArray out, NDArray tiedHead, WindowBatch b, NDManager m) {
        NDArray head = tiedHead != null ? tiedHead : p.get(TensorNames.LM_HEAD);
        NDArray logits = t.rmsNorm(out, p.get(TensorNames.FINAL_NORM)).matMul(head.transpose()); // (B, T, vocab)
        return Losses.tokenNll(logits, b.targetArray(m)).mean();
    }

    /**
     * The embedding's gradient: per batch its lookup's part (from {@code g}, the gradients w.r.t.
     * layer 0's inputs) plus, when tied, the head's part, summed batch after batch.
     */
    private static FloatTensor embedding(LayerStreamer streamer, List<WindowBatch> batches, List<float[]> g,
                                         LayerInputs headPart) {
        try (LayerStreamer.Resident r = streamer.load(List.of(TensorNames.EMBED))) {
            NDArray w = r.params.get(TensorNames.EMBED);
            float[] sum = null;
            for (int j = 0; j < batches.size(); j++) {
                float[] part;
                try (NDManager m = r.params.manager().newSubManager(); NDScope scope = new NDScope()) {
                    NDArray leaf = w.duplicate();
                    leaf.setRequiresGradient(true);
                    try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                        NDArray h = Embedding.embedding(batches.get(j).inputArray(m), leaf, SparseFormat.DENSE)
                                .singletonOrThrow(); // (B, T, hidden)
                        gc.backward(h.mul(m.create(g.get(j), h.getShape())).sum());
                    }
                    part = gradient(leaf);
                    if (streamer.config().tieWordEmbeddings()) {
                        float[] hp = headPart.get(0, j, m).toFloatArray();
                        for (int k = 0; k < part.length; k++) {
                            part[k] = hp[k] + part[k];
                        }
                    }
                }
                if (sum == null) {
                    sum = part;
                } else {
                    for (int k = 0; k < part.length; k++) {
                        sum[k] += part[k];
                    }
                }
            }
            return new FloatTensor(Tensors.shape(w), sum);
        }
    }

    private static float[] gradient(NDArray leaf) {
        try (NDArray grad = leaf.getGradient()) {
            return grad.toFloatArray();
        }
    }
}
