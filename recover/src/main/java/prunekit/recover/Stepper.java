package prunekit.recover;

/** One optimizer step of a run at a learning rate: {@link TrainStep} (DJL) or {@link NativeTrainStep}. */
interface Stepper extends AutoCloseable {
    TrainStep.Outcome run(int step, double lr);

    @Override
    default void close() {
    }
}
