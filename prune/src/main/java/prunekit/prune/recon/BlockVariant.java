package prunekit.prune.recon;

import java.util.Map;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.TensorNames.Proj;

/**
 * One pruned version of a sub-block (attention or MLP) of a layer: what it keeps (original
 * indices, ascending: KV heads and query heads, or MLP channels) and its tensors by role.
 * {@code size} is its level: attention units or MLP channels kept; 0 is the removed block.
 */
public record BlockVariant(int size, int[] kvHeads, int[] queryHeads, int[] channels, Map<Proj, FloatTensor> weights,
                           Map<Proj, FloatTensor> biases) {
    public BlockVariant {
        kvHeads = kvHeads.clone();
        queryHeads = queryHeads.clone();
        channels = channels.clone();
        weights = Map.copyOf(weights);
        biases = Map.copyOf(biases);
    }

    static BlockVariant removed() {
        return new BlockVariant(0, new int[0], new int[0], new int[0], Map.of(), Map.of());
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
    public int[] channels() {
        return channels.clone();
    }
}
