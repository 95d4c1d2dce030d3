package prunekit.core.engine;

/**
 * One sequence being decoded with a KV cache, batch 1: the first {@link #append} is the prefill
 * (positions from 0), each later one continues after what is held (a chunk, or one token with
 * {@link #step}). Our engine ({@link Transformer#newDecoder}), the plain {@link ReferenceForward}
 * and ONNX Runtime's sequence implement it, so generation and every parity check run over any of
 * them. Logits are (T, vocab); a failure of the runtime below is thrown unchecked.
 */
public interface Decoder extends AutoCloseable {
    /** Logits (T, vocab) of {@code ids} appended after the {@link #length} positions held. */
    float[][] append(int[] ids);

    /** Logits (vocab) after appending one token. */
    default float[] step(int id) {
        return append(new int[] {id})[0];
    }

    /** Positions held so far. */
    int length();

    /** Positions the model can hold. */
    int maxPositions();

    @Override
    void close();

    /** What starts decoders: a model with a name for reports. */
    interface Source {
        /** A short name for reports, e.g. "prunekit Transformer (DJL PyTorch)". */
        String name();

        /** A new decoder with an empty cache; the caller closes it. */
        Decoder newDecoder();
    }
}
