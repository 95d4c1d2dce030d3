package prunekit.export;

import java.util.Arrays;
import prunekit.core.eval.Generator;

/** Logits of one step for a batch: (B, T, vocab) row-major, as the decoder's {@code logits} output. */
public final class Logits {
    private final float[] data;
    private final int batch;
    private final int steps;
    private final int vocab;

    Logits(float[] data, int batch, int steps, int vocab) {
        if ((long) batch * steps * vocab != data.length) {
            throw new IllegalArgumentException("logits hold " + data.length + " values, not " + batch + "x" + steps
                    + "x" + vocab);
        }
        this.data = data;
        this.batch = batch;
        this.steps = steps;
        this.vocab = vocab;
    }

    public int batch() {
        return batch;
    }

    public int steps() {
        return steps;
    }

    /** Logits of row {@code b} at step {@code t} (a copy). */
    public float[] at(int b, int t) {
        int off = offset(b, t);
        return Arrays.copyOfRange(data, off, off + vocab);
    }

    /** All steps of row {@code b}: (T, vocab). */
    public float[][] sequence(int b) {
        float[][] out = new float[steps][];
        for (int t = 0; t < steps; t++) {
            out[t] = at(b, t);
        }
        return out;
    }

    /** The token with the largest logit at (b, t); the lowest id wins a tie ({@link Generator#argmax}). */
    public int argmax(int b, int t) {
        return Generator.argmax(at(b, t));
    }

    private int offset(int b, int t) {
        if (b < 0 || b >= batch || t < 0 || t >= steps) {
            throw new IndexOutOfBoundsException("(" + b + ", " + t + ") outside logits of " + batch + "x" + steps);
        }
        return (b * steps + t) * vocab;
    }
}
