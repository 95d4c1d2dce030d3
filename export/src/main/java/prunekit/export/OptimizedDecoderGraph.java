package prunekit.export;

import java.util.List;
import prunekit.core.engine.RopeTable;
import prunekit.core.io.TensorSource;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.export.onnx.Attribute;
import prunekit.export.onnx.DataType;
import prunekit.export.onnx.Initializer;

/**
 * The {@link OnnxFlavour#OPTIMIZED} decoder: ONNX Runtime contrib operators.
 * <ul>
 * <li>SimplifiedLayerNormalization (registered by ONNX Runtime in the default domain) for a norm
 * with nothing to add, com.microsoft SkipSimplifiedLayerNormalization for "residual + block
 * output, then RMSNorm" (its 4th output is the new residual);</li>
 * <li>com.microsoft RotaryEmbedding (rotate-half, i.e. interleaved=0) on q and k in (B, T, n*hd)
 * with position_ids and (max_positions, hd/2) cos/sin caches;</li>
 * <li>com.microsoft GroupQueryAttention (for MHA too: kv_num_heads = num_heads) with separate
 * past and present buffers in (B, nkv, S, hd). seqlens_k is total_sequence_length - 1 for every
 * row, so GQA's own causal rule is "key s ≤ past + t" as in {@link StandardDecoderGraph}, and
 * padding (attention_mask == 0) comes in through attention_bias (B, 1, T, S). GQA accepts a
 * multi-token step after a non-empty past only at batch 1.</li>
 * </ul>
 * When the head dim is not a multiple of 8 (GroupQueryAttention's CPU kernel rejects it), the
 * attention of every layer falls back to {@link StandardAttention}; norms stay fused.
 */
final class OptimizedDecoderGraph extends DecoderGraph {
    private String seqlensK;
    private String totalLength;
    private StandardAttention fallback;

    OptimizedDecoderGraph(TensorSource source, DataType weightType) {
        super(source, weightType);
    }

    @Override
    protected void prepare() {
        if (!groupQueryAttentionSupports(config)) {
            return;
        }
        long maxPos = config.maxPositions();
        long half = config.headDim() / 2;
        ops.graph().addInitializer(Initializer.ofFloats("rope.cos_cache", DataType.FLOAT, new long[] {maxPos, half},
                () -> RopeTable.of(config).cosRows(false)));
        ops.graph().addInitializer(Initializer.ofFloats("rope.sin_cache", DataType.FLOAT, new long[] {maxPos, half},
                () -> RopeTable.of(config).sinRows(false)));
        String p = "/gqa";
        // total: scalar int32 S; seqlens_k: (B) int32 all S - 1
        String sLen = ops.shape(p + "/total", IoNames.ATTENTION_MASK, 1, 2);
        String sScalar = ops.op(p + "/total/Squeeze", "Squeeze", sLen);
        totalLength = ops.cast(p + "/total", sScalar, DataType.INT32);
        String lastIndex = ops.op(p + "/last/Sub", "Sub", sScalar, ops.intScalar(1));
        String batch = ops.shape(p + "/batch", IoNames.ATTENTION_MASK, 0, 1);
        String zeros = ops.op(p + "/zeros/ConstantOfShape", "ConstantOfShape", List.of(batch),
                new Attribute.TensorValue("value", Initializer.ofInts("value", DataType.INT64, new long[] {1}, 0)));
        seqlensK = ops.cast(p + "/seqlens_k", ops.op(p + "/seqlens_k/Add", "Add", zeros, lastIndex), DataType.INT32);
    }

    @Override
    protected String rmsNorm(String path, String x, String gamma) {
        return ops.op(path + "/SimplifiedLayerNormalization", "SimplifiedLayerNormalization", List.of(x, gamma),
                Attribute.of("epsilon", (float) config.rmsNormEps()), Attribute.of("axis", -1L));
    }

    @Override
    protected String[] addAndNorm(String path, String residual, String delta, String gamma) {
        String[] out = ops.opIn(path + "/SkipSimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization",
                GraphOps.MS_DOMAIN, List.of(delta, residual, gamma), 4,
                Attribute.of("epsilon", (float) config.rmsNormEps()));
        return new String[] {out[0], out[3]};
    }

    /**
     * Whether ONNX Runtime's GroupQueryAttention takes this model's heads: its CPU kernel needs a
     * head size that is a multiple of 8 (it fails at run time otherwise).
     */
    static boolean groupQueryAttentionSupports(LlamaConfig c) {
        return c.headDim() % 8 == 0;
    }

    @Override
    protected String attentionCore(String path, int layer, String q, String k, String v) {
        if (!groupQueryAttentionSupports(config)) {
            if (fallback == null) {
                fallback = new StandardAttention(ops, config, this::additiveMask);
            }
            return fallback.core(path, layer, q, k, v);
        }
        LayerShape s = config.layer(layer);
        String qr = rotary(path + "/q_rotary", q, s.queryHeads());
        String kr = rotary(path + "/k_rotary", k, s.kvHeads());
        String ctx = path + "/GroupQueryAttention/out";
        ops.opNamed(path + "/GroupQueryAttention", "GroupQueryAttention", GraphOps.MS_DOMAIN,
                List.of(qr, kr, v, IoNames.pastKey(layer), IoNames.pastValue(layer), seqlensK, totalLength,
                        "", "", "", additiveMask()),
                List.of(ctx, IoNames.presentKey(layer), IoNames.presentValue(layer)),
                Attribute.of("num_heads", (long) s.queryHeads()), Attribute.of("kv_num_heads", (long) s.kvHeads()),
                Attribute.of("scale", (float) (1 / Math.sqrt(config.headDim()))), Attribute.of("do_rotary", 0L));
        return ctx;                                                               // (B, T, nq*hd)
    }

    /** RoPE on x (B, T, heads*hd). */
    private String rotary(String path, String x, int heads) {
        return ops.opIn(path + "/RotaryEmbedding", "RotaryEmbedding", GraphOps.MS_DOMAIN,
                List.of(x, IoNames.POSITION_IDS, "rope.cos_cache", "rope.sin_cache"), 1,
                Attribute.of("interleaved", 0L), Attribute.of("num_heads", (long) heads),
                Attribute.of("rotary_embedding_dim", (long) config.headDim()))[0];
    }
}
