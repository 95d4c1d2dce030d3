package prunekit.core.eval;

import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;

/**
 * Text to the ids a model is run on, the one place BOS is added: BOS then {@code encode(text)}
 * ({@link Tokenizer#encode} never adds it), as in the perplexity protocol of shared/README.md.
 * BOS comes from one source: the tokenizer's id, or the config's when a model has no tokenizer.
 */
public final class Prompts {
    private Prompts() {
    }

    /** The model's BOS id: its tokenizer's, else its config's. */
    public static int bosId(Model m) {
        Tokenizer tok = m.tokenizer();
        return tok != null && tok.bosId() >= 0 ? tok.bosId() : m.config().bosId();
    }

    /** BOS followed by the ids of {@code text}. */
    public static int[] withBos(Tokenizer tok, String text) {
        int[] body = tok.encode(text);
        int[] ids = new int[body.length + 1];
        ids[0] = tok.bosId();
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }
}
