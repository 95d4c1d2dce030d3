package prunekit.export;

import java.util.List;
import java.util.function.Supplier;
import prunekit.core.engine.RopeTable;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.export.onnx.Attribute;
import prunekit.export.onnx.DataType;
import prunekit.export.onnx.Initializer;

/**
 * Attention in standard opset-17 operators, with HF's rotate-half RoPE and the KV cache:
 * RoPE = x*cos + rotate_half(x)*sin with cos/sin gathered by position_ids from (max_positions,
 * head_dim) tables; attention = softmax(q kᵀ / sqrt(hd) + mask) v over the concatenated past and
 * new keys. GQA reshapes the queries into their KV groups (B, nkv, g, T, hd) instead of repeating
 * the keys, so no copy of the cache is made. Used by {@link StandardDecoderGraph}, and by
 * {@link OptimizedDecoderGraph} for shapes ONNX Runtime's GroupQueryAttention does not take.
 */
final class StandardAttention {
    private final GraphOps ops;
    private final LlamaConfig config;
    private final Supplier<String> additiveMask;
    private String cos;
    private String sin;
    private String mask5;

    /** {@code additiveMask} gives the (B, 1, T, S) mask, built once. */
    StandardAttention(GraphOps ops, LlamaConfig config, Supplier<String> additiveMask) {
        this.ops = ops;
        this.config = config;
        this.additiveMask = additiveMask;
    }

    /** The rope tables and their rows for this step, made on first use. */
    private void prepareRope() {
        if (cos != null) {
            return;
        }
        long maxPos = config.maxPositions();
        long hd = config.headDim();
        ops.graph().addInitializer(Initializer.ofFloats("rope.cos", DataType.FLOAT, new long[] {maxPos, hd},
                () -> RopeTable.of(config).cosRows(true)));
        ops.graph().addInitializer(Initializer.ofFloats("rope.sin", DataType.FLOAT, new long[] {maxPos, hd},
                () -> RopeTable.of(config).sinRows(true)));
        // cos, sin: (B, 1, T, hd)
        cos = ops.unsqueeze("/rope/cos", ops.op("/rope/cos/Gather", "Gather", "rope.cos", IoNames.POSITION_IDS), 1);
        sin = ops.unsqueeze("/rope/sin", ops.op("/rope/sin/Gather", "Gather", "rope.sin", IoNames.POSITION_IDS), 1);
    }

    /**
     * Attention of {@code layer}: q (B, T, nq*hd), k and v (B, T, nkv*hd) → context (B, T, nq*hd);
     * writes the present.N.key/value values (the caller declares them as outputs).
     */
    String core(String path, int layer, String q, String k, String v) {
        prepareRope();
        LayerShape s = config.layer(layer);
        long nq = s.queryHeads();
        long nkv = s.kvHeads();
        long hd = config.headDim();
        // q: (B, T, nq*hd) → (B, nq, T, hd); k, v: (B, nkv, T, hd)
        String q4 = ops.transpose(path + "/q", ops.reshape(path + "/q", q, 0, 0, nq, hd), 0, 2, 1, 3);
        String k4 = ops.transpose(path + "/k", ops.reshape(path + "/k", k, 0, 0, nkv, hd), 0, 2, 1, 3);
        String v4 = ops.transpose(path + "/v", ops.reshape(path + "/v", v, 0, 0, nkv, hd), 0, 2, 1, 3);
        q4 = rope(path + "/q_rope", q4);
        k4 = rope(path + "/k_rope", k4);
        // present: (B, nkv, S, hd), S = past + T
        String presentK = IoNames.presentKey(layer);
        String presentV = IoNames.presentValue(layer);
        ops.opNamed(path + "/present_key/Concat", "Concat", "", List.of(IoNames.pastKey(layer), k4),
                List.of(presentK), Attribute.of("axis", 2L));
        ops.opNamed(path + "/present_value/Concat", "Concat", "", List.of(IoNames.pastValue(layer), v4),
                List.of(presentV), Attribute.of("axis", 2L));
        String qs = ops.op(path + "/q_scale/Mul", "Mul", q4, ops.floatScalar((float) (1 / Math.sqrt(hd))));
        String kT = ops.transpose(path + "/kT", presentK, 0, 1, 3, 2);                      // (B, nkv, hd, S)
        String ctx;                                                                          // (B, nq, T, hd)
        if (nq == nkv) {
            String scores = ops.op(path + "/scores/MatMul", "MatMul", qs, kT);               // (B, nq, T, S)
            String probs = softmax(path, ops.op(path + "/mask/Add", "Add", scores, additiveMask.get()));
            ctx = ops.op(path + "/ctx/MatMul", "MatMul", probs, presentV);
        } else {
            long g = nq / nkv;
            String q5 = ops.reshape(path + "/q_groups", qs, 0, nkv, g, -1, hd);             // (B, nkv, g, T, hd)
            String k5 = ops.unsqueeze(path + "/kT_groups", kT, 2);                          // (B, nkv, 1, hd, S)
            String scores = ops.op(path + "/scores/MatMul", "MatMul", q5, k5);              // (B, nkv, g, T, S)
            if (mask5 == null) {
                mask5 = ops.unsqueeze("/attn_mask/groups", additiveMask.get(), 1);                // (B, 1, 1, T, S)
            }
            String probs = softmax(path, ops.op(path + "/mask/Add", "Add", scores, mask5));
            String v5 = ops.unsqueeze(path + "/v_groups", presentV, 2);                      // (B, nkv, 1, S, hd)
            String ctx5 = ops.op(path + "/ctx/MatMul", "MatMul", probs, v5);                 // (B, nkv, g, T, hd)
            ctx = ops.reshape(path + "/ctx_heads", ctx5, 0, nq, -1, hd);
        }
        // (B, nq, T, hd) → (B, T, nq*hd)
        return ops.reshape(path + "/ctx", ops.transpose(path + "/ctx", ctx, 0, 2, 1, 3), 0, 0, nq * hd);
    }

    private String softmax(String path, String x) {
        return ops.op(path + "/Softmax", "Softmax", List.of(x), Attribute.of("axis", -1L));
    }

    /** x*cos + rotate_half(x)*sin, rotate_half(x) = cat(-x2, x1); x: (B, n, T, hd). */
    private String rope(String path, String x) {
        String[] halves = ops.opIn(path + "/Split", "Split", "", List.of(x), 2, Attribute.of("axis", -1L));
        String rotated = ops.op(path + "/Concat", "Concat",
                List.of(ops.op(path + "/Neg", "Neg", halves[1]), halves[0]), Attribute.of("axis", -1L));
        return ops.op(path + "/Add", "Add", ops.op(path + "/cos/Mul", "Mul", x, cos),
                ops.op(path + "/sin/Mul", "Mul", rotated, sin));
    }
}
