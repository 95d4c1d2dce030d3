package prunekit.recover;

import java.util.Arrays;
import prunekit.core.eval.TokenStream;

/**
 * The token streams a run reads: the training stream (windows drawn at random positions) and an
 * optional validation stream, of which the first {@code evalWindows} protocol windows are scored.
 */
public record TrainData(int[] train, TokenStream valid) {
    public TrainData {
        if (train.length < 2) {
            throw new IllegalArgumentException("the training stream holds " + train.length + " tokens; give more text");
        }
    }

    public static TrainData of(TokenStream train, TokenStream validOrNull) {
        return new TrainData(train.ids(), validOrNull);
    }

    /** The first {@code windows} windows of {@code ctx} of the validation stream (fewer if it is short). */
    TokenStream validPrefix(int windows, int ctx) {
        int n = Math.min(windows, valid.windowCount(ctx));
        if (n == 0) {
            throw new IllegalArgumentException("the validation text gives " + valid.ids().length + " tokens, fewer than"
                    + " one window of " + (ctx + 1));
        }
        return new TokenStream(Arrays.copyOf(valid.ids(), n * ctx + 1), valid.utf8Bytes(), valid.blocks());
    }
}
