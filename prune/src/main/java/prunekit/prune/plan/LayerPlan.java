package prunekit.prune.plan;

import java.util.Arrays;

/**
 * What one original layer keeps, in original indices, each array ascending: its KV heads, its query
 * heads (the same number from every kept KV group, none from a removed one) and its MLP channels.
 * A dropped layer is removed from the model and the layers after it move up; a kept layer with no
 * heads has no attention block, one with no channels no MLP.
 */
public record LayerPlan(int layer, boolean dropped, int[] kvHeads, int[] queryHeads, int[] ffn) {
    public LayerPlan {
        kvHeads = kvHeads.clone();
        queryHeads = queryHeads.clone();
        ffn = ffn.clone();
        if (dropped && (kvHeads.length > 0 || queryHeads.length > 0 || ffn.length > 0)) {
            throw new IllegalArgumentException("layer " + layer + " is dropped but keeps heads or channels");
        }
        if ((kvHeads.length == 0) != (queryHeads.length == 0)) {
            throw new IllegalArgumentException("layer " + layer + " keeps " + kvHeads.length + " KV heads and "
                    + queryHeads.length + " query heads; both must be zero or both positive");
        }
    }

    public static LayerPlan dropped(int layer) {
        return new LayerPlan(layer, true, new int[0], new int[0], new int[0]);
    }

    @Override
    public int[] kvHeads() {
        return kvHeads.clone();
    }

    @Override
    public int[] queryHeads() {
        return queryHeads.clone();
    }

    @Override
    public int[] ffn() {
        return ffn.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerPlan p && p.layer == layer && p.dropped == dropped && Arrays.equals(p.kvHeads, kvHeads)
                && Arrays.equals(p.queryHeads, queryHeads) && Arrays.equals(p.ffn, ffn);
    }

    @Override
    public int hashCode() {
        return ((layer * 31 + Arrays.hashCode(kvHeads)) * 31 + Arrays.hashCode(queryHeads)) * 31 + Arrays.hashCode(ffn);
    }

    @Override
    public String toString() {
        return dropped ? "layer " + layer + ": dropped"
                : "layer " + layer + ": " + queryHeads.length + " heads / " + kvHeads.length + " KV, ffn " + ffn.length;
    }
}
