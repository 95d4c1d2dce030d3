package prunekit.recover;

import ai.djl.ndarray.NDArray;

/**
 * Test seam: lets a test poison the loss or the gradients of a chosen step, to prove that a
 * non-finite step is detected and skipped. Production runs use {@link #NONE}.
 */
interface FaultInjector {
    FaultInjector NONE = new FaultInjector() { };

    /** May replace the scalar loss of a micro-batch of step {@code step} before backward. */
    default NDArray loss(int step, NDArray loss) {
        return loss;
    }

    /** May change gradients after backward and before they are checked. */
    default void gradients(int step, TrainableParams params) {
    }
}
