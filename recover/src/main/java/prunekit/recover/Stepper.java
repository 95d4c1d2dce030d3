package prunekit.recover;

/**
 * One optimizer step of a run at a learning rate: {@link TrainStep} (DJL, trains the student's arrays
 * in place) or {@link NativeTrainStep} (keeps the weights and moments in native memory until
 * {@link #sync}).
 */
interface Stepper extends AutoCloseable {
    TrainStep.Outcome run(int step, double lr);

    /** AdamW updates applied so far (skipped steps do not count). */
    long updates();

    /**
     * Makes the student's weights and the {@link AdamW} moments those of the last step: before
     * validation, the recovered model, a checkpoint and the end of the run.
     */
    default void sync() {
    }

    @Override
    default void close() {
    }
}
