package prunekit.core.eval;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import prunekit.core.engine.Decoder;
import prunekit.core.engine.Transformer;

/**
 * Autoregressive generation with the KV cache: the prompt is prefilled in one pass, then one token
 * per step. Temperature 0 is greedy (argmax, lowest id on ties); otherwise softmax(logits / T)
 * sampled from a seeded generator, optionally restricted to the top-p nucleus.
 */
public final class Generator {
    private Generator() {
    }

    /** How to pick the next token. */
    public record Sampling(double temperature, double topP, long seed) {
        public static final Sampling GREEDY = new Sampling(0, 1, 0);

        public Sampling {
            if (temperature < 0 || !(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("temperature must be >= 0 and top-p in (0, 1]");
            }
        }
    }

    /**
     * Runs {@code prompt} (which starts with BOS where the model expects it) and continues until the
     * sequence holds {@code maxLength} ids or a stop id (EOS, or BOS as llama2.c does) is produced;
     * the stop id is not included. Returns the whole sequence, prompt first.
     */
    public static int[] generate(Transformer model, int[] prompt, int maxLength, Sampling sampling, int[] stopIds) {
        try (Decoder d = model.newDecoder()) {
            return generate(d, prompt, maxLength, sampling, stopIds);
        }
    }

    /** The generation loop over any {@link Decoder} (empty when given); the caller closes it. */
    public static int[] generate(Decoder model, int[] prompt, int maxLength, Sampling sampling, int[] stopIds) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: give at least BOS");
        }
        int limit = Math.min(maxLength, model.maxPositions() + 1);
        int[] seq = Arrays.copyOf(prompt, Math.max(limit, prompt.length));
        int n = prompt.length;
        SplittableRandom rng = new SplittableRandom(sampling.seed());
        float[][] prefill = model.append(prompt);
        float[] last = prefill[prefill.length - 1];
        while (n < limit) {
            int next = pick(last, sampling, rng);
            if (Arrays.stream(stopIds).anyMatch(id -> id == next)) {
                break;
            }
            seq[n++] = next;
            if (n >= limit || n - 1 >= model.maxPositions()) {
                break;
            }
            last = model.step(next);
        }
        return Arrays.copyOf(seq, n);
    }

    /** The next token from {@code logits} under {@code s} (shared by every generation loop). */
    public static int pick(float[] logits, Sampling s, SplittableRandom rng) {
        if (s.temperature() == 0) {
            return argmax(logits);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - max) / s.temperature());
            sum += p[i];
        }
        Integer[] order = IntStream.range(0, p.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double kept = 0;
        int cut = 0;
        while (cut < order.length && (cut == 0 || kept < s.topP() * sum)) {
            kept += p[order[cut++]];
        }
        double r = rng.nextDouble() * kept;
        for (int i = 0; i < cut; i++) {
            r -= p[order[i]];
            if (r <= 0) {
                return order[i];
            }
        }
        return order[cut - 1];
    }

    /** Index of the largest value; the lowest index wins a tie (the one argmax of prunekit). */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
