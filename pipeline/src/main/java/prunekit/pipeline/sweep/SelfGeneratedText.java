package prunekit.pipeline.sweep;

import java.util.Arrays;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Generator;
import prunekit.core.eval.Prompts;
import prunekit.core.model.Model;

/**
 * A token stream sampled from the model itself (BOS, then temperature-1 samples until EOS or
 * {@code length}), for models whose training text is not at hand (stories260K's TinyStories).
 * Calibrating and evaluating on it measures how far pruning moves the model from its own
 * distribution. Seeded: the same seed gives the same stream.
 */
public final class SelfGeneratedText {
    private SelfGeneratedText() {
    }

    public static int[] stream(Model m, int tokens, int length, long seed) {
        int bos = Prompts.bosId(m);
        int eos = m.config().eosId();
        int[] out = new int[tokens];
        int n = 0;
        try (Transformer t = new Transformer(m.weights())) {
            for (long s = seed; n < tokens; s++) {
                int[] seq = Generator.generate(t, new int[] {bos}, length, new Generator.Sampling(1.0, 1.0, s),
                        new int[] {eos, bos});
                int k = Math.min(seq.length, tokens - n);
                System.arraycopy(seq, 0, out, n, k);
                n += k;
            }
        }
        return Arrays.copyOf(out, n);
    }
}
