package prunekit.core.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import prunekit.core.SharedFiles;
import prunekit.core.engine.LayerStreamer;
import prunekit.core.engine.ReferenceForward;
import prunekit.core.engine.Transformer;
import prunekit.core.io.LazyModel;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;

/**
 * Our engine's continuation log-likelihoods, packed (shared prefixes, several padded batches),
 * against the sum of per-token log-softmax of the plain double {@link ReferenceForward}, one request at a time.
 */
class EngineLogLikelihoodTest {
    static final String[][] ITEMS = {
        {"Once upon a time, there was a little", " girl", " dog", " b", " big red ball"},
        {"The cat sat on the ", "mat.", "hat", "m"},
        {"", "Lily liked to play.", "Play liked Lily to."},
    };

    static List<Continuation> requests(Tokenizer tok) {
        List<Continuation> out = new ArrayList<>();
        for (String[] it : ITEMS) {
            for (int c = 1; c < it.length; c++) {
                out.add(Continuation.encode(tok, it[0], it[c]));
            }
        }
        return out;
    }

    /** Σ over the continuation of log softmax(logits[p])[tokens[p+1]], in double. */
    static double reference(ReferenceForward ref, Continuation c) {
        double[][] logits = ref.logits(Arrays.copyOf(c.tokens(), c.tokens().length - 1));
        double sum = 0;
        for (int p = c.start() - 1; p < c.tokens().length - 1; p++) {
            double max = Arrays.stream(logits[p]).max().orElseThrow();
            double z = 0;
            for (double v : logits[p]) {
                z += Math.exp(v - max);
            }
            sum += logits[p][c.tokens()[p + 1]] - max - Math.log(z);
        }
        return sum;
    }

    @Test
    void packedInMemoryAndStreamedEqualTheReferenceForwardsLogSoftmaxSums() {
        try (LazyModel lm = ModelLoader.open(SharedFiles.project("models/stories260K.gguf"), null)) {
            Model m = lm.load();
            List<Continuation> req = requests(m.tokenizer());
            PackedRows packed = new PackedRows(req, 24, m.config().maxPositions());
            assertTrue(packed.rowCount() < req.size(), "choices sharing a context prefix share rows: "
                    + packed.rowCount() + " rows for " + req.size() + " requests");
            assertTrue(packed.batches().size() > 1, "a small token budget gives several batches");
            double[] engine;
            try (Transformer t = new Transformer(m.weights())) {
                engine = EngineLogLikelihood.of(t, 24).score(req, null);
            }
            ReferenceForward ref = new ReferenceForward(m.weights());
            for (int i = 0; i < req.size(); i++) {
                double want = reference(ref, req.get(i));
                assertEquals(want, engine[i], 1e-4 + 1e-5 * Math.abs(want), "request " + i + ": " + req.get(i));
            }
            double[] streamed = EngineLogLikelihood.streamed(new LayerStreamer(lm.weights()), 24).score(req, null);
            assertArrayEquals(engine, streamed, "the streamed executor runs the same batches bit for bit");
        }
    }

    @Test
    void sentencePiecesLeadingSpaceGoesWithTheContinuationAsInTheWholeEncoding() {
        try (LazyModel lm = ModelLoader.open(SharedFiles.project("models/mini-vina"), null)) {
            Tokenizer tok = lm.tokenizer();
            Continuation c = Continuation.encode(tok, "Thủ đô của Việt", " Nam");
            int[] whole = tok.encode("Thủ đô của Việt Nam");
            assertArrayEquals(whole, Arrays.copyOfRange(c.tokens(), 1, c.tokens().length), "BOS + encode(whole)");
            assertEquals(tok.bosId(), c.tokens()[0]);
            assertEquals(1 + tok.encode("Thủ đô của Việt").length, c.start());
            assertEquals("Nam", tok.decode(Arrays.copyOfRange(c.tokens(), c.start(), c.tokens().length)).strip());
        }
    }
}
