package prunekit.core.eval.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.List;
import java.util.function.IntConsumer;
import prunekit.core.engine.LayerStreamer;
import prunekit.core.engine.Transformer;

/**
 * Continuation log-likelihoods on our engine: the requests packed by {@link PackedRows}, each
 * batch's logits (rows, T, vocab) turned into log-probabilities by one log-softmax and only the
 * scored entries read back. In memory on a {@link Transformer} (progress: requests done) or one layer
 * resident at a time on a {@link LayerStreamer} (progress: layers); both run the same batches.
 */
public final class EngineLogLikelihood implements LogLikelihood {
    private final Transformer model;
    private final LayerStreamer streamer;
    private final int batchTokens;

    private EngineLogLikelihood(Transformer model, LayerStreamer streamer, int batchTokens) {
        this.model = model;
        this.streamer = streamer;
        this.batchTokens = batchTokens;
    }

    /** In memory; {@code batchTokens}: padded tokens per forward pass. */
    public static EngineLogLikelihood of(Transformer model, int batchTokens) {
        return new EngineLogLikelihood(model, null, batchTokens);
    }

    /** Streamed layer by layer (the hidden states of every batch are held). */
    public static EngineLogLikelihood streamed(LayerStreamer streamer, int batchTokens) {
        return new EngineLogLikelihood(null, streamer, batchTokens);
    }

    @Override
    public double[] score(List<Continuation> requests, IntConsumer progress) {
        int maxPos = model != null ? model.config().maxPositions() : streamer.config().maxPositions();
        int vocab = model != null ? model.config().vocabSize() : streamer.config().vocabSize();
        PackedRows packed = new PackedRows(requests, batchTokens, maxPos);
        double[] ll = new double[requests.size()];
        LayerStreamer.LogitsSink sink = (j, logits) -> add(packed.targets(j, vocab), logits, ll);
        if (streamer != null) {
            streamer.forward(packed.batches(), sink, progress);
            return ll;
        }
        for (int j = 0; j < packed.batches().size(); j++) {
            try (NDArray ids = model.idsArray(packed.batches().get(j));
                 NDArray logits = model.forward(ids, null, null)) {
                sink.accept(j, logits);
            }
            if (progress != null) {
                progress.accept(packed.requestsThrough(j));
            }
        }
        return ll;
    }

    /** Adds the log-probabilities at {@code t[0]} (flat into (rows, T, vocab)) to the requests {@code t[1]}. */
    private static void add(long[][] t, NDArray logits, double[] ll) {
        if (t[0].length == 0) {
            return;
        }
        try (NDScope scope = new NDScope()) {
            NDArray idx = logits.getManager().create(t[0]);
            float[] lp = logits.logSoftmax(-1).take(idx).toFloatArray();
            for (int k = 0; k < lp.length; k++) {
                ll[(int) t[1][k]] += lp[k];
            }
            scope.suppressNotUsedWarning();
        }
    }
}
