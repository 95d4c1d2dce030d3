package prunekit.calibrate;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.eval.TokenStream;
import prunekit.core.tokenize.Tokenizer;

/**
 * Token windows for calibration and a disjoint held-out split for evaluation, each window
 * {@code seqLen + 1} tokens (inputs are its first {@code seqLen}, targets its last {@code seqLen}).
 *
 * <p>The stream S (n tokens) is split in two regions: the held-out region is its last
 * {@code h·(seqLen+1)} tokens, cut into h back-to-back windows; calibration windows start at
 * offsets drawn uniformly from {@code [0, n − h·(seqLen+1) − (seqLen+1)]} with
 * {@code java.util.Random(seed)} (a specified generator, so the same seed gives the same windows
 * on every JVM). Calibration windows may overlap each other but never the held-out region.
 */
public record CalibrationSet(int[][] calibration, int[][] heldOut, int seqLen, long seed, String source,
                             int streamTokens) {

    public CalibrationSet {
        if (calibration.length == 0) {
            throw new IllegalArgumentException("a calibration set needs at least one window");
        }
        for (int[][] split : List.of(calibration, heldOut)) {
            for (int[] w : split) {
                if (w.length != seqLen + 1) {
                    throw new IllegalArgumentException("window of " + w.length + " tokens, expected " + (seqLen + 1));
                }
            }
        }
    }

    /** Reads {@code files} (text or JSONL, see {@link CorpusReader}) and draws windows. */
    public static CalibrationSet from(List<Path> files, Tokenizer tokenizer, CalibrationOptions options) {
        TokenStream s = CorpusReader.read(files, tokenizer);
        return fromStream(s.ids(), files.toString(), options);
    }

    /** Draws windows from an already tokenized stream; {@code source} names it in errors. */
    public static CalibrationSet fromStream(int[] stream, String source, CalibrationOptions o) {
        int w = o.windowTokens();
        int n = stream.length;
        if (n < w) {
            throw new IllegalArgumentException("calibration text " + source + " gives " + n
                    + " tokens, fewer than one sample of " + w + " (--seq-len " + o.seqLen()
                    + " + 1); give more text or a smaller --seq-len");
        }
        if (n < 2 * w) {
            throw new IllegalArgumentException("calibration text " + source + " gives " + n + " tokens: one sample of "
                    + w + " fits but no held-out window beside it; give at least " + 2 * w
                    + " tokens of text or a smaller --seq-len");
        }
        int held = Math.min(o.heldOutWindows(), (n - w) / w);
        int split = n - held * w;
        int[][] heldOut = new int[held][];
        for (int i = 0; i < held; i++) {
            heldOut[i] = slice(stream, split + i * w, w);
        }
        MemoryCheck.requireHeap(String.format(java.util.Locale.ROOT, "--samples %d windows of %d tokens",
                o.samples(), w), MemoryCheck.bytes(o.samples(), w + 4L, 4), "lower --samples or --seq-len");
        Random r = new Random(o.seed());
        int starts = split - w + 1; // offsets 0..split-w
        int[][] calib = new int[o.samples()][];
        for (int i = 0; i < calib.length; i++) {
            calib[i] = slice(stream, r.nextInt(starts), w);
        }
        return new CalibrationSet(calib, heldOut, o.seqLen(), o.seed(), source, n);
    }

    private static int[] slice(int[] s, int from, int len) {
        int[] out = new int[len];
        System.arraycopy(s, from, out, 0, len);
        return out;
    }

    public int samples() {
        return calibration.length;
    }

    /** Calibration tokens seen by one pass (inputs only). */
    public long calibrationTokens() {
        return (long) calibration.length * seqLen;
    }
}
