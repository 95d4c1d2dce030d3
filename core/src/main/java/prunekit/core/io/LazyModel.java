package prunekit.core.io;

import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;

/**
 * A model opened without reading its weights: config, a {@link TensorSource} and the tokenizer
 * (null for a weights-only checkpoint). {@link #load} reads every tensor into a {@link Model}.
 */
public record LazyModel(TensorSource weights, Tokenizer tokenizer) implements AutoCloseable {
    public LazyModel {
        if (tokenizer != null && tokenizer.vocabSize() > weights.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the embedding has only " + weights.config().vocabSize() + " rows");
        }
    }

    public LlamaConfig config() {
        return weights.config();
    }

    public String source() {
        return weights.source();
    }

    /** Every tensor read into memory (fp32); this stays open. */
    public Model load() {
        return new Model(config(), weights.readAll(), tokenizer, source());
    }

    @Override
    public void close() {
        weights.close();
    }
}
