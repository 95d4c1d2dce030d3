package prunekit.export;

/**
 * The forward pass an exported model is checked against (prunekit's own {@code Transformer}, or
 * a plain-Java reference in tests): logits of a prefill from position 0, and incremental runs
 * that keep a KV cache. Batch 1; logits are (T, vocab).
 */
public interface ReferenceForward extends AutoCloseable {
    /** A short name for reports, e.g. "djl-pytorch". */
    String name();

    /** Logits (T, vocab) of {@code ids} from position 0. */
    float[][] prefill(int[] ids);

    /** A new incremental run with an empty cache. */
    Run newRun();

    /** An incremental run: each append continues after what was appended before. */
    interface Run extends AutoCloseable {
        /** Logits (T, vocab) of {@code ids} appended after the cached positions. */
        float[][] append(int[] ids);

        @Override
        void close();
    }

    @Override
    void close();
}
