package prunekit.export;

/**
 * Names of the decoder graph's inputs and outputs, in the layout optimum and onnxruntime-genai use.
 * Layer numbers are the model's own: a layer without attention has no cache entries, so the
 * numbers of the cache inputs can have gaps.
 */
public final class IoNames {
    private IoNames() {
    }

    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String POSITION_IDS = "position_ids";
    public static final String LOGITS = "logits";

    public static final String BATCH = "batch_size";
    public static final String SEQUENCE = "sequence_length";
    public static final String PAST_SEQUENCE = "past_sequence_length";
    public static final String TOTAL_SEQUENCE = "total_sequence_length";

    public static String pastKey(int layer) {
        return "past_key_values." + layer + ".key";
    }

    public static String pastValue(int layer) {
        return "past_key_values." + layer + ".value";
    }

    public static String presentKey(int layer) {
        return "present." + layer + ".key";
    }

    public static String presentValue(int layer) {
        return "present." + layer + ".value";
    }
}
