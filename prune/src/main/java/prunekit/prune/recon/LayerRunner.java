package prunekit.prune.recon;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.engine.ForwardHooks;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.engine.Transformer;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;

/**
 * Runs one decoder layer on given hidden states and returns the input of one of its linear sites,
 * through the project's one forward ({@link Transformer}): the states become the embedding rows of
 * a one-layer model with tied head whose "tokens" are their row numbers, so the layer computes
 * exactly what it computes inside the full model (window i at positions 0..T-1). Only this layer's
 * tensors and {@code batch} windows are resident at a time. When core/engine exposes a per-layer
 * forward of the layer-streaming executor, this class is the one place to switch to it.
 */
final class LayerRunner {
    private LayerRunner() {
    }

    /**
     * The input of {@code site} (rows = n·t, cols) when {@code layer} runs on {@code h} (n·t, hidden):
     * n windows of t positions, {@code batch} windows per forward.
     */
    static float[] capture(LlamaConfig c, LayerTensors layer, Site site, float[] h, int n, int t, int batch) {
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
        float[] out = new float[n * t * cols];
        for (int w0 = 0; w0 < n; w0 += batch) {
            int b = Math.min(batch, n - w0);
            int rows = b * t;
            LlamaConfig one = c.toBuilder().vocabSize(rows).layers(List.of(layer.shape())).tieWordEmbeddings(true)
                    .maxPositions(Math.max(t, c.maxPositions())).build();
            Map<String, FloatTensor> m = new LinkedHashMap<>();
            float[] rowsH = new float[rows * hidden];
            System.arraycopy(h, w0 * t * hidden, rowsH, 0, rowsH.length);
            m.put(TensorNames.EMBED, new FloatTensor(new int[] {rows, hidden}, rowsH));
            layer.putInto(m, 0);
            float[] ones = new float[hidden];
            java.util.Arrays.fill(ones, 1f);
            m.put(TensorNames.FINAL_NORM, new FloatTensor(new int[] {hidden}, ones));
            int offset = w0 * t * cols;
            ForwardHooks hook = new ForwardHooks() {
                @Override
                public void linearInput(int l, Site s, NDArray x) {
                    if (s == site) {
                        float[] f = x.toFloatArray(); // (b, t, cols)
                        System.arraycopy(f, 0, out, offset, f.length);
                    }
                }
            };
            int[][] ids = new int[b][t];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    ids[i][j] = i * t + j;
                }
            }
            try (Transformer tf = new Transformer(new LlamaWeights(one, m, prunekit.core.model.DType.F32));
                 NDArray in = tf.idsArray(ids);
                 NDArray logits = tf.forward(in, null, hook)) {
                logits.getShape(); // the logits are not needed; the hook has copied the site's input
            }
        }
        return out;
    }
}
