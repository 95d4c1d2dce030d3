package prunekit.export;

/** Which operators the exported decoder graph uses. */
public enum OnnxFlavour {
    /**
     * Only standard ONNX opset-17 operators (default domain): runs on any ONNX runtime and passes
     * {@code onnx.checker}. RMSNorm, RoPE and attention are spelled out as primitive ops.
     */
    STANDARD,
    /**
     * ONNX Runtime contrib operators where they apply: SimplifiedLayerNormalization,
     * com.microsoft SkipSimplifiedLayerNormalization, RotaryEmbedding and GroupQueryAttention.
     * Needs ONNX Runtime; not valid for {@code onnx.checker}.
     */
    OPTIMIZED
}
