package prunekit.core.model;

import prunekit.core.tokenize.Tokenizer;

/**
 * A loaded model: its config, its weights and its tokenizer (which may be null for a weights-only
 * checkpoint). {@code source} describes where it came from, for messages and manifests.
 */
public record Model(LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer, String source) {
    public Model {
        if (!weights.config().equals(config)) {
            throw new IllegalArgumentException("weights were checked against another config");
        }
        if (tokenizer != null && tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the embedding has only " + config.vocabSize() + " rows");
        }
    }

    public Model withWeights(LlamaWeights w, String newSource) {
        return new Model(w.config(), w, tokenizer, newSource);
    }
}
