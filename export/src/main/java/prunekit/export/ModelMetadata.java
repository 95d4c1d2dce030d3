package prunekit.export;

/** Keys of the metadata_props prunekit writes into an exported model. */
public final class ModelMetadata {
    private ModelMetadata() {
    }

    /** The model's {@link prunekit.core.model.LlamaConfig} as JSON. */
    public static final String CONFIG = "prunekit.config";
    /** {@link OnnxFlavour} name. */
    public static final String FLAVOUR = "prunekit.flavour";
    /** F32 or F16: how the weights are stored. */
    public static final String WEIGHT_DTYPE = "prunekit.weight_dtype";
    /** "GroupQueryAttention" (com.microsoft) or "standard": how attention is computed. */
    public static final String ATTENTION = "prunekit.attention";
    public static final String ATTENTION_GQA = "GroupQueryAttention";
    public static final String ATTENTION_STANDARD = "standard";
    /** Rows of the RoPE tables: position_ids must stay below this. */
    public static final String MAX_POSITIONS = "prunekit.max_positions";
}
