package prunekit.pipeline;

import prunekit.core.io.LazyModel;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;

/** Checks on a loaded model that stages share. */
public final class Models {
    private Models() {
    }

    /** {@code m}'s tokenizer; fails saying what to pass when the model has none. */
    public static Tokenizer requireTokenizer(Model m) {
        if (m.tokenizer() == null) {
            throw new IllegalArgumentException(m.source() + ": the model has no tokenizer; pass --tokenizer FILE");
        }
        return m.tokenizer();
    }

    /** As {@link #requireTokenizer(Model)} for a model whose weights stay on disk. */
    public static Tokenizer requireTokenizer(LazyModel m) {
        if (m.tokenizer() == null) {
            throw new IllegalArgumentException(m.source() + ": the model has no tokenizer; pass --tokenizer FILE");
        }
        return m.tokenizer();
    }
}
