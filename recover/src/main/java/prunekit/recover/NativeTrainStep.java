package prunekit.recover;

import java.util.Map;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;

/**
 * {@link TrainStep}'s step on a {@link NativeModel} ({@code --device cpu-native|cuda}): the same
 * windows, objective w_ce·CE + w_kd·KD over micro-batches (weights divided by their number),
 * non-finite steps skipped, clipping and AdamW.
 *
 * <p>The teacher is a second, forward-only {@link NativeModel} on the same backend, created once
 * with the teacher's weights (its own, possibly dense, per-layer shape): per micro-batch it runs its
 * forward on the same ids and the KD loss reads its logits where they are (device memory on
 * {@code cuda}); nothing but ids and targets crosses to the backend per step.
 *
 * <p>The student's weights and AdamW moments stay in the native model between steps (the skip check
 * reads the gradient norm there). {@link #sync} copies them back into the student's arrays and
 * {@link AdamW}, which the Trainer calls before validation, the recovered model, each checkpoint and
 * at the end of the run; so validation, the recovered model and the checkpoints are the DJL path's
 * own (same files, same exact resume: a resumed run uploads the checkpoint's weights and moments).
 *
 * <p>Full fine-tuning of every tensor with ce/kd/mix only: LoRA, partial selections, top-k caches and
 * hidden-state matching are refused before any work ({@link #requireSupported}) and run on
 * {@code --device cpu}.
 */
final class NativeTrainStep implements Stepper {
    private final Student student;
    private final AdamW optimizer;
    private final Recipe recipe;
    private final WindowSampler sampler;
    private final NativeModel model;
    private final NativeModel teacher;
    private boolean stale; // the student and AdamW lag the native model

    NativeTrainStep(NativeModel.Backend backend, Student student, LlamaWeights teacherOrNull, AdamW optimizer,
                    Recipe recipe, WindowSampler sampler, Map<Integer, Integer> hiddenPairs) {
        TrainRecipe r = recipe.train();
        requireSupported(recipe);
        if (!hiddenPairs.isEmpty()) {
            throw new IllegalArgumentException("the native step has no hidden-state matching; use --device cpu");
        }
        this.student = student;
        this.optimizer = optimizer;
        this.recipe = recipe;
        this.sampler = sampler;
        this.model = NativeModel.open(backend, student.base().config(), r.microBatch(), r.seq());
        NativeModel t = null;
        try {
            model.setWeights(student.weights(DType.F32));
            model.loadOptimizerState(optimizer.state(), optimizer.updates());
            if (teacherOrNull != null) {
                t = NativeModel.openTeacher(backend, teacherOrNull.config(), r.microBatch(), r.seq());
                t.setWeights(teacherOrNull);
            }
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        this.teacher = t;
    }

    /** Refuses, before any work, a recipe the native step cannot run. */
    static void requireSupported(Recipe recipe) {
        if (recipe.mode() != Recipe.Mode.FULL) {
            throw new IllegalArgumentException("LoRA (--mode lora) is not implemented on the native step (--device"
                    + " cpu-native|cuda trains every tensor in full); use --device cpu for LoRA, or --mode full");
        }
        if (!ParamSelection.ALL.equals(recipe.train().trainable()) || recipe.topK() > 0 || recipe.loss().matchesHidden()) {
            throw new IllegalArgumentException("the native step trains every tensor in full with ce, kd or mix; use"
                    + " --device cpu for a partial --trainable, --top-k or --hidden-weight");
        }
    }

    @Override
    public TrainStep.Outcome run(int step, double lr) {
        TrainRecipe r = recipe.train();
        int[][] windows = sampler.windows(step, r.batch()); // (batch, seq + 1)
        int mb = r.microBatch();
        double scale = 1.0 / r.accumulation();
        LossSpec spec = recipe.loss();
        double loss = 0;
        double ce = 0;
        double kd = 0;
        model.zeroGradients();
        for (int micro = 0; micro < r.accumulation(); micro++) {
            int[] ids = new int[mb * r.seq()];
            int[] targets = new int[mb * r.seq()];
            for (int i = 0; i < mb; i++) {
                System.arraycopy(windows[micro * mb + i], 0, ids, i * r.seq(), r.seq());
                System.arraycopy(windows[micro * mb + i], 1, targets, i * r.seq(), r.seq());
            }
            NativeModel.Loss l = model.forwardBackward(ids, targets, teacher, spec.ceWeight() * scale,
                    spec.kdWeight() * scale, spec.temperature());
            loss += l.loss();
            ce += l.ce() * scale;
            kd += l.kd() * scale;
        }
        if (!Double.isFinite(loss)) {
            return new TrainStep.Outcome(loss, ce, kd, Double.NaN, Double.NaN, "non-finite loss " + loss);
        }
        double norm = model.gradientNorm();
        if (!Double.isFinite(norm)) {
            return new TrainStep.Outcome(loss, ce, kd, Double.NaN, norm, "non-finite gradient (global norm " + norm + ")");
        }
        model.step(optimizer.settings(), lr, r.clip());
        stale = true;
        return new TrainStep.Outcome(loss, ce, kd, Double.NaN, norm, null);
    }

    @Override
    public long updates() {
        return model.updates();
    }

    /** The native weights and moments into the student's arrays and AdamW, when a step changed them since the last sync. */
    @Override
    public void sync() {
        if (!stale) {
            return;
        }
        for (Map.Entry<String, FloatTensor> e : model.weights(DType.F32).tensors().entrySet()) {
            student.trainable().get(e.getKey()).set(e.getValue().data());
        }
        optimizer.load(model.optimizerState(), model.updates());
        stale = false;
    }

    @Override
    public void close() {
        try (NativeModel m = model; NativeModel t = teacher) {
            // closes both, the teacher first
        }
    }
}
