package prunekit.export;

import prunekit.core.engine.KvCache;
import prunekit.core.engine.Transformer;
import prunekit.core.model.LlamaWeights;

/** prunekit's own forward pass ({@link Transformer}, DJL PyTorch) as the reference of a parity check. */
public final class TransformerReference implements ReferenceForward {
    private final Transformer transformer;

    public TransformerReference(LlamaWeights weights) {
        this.transformer = new Transformer(weights);
    }

    @Override
    public String name() {
        return "prunekit Transformer (DJL PyTorch)";
    }

    @Override
    public float[][] prefill(int[] ids) {
        return transformer.logits(ids);
    }

    @Override
    public Run newRun() {
        KvCache cache = transformer.newCache();
        return new Run() {
            @Override
            public float[][] append(int[] ids) {
                return transformer.forwardCached(cache, ids);
            }

            @Override
            public void close() {
                cache.close();
            }
        };
    }

    @Override
    public void close() {
        transformer.close();
    }
}
