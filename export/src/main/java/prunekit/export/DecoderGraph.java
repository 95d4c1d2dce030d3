package prunekit.export;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.io.TensorSource;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.export.onnx.Attribute;
import prunekit.export.onnx.DataType;
import prunekit.export.onnx.Graph;
import prunekit.export.onnx.Initializer;
import prunekit.export.onnx.ValueInfo;

/**
 * Builds the decoder graph of a LLaMA-family model: the parts both flavours share (inputs and
 * outputs, embedding, projections, SwiGLU MLP, residual stream, output head, the additive
 * causal+padding mask) and the order of blocks. Subclasses supply RMSNorm, the residual add
 * feeding a norm, and the attention core (RoPE, KV cache, softmax attention).
 *
 * <p>Weights are initializers under their HF names; linear weights are stored transposed as
 * {@code (in, out)} for MatMul and named {@code <hf name>.T}; the embedding and the output head
 * keep HF's {@code (vocab, hidden)} (the head runs as Gemm with transB, so a tied head shares the
 * embedding's bytes). With fp16 storage each weight is followed by a Cast to fp32 and the graph
 * computes in fp32. A layer with no heads has no attention block and no cache inputs/outputs; a
 * layer with FFN width 0 has no MLP.
 */
abstract class DecoderGraph {
    protected final TensorSource source;
    protected final LlamaConfig config;
    protected final GraphOps ops;
    private final DataType weightType;
    private final Map<String, String> weightValues = new HashMap<>();
    private final Map<String, int[]> shapes;
    private String residual;
    private String pendingDelta;
    private String mask4;

    protected DecoderGraph(TensorSource source, DataType weightType) {
        this.source = source;
        this.config = source.config();
        this.weightType = weightType;
        this.shapes = LlamaWeights.expectedShapes(config);
        this.ops = new GraphOps(new Graph("prunekit_llama_decoder"));
    }

    /** Builds the whole graph. */
    final Graph build() {
        declareInputs();
        String ids = IoNames.INPUT_IDS;
        // x: (B, T, hidden)
        residual = ops.op("/embed_tokens/Gather", "Gather", weight(TensorNames.EMBED), ids);
        prepare();
        for (int i = 0; i < config.numLayers(); i++) {
            LayerShape s = config.layer(i);
            String p = "/layers." + i;
            if (s.hasAttention()) {
                String h = norm(p + "/input_layernorm", TensorNames.inputNorm(i));
                addToResidual(attention(p + "/attn", i, h));
            }
            if (s.hasMlp()) {
                String h = norm(p + "/post_attention_layernorm", TensorNames.postAttentionNorm(i));
                addToResidual(mlp(p + "/mlp", i, h));
            }
        }
        String h = norm("/norm", TensorNames.FINAL_NORM);
        outputLogits(h);
        declareOutputs();
        return ops.graph();
    }

    // ---- what each flavour supplies ----

    /** Graph-wide preparation run once after the embedding (rope tables, masks, sequence lengths). */
    protected abstract void prepare();

    /** RMSNorm of {@code x} (B, T, hidden) with weight {@code gamma}. */
    protected abstract String rmsNorm(String path, String x, String gamma);

    /** {@code sum = residual + delta} and {@code RMSNorm(sum)}; returns {normed, sum}. */
    protected abstract String[] addAndNorm(String path, String residual, String delta, String gamma);

    /**
     * Attention of layer {@code layer} from projected q (B, T, nq*hd), k and v (B, T, nkv*hd):
     * RoPE, cache (reads the past inputs, produces the present.N.key/value outputs), softmax
     * attention. Returns the context (B, T, nq*hd) before o_proj.
     */
    protected abstract String attentionCore(String path, int layer, String q, String k, String v);

    // ---- shared pieces ----

    private void declareInputs() {
        Graph g = ops.graph();
        g.addInput(ValueInfo.of(IoNames.INPUT_IDS, DataType.INT64, IoNames.BATCH, IoNames.SEQUENCE));
        g.addInput(ValueInfo.of(IoNames.ATTENTION_MASK, DataType.INT64, IoNames.BATCH, IoNames.TOTAL_SEQUENCE));
        g.addInput(ValueInfo.of(IoNames.POSITION_IDS, DataType.INT64, IoNames.BATCH, IoNames.SEQUENCE));
        for (int i = 0; i < config.numLayers(); i++) {
            int kv = config.layer(i).kvHeads();
            if (kv > 0) {
                g.addInput(ValueInfo.of(IoNames.pastKey(i), DataType.FLOAT, IoNames.BATCH, kv,
                        IoNames.PAST_SEQUENCE, config.headDim()));
                g.addInput(ValueInfo.of(IoNames.pastValue(i), DataType.FLOAT, IoNames.BATCH, kv,
                        IoNames.PAST_SEQUENCE, config.headDim()));
            }
        }
    }

    /** Graph outputs in optimum's order: logits, then present.N.key/value per cached layer. */
    private void declareOutputs() {
        Graph g = ops.graph();
        g.addOutput(ValueInfo.of(IoNames.LOGITS, DataType.FLOAT, IoNames.BATCH, IoNames.SEQUENCE,
                (long) config.vocabSize()));
        for (int layer = 0; layer < config.numLayers(); layer++) {
            int kv = config.layer(layer).kvHeads();
            if (kv > 0) {
                for (String name : List.of(IoNames.presentKey(layer), IoNames.presentValue(layer))) {
                    g.addOutput(ValueInfo.of(name, DataType.FLOAT, IoNames.BATCH, kv, IoNames.TOTAL_SEQUENCE,
                            config.headDim()));
                }
            }
        }
    }

    private String norm(String path, String gammaName) {
        String gamma = weight(gammaName);
        if (pendingDelta == null) {
            return rmsNorm(path, residual, gamma);
        }
        String[] r = addAndNorm(path, residual, pendingDelta, gamma);
        residual = r[1];
        pendingDelta = null;
        return r[0];
    }

    private void addToResidual(String delta) {
        if (pendingDelta != null) {
            residual = ops.op("/residual/Add", "Add", residual, pendingDelta);
        }
        pendingDelta = delta;
    }

    private String attention(String path, int layer, String h) {
        // q: (B, T, nq*hd); k, v: (B, T, nkv*hd)
        String q = linear(path + "/q_proj", h, layer, Proj.Q);
        String k = linear(path + "/k_proj", h, layer, Proj.K);
        String v = linear(path + "/v_proj", h, layer, Proj.V);
        String ctx = attentionCore(path, layer, q, k, v);
        return linear(path + "/o_proj", ctx, layer, Proj.O);
    }

    private String mlp(String path, int layer, String h) {
        // gate, up: (B, T, ffn)
        String gate = linear(path + "/gate_proj", h, layer, Proj.GATE);
        String up = linear(path + "/up_proj", h, layer, Proj.UP);
        String silu = ops.op(path + "/act/Mul", "Mul", gate, ops.op(path + "/act/Sigmoid", "Sigmoid", gate));
        String prod = ops.op(path + "/Mul", "Mul", silu, up);
        return linear(path + "/down_proj", prod, layer, Proj.DOWN);
    }

    /** {@code x @ W^T (+ b)} with W stored transposed. */
    private String linear(String path, String x, int layer, Proj p) {
        String name = TensorNames.weight(layer, p);
        String y = ops.op(path + "/MatMul", "MatMul", x, transposedWeight(name));
        String bias = TensorNames.bias(layer, p);
        boolean hasBias = p.isAttention() ? config.attentionBias() : config.mlpBias();
        return hasBias ? ops.op(path + "/Add", "Add", y, weight(bias)) : y;
    }

    private void outputLogits(String h) {
        // h: (B, T, hidden) → (B*T, hidden) → Gemm with the head (vocab, hidden), transB → (B, T, vocab)
        String head = weight(config.tieWordEmbeddings() ? TensorNames.EMBED : TensorNames.LM_HEAD);
        String flat = ops.reshape("/lm_head", h, -1, config.hidden());
        String logits2d = ops.op("/lm_head/Gemm", "Gemm", List.of(flat, head), Attribute.of("transB", 1L));
        String bt = ops.shape("/lm_head/batch_seq", IoNames.INPUT_IDS, 0, 2);
        String shape = ops.op("/lm_head/shape/Concat", "Concat", List.of(bt, ops.ints(config.vocabSize())),
                Attribute.of("axis", 0L));
        ops.opNamed("/lm_head/Reshape", "Reshape", "", List.of(logits2d, shape), List.of(IoNames.LOGITS));
    }

    /**
     * The additive attention mask (B, 1, T, S), S = past + T: 0 where query t may see key s
     * (s &lt;= past + t and attention_mask[b, s] == 1), the lowest float elsewhere (as HF does, so a
     * fully masked row stays finite).
     */
    protected final String additiveMask() {
        if (mask4 != null) {
            return mask4;
        }
        String p = "/attn_mask";
        String tLen = ops.shape(p + "/seq", IoNames.INPUT_IDS, 1, 2);            // [T]
        String sLen = ops.shape(p + "/total", IoNames.ATTENTION_MASK, 1, 2);     // [S]
        String sScalar = ops.op(p + "/total/Squeeze", "Squeeze", sLen);
        String past = ops.op(p + "/past/Sub", "Sub", sScalar, ops.op(p + "/seq/Squeeze", "Squeeze", tLen));
        String one = ops.intScalar(1);
        String keyPos = ops.op(p + "/keys/Range", "Range", ops.intScalar(0), sScalar, one);     // (S)
        String queryPos = ops.op(p + "/queries/Range", "Range", past, sScalar, one);           // (T)
        String causal = ops.op(p + "/causal/LessOrEqual", "LessOrEqual",
                ops.unsqueeze(p + "/keys", keyPos, 0), ops.unsqueeze(p + "/queries", queryPos, 1)); // (T, S)
        String padding = ops.unsqueeze(p + "/padding",
                ops.cast(p + "/padding", IoNames.ATTENTION_MASK, DataType.BOOL), 1);              // (B, 1, S)
        String allowed = ops.op(p + "/And", "And", causal, padding);                             // (B, T, S)
        String additive = ops.op(p + "/Where", "Where", allowed, ops.floatScalar(0f),
                ops.floatScalar(-Float.MAX_VALUE));
        mask4 = ops.unsqueeze(p, additive, 1);                                                   // (B, 1, T, S)
        return mask4;
    }

    /** A weight as stored (HF layout); returns the fp32 value (after a Cast when stored fp16). */
    protected final String weight(String hfName) {
        return weightValues.computeIfAbsent(hfName, n -> {
            ops.graph().addInitializer(Initializer.ofFloats(n, weightType, Arrays.stream(shapeOf(n)).asLongStream().toArray(),
                    () -> source.read(n).data()));
            return castIfHalf(n);
        });
    }

    private String transposedWeight(String hfName) {
        String stored = hfName + ".T";
        return weightValues.computeIfAbsent(stored, n -> {
            int[] shape = shapeOf(hfName);
            ops.graph().addInitializer(Initializer.ofFloats(n, weightType, new long[] {shape[1], shape[0]},
                    () -> transpose(source.read(hfName))));
            return castIfHalf(n);
        });
    }

    private String castIfHalf(String stored) {
        return weightType == DataType.FLOAT ? stored : ops.cast("/weights/" + stored, stored, DataType.FLOAT);
    }

    private int[] shapeOf(String hfName) {
        int[] s = shapes.get(hfName);
        if (s == null) {
            throw new IllegalStateException("the config has no tensor " + hfName);
        }
        return s;
    }

    /** (rows, cols) → (cols, rows), blocked for cache locality. */
    static float[] transpose(FloatTensor t) {
        int rows = t.dim(0);
        int cols = t.dim(1);
        float[] a = t.data();
        float[] out = new float[a.length];
        final int b = 64;
        for (int r0 = 0; r0 < rows; r0 += b) {
            for (int c0 = 0; c0 < cols; c0 += b) {
                int r1 = Math.min(rows, r0 + b);
                int c1 = Math.min(cols, c0 + b);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        out[c * rows + r] = a[r * cols + c];
                    }
                }
            }
        }
        return out;
    }
}
