package prunekit.recover;

import java.nio.file.Path;

/** What a running {@link Trainer} reports, e.g. to a progress line; every method defaults to nothing. */
public interface TrainListener {
    TrainListener NONE = new TrainListener() { };

    /** After every step (skipped or not); rates are over the steps run in this session. */
    default void onStep(TrainLog.Entry entry, int totalSteps, double tokensPerSecond, double etaSeconds) {
    }

    /** After a validation pass (step 0: the model before the first step): mean NLL per token over the windows. */
    default void onValidation(int step, double validLoss) {
    }

    default void onCheckpoint(int step, Path dir) {
    }

    /** When a run continues from a checkpoint. */
    default void onResume(int step, Path dir) {
    }
}
