package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Map;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;

/**
 * {@link TrainStep}'s step on a {@link NativeModel} ({@code --device cpu-native|cuda}): the same
 * windows, objective w_ce·CE + w_kd·KD over micro-batches (weights divided by their number),
 * non-finite steps skipped, clipping and AdamW. After each applied update the weights and moments
 * are copied back into the student and {@link AdamW}, so validation, the recovered model and the
 * checkpoints (same files, same resume) are the DJL path's own. The teacher's logits come from our
 * engine. Full fine-tuning of every tensor with ce/kd/mix only: LoRA, partial selections, top-k
 * caches and hidden-state matching run on {@code --device cpu}.
 */
final class NativeTrainStep implements Stepper {
    private final Student student;
    private final Teacher teacher;
    private final AdamW optimizer;
    private final Recipe recipe;
    private final WindowSampler sampler;
    private final NativeModel model;

    NativeTrainStep(NativeModel.Backend backend, Student student, Teacher teacherOrNull, AdamW optimizer, Recipe recipe,
                    WindowSampler sampler, Map<Integer, Integer> hiddenPairs) {
        TrainRecipe r = recipe.train();
        requireSupported(recipe);
        if (!hiddenPairs.isEmpty()) {
            throw new IllegalArgumentException("the native step has no hidden-state matching; use --device cpu");
        }
        this.student = student;
        this.teacher = teacherOrNull;
        this.optimizer = optimizer;
        this.recipe = recipe;
        this.sampler = sampler;
        this.model = NativeModel.open(backend, student.base().config(), r.microBatch(), r.seq());
        model.setWeights(student.weights(DType.F32));
        model.loadOptimizerState(optimizer.state(), optimizer.updates());
    }

    /** Refuses, before any work, a recipe the native step cannot run. */
    static void requireSupported(Recipe recipe) {
        if (recipe.mode() != Recipe.Mode.FULL || !ParamSelection.ALL.equals(recipe.train().trainable())
                || recipe.topK() > 0 || recipe.loss().matchesHidden()) {
            throw new IllegalArgumentException("the native step trains every tensor in full with ce, kd or mix; use"
                    + " --device cpu for LoRA, a partial --trainable, --top-k or --hidden-weight");
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
            int[][] rows = Arrays.copyOfRange(windows, micro * mb, micro * mb + mb);
            int[] ids = new int[mb * r.seq()];
            int[] targets = new int[mb * r.seq()];
            for (int i = 0; i < mb; i++) {
                System.arraycopy(rows[i], 0, ids, i * r.seq(), r.seq());
                System.arraycopy(rows[i], 1, targets, i * r.seq(), r.seq());
            }
            NativeModel.Loss l = model.forwardBackward(ids, targets, teacherLogits(step, micro, rows, ids),
                    spec.ceWeight() * scale, spec.kdWeight() * scale, spec.temperature());
            loss += l.loss();
            ce += l.ce() * scale;
            kd += l.kd() * scale;
        }
        if (teacher == null) {
            kd = Double.NaN;
        }
        if (!Double.isFinite(loss)) {
            return new TrainStep.Outcome(loss, ce, kd, Double.NaN, Double.NaN, "non-finite loss " + loss);
        }
        double norm = model.gradientNorm();
        if (!Double.isFinite(norm)) {
            return new TrainStep.Outcome(loss, ce, kd, Double.NaN, norm, "non-finite gradient (global norm " + norm + ")");
        }
        model.step(optimizer.settings(), lr, r.clip());
        copyBack();
        return new TrainStep.Outcome(loss, ce, kd, Double.NaN, norm, null);
    }

    /** The teacher's logits (rows·seq, vocab) from our engine, or null without a teacher. */
    private float[] teacherLogits(int step, int micro, int[][] rows, int[] ids) {
        if (teacher == null) {
            return null;
        }
        long[] in = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            in[i] = ids[i];
        }
        try (NDManager m = student.base().manager().newSubManager()) {
            NDArray idArray = m.create(in, new Shape(rows.length, recipe.train().seq()));
            return teacher.targets(step, micro, rows, idArray, m).logits().toFloatArray();
        }
    }

    /** The native weights and moments into the student's arrays and AdamW (for validation and checkpoints). */
    private void copyBack() {
        for (Map.Entry<String, FloatTensor> e : model.weights(DType.F32).tensors().entrySet()) {
            student.trainable().get(e.getKey()).set(e.getValue().data());
        }
        optimizer.load(model.optimizerState(), model.updates());
    }

    @Override
    public void close() {
        model.close();
    }
}
