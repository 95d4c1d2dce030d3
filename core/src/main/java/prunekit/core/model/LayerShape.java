package prunekit.core.model;

/**
 * The shape of one transformer layer: how many query heads and KV heads its attention has and how
 * wide its MLP is. Hidden size and head dim are global (see {@link LlamaConfig}).
 * A layer with zero query heads has no attention block; a layer with FFN width zero has no MLP.
 */
public record LayerShape(int queryHeads, int kvHeads, int ffn) {
    public LayerShape {
        // the arguments, not "+ this": a compact constructor assigns the fields at its end, so this prints zeros
        if (queryHeads < 0 || kvHeads < 0 || ffn < 0) {
            throw new IllegalArgumentException("layer shape has a negative size: " + queryHeads + " query heads, "
                    + kvHeads + " KV heads, FFN " + ffn);
        }
        if ((queryHeads == 0) != (kvHeads == 0)) {
            throw new IllegalArgumentException("query heads and KV heads must both be zero or both positive: "
                    + queryHeads + " query heads, " + kvHeads + " KV heads");
        }
        if (kvHeads > 0 && queryHeads % kvHeads != 0) {
            throw new IllegalArgumentException(
                    "query heads (" + queryHeads + ") must be a multiple of KV heads (" + kvHeads + ")");
        }
    }

    /** Query heads that share one KV head. */
    public int groupSize() {
        return kvHeads == 0 ? 0 : queryHeads / kvHeads;
    }

    public boolean hasAttention() {
        return queryHeads > 0;
    }

    public boolean hasMlp() {
        return ffn > 0;
    }
}
