package prunekit.core.tokenize;

/**
 * Text to token ids and back. {@link #encode} never adds BOS/EOS: callers add BOS where the
 * protocol says so. Implementations: {@link SentencePieceBpe} (vocab inside GGUF / llama2.c files)
 * and {@link HfTokenizer} (a Hugging Face {@code tokenizer.json}).
 */
public interface Tokenizer extends AutoCloseable {
    int[] encode(String text);

    /** Text of a whole sequence (special tokens skipped, byte pieces joined into UTF-8). */
    String decode(int[] ids);

    int vocabSize();

    int bosId();

    int eosId();

    /** This tokenizer as a Hugging Face {@code tokenizer.json} document (written beside HF checkpoints). */
    String toHuggingFaceJson();

    @Override
    default void close() {
    }
}
