/**
 * The training engine, one for {@code prunekit train} and {@code prunekit recover}: backward through
 * {@code prunekit.core.engine.Transformer} with DJL autograd, a pluggable student (full or LoRA) and
 * objective (CE, KD from a live or top-k cached teacher, mix, hidden-state MSE), AdamW, warmup +
 * cosine schedule, clipping by global norm, gradient accumulation, seeded data order, skipping of
 * non-finite steps, exact checkpoint/resume.
 *
 * <p>Read in pipeline order: {@link prunekit.recover.Recipe} (train or recover: the student, the
 * objective and the {@link prunekit.recover.TrainRecipe} settings), {@link prunekit.recover.WindowSampler}
 * (the data of step n), {@link prunekit.recover.Student} and {@link prunekit.recover.TrainableParams}
 * (which arrays train, their gradients), {@link prunekit.recover.Teacher}, {@link prunekit.recover.TrainStep}
 * (one update), {@link prunekit.recover.AdamW}, {@link prunekit.recover.LrSchedule},
 * {@link prunekit.recover.Trainer} (the loop, validation, checkpoints), {@link prunekit.recover.TrainCheckpoint},
 * {@link prunekit.recover.RunReport}.
 *
 * <p>DJL/PyTorch traps this package is built around (each has a test):
 * <ul>
 *   <li>Java numbers on the autograd path. {@code x.mul(0.125)} makes a 0-dim tensor over a Java
 *       direct buffer ({@code torch::from_blob}, no copy) and closes the handle at once; autograd
 *       keeps the tensor for backward, and after a GC frees the buffer, backward reads freed memory:
 *       the cause of the intermittent NaN/garbage gradients in long loops (the attention scale in
 *       the forward; fixed in core with a PyTorch-allocated constant). Use
 *       {@code manager.full(...)} or a long-lived array instead ({@code BackwardAfterGcTest}).</li>
 *   <li>PyTorch accumulates into {@code .grad}; gradients are zeroed every step with
 *       {@code grad.zero_()}, not DJL's {@code GradientCollector.zeroGradients()}, which computes
 *       {@code g - g} and turns an inf into a permanent NaN ({@code TrainableParamsTest}).</li>
 *   <li>{@code getGradient()} returns a new handle per call: always closed ({@code MemoryTest}).</li>
 *   <li>{@code NDManager.create(Shape)} is {@code torch::empty}: uninitialized, often holding
 *       stale NaN/-inf from freed arrays; optimizer state starts from {@code zeros}.</li>
 *   <li>{@code NDArray.set(Buffer)} re-points the tensor at a new Java buffer rather than copying
 *       into it: never call it on an array whose memory autograd may still read.</li>
 * </ul>
 */
package prunekit.recover;
