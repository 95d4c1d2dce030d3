package prunekit.recover;

import java.util.SplittableRandom;

/**
 * Training windows drawn at random positions of one token stream. The windows of step n are a
 * pure function of (seed, n): each step seeds its own generator from both, so resuming at step n
 * needs no generator state beyond the step number, and the same step gives the same windows
 * however it is split into micro-batches.
 */
public final class WindowSampler {
    private final int[] stream;
    private final int seq;
    private final long seed;

    /** Windows of {@code seq + 1} tokens (inputs and shifted targets) from {@code stream}. */
    public WindowSampler(int[] stream, int seq, long seed) {
        if (seq < 1) {
            throw new IllegalArgumentException("sequence length must be >= 1, got " + seq);
        }
        if (stream.length < seq + 1) {
            throw new IllegalArgumentException("the training text gives " + stream.length + " tokens, fewer than one"
                    + " window of " + (seq + 1) + "; give more text or a smaller --seq");
        }
        this.stream = stream;
        this.seq = seq;
        this.seed = seed;
    }

    public int seq() {
        return seq;
    }

    public long seed() {
        return seed;
    }

    /** The {@code rows} windows of step {@code step} (1-based): (rows, seq + 1) token ids. */
    public int[][] windows(long step, int rows) {
        SplittableRandom rng = new SplittableRandom(mix(seed, step));
        int positions = stream.length - seq; // starts 0 .. len - seq - 1
        int[][] out = new int[rows][seq + 1];
        for (int r = 0; r < rows; r++) {
            int start = rng.nextInt(positions);
            System.arraycopy(stream, start, out[r], 0, seq + 1);
        }
        return out;
    }

    /** A 64-bit mix of seed and step (SplitMix64 finalizer), so nearby steps get unrelated streams. */
    static long mix(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
