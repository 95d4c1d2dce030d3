package prunekit.core.model;

/**
 * The one place where checkpoint tensor names live. In memory prunekit uses the Hugging Face
 * LLaMA names (and HF's rotate-half RoPE layout); readers of other formats map onto these.
 */
public final class TensorNames {
    private TensorNames() {
    }

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    /** The projections of a layer, in the order they run. */
    public enum Proj {
        Q("self_attn.q_proj"), K("self_attn.k_proj"), V("self_attn.v_proj"), O("self_attn.o_proj"),
        GATE("mlp.gate_proj"), UP("mlp.up_proj"), DOWN("mlp.down_proj");

        public final String path;

        Proj(String path) {
            this.path = path;
        }

        public boolean isAttention() {
            return ordinal() <= O.ordinal();
        }
    }

    public static String layer(int i) {
        return "model.layers." + i + ".";
    }

    public static String weight(int layer, Proj p) {
        return layer(layer) + p.path + ".weight";
    }

    public static String bias(int layer, Proj p) {
        return layer(layer) + p.path + ".bias";
    }

    public static String inputNorm(int layer) {
        return layer(layer) + "input_layernorm.weight";
    }

    public static String postAttentionNorm(int layer) {
        return layer(layer) + "post_attention_layernorm.weight";
    }
}
