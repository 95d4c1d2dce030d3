package prunekit.recover;

import java.nio.file.Path;

/** What a running {@link Recovery} reports, e.g. to a progress line; every method defaults to nothing. */
public interface RecoverListener {
    RecoverListener NONE = new RecoverListener() { };

    /** After every step; rates are over the steps run in this session. */
    default void onStep(RecoverLog.Entry entry, int totalSteps, double tokensPerSecond, double etaSeconds) {
    }

    /** After a validation pass (step 0: the pruned model before recovery): mean NLL per token. */
    default void onValidation(int step, double validLoss) {
    }

    default void onCheckpoint(int step, Path dir) {
    }

    default void onResume(int step, Path dir) {
    }
}
