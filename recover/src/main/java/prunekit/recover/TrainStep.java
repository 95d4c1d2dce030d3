package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.engine.Engines;
import prunekit.core.engine.ForwardHooks;
import prunekit.core.engine.Losses;
import prunekit.core.eval.WindowBatch;

/**
 * One optimizer step: zero the gradients, forward and backward over each micro-batch of the step's
 * windows, check that loss and gradients are finite, clip by global norm, apply AdamW. The
 * objective is w_ce · CE + w_kd · KD (+ β · hidden-state MSE), divided by the number of
 * micro-batches so gradients add up to the full batch's; the teacher (when there is one) runs
 * first, outside the gradient collector. CE is computed in every mode for the log. A non-finite
 * step changes nothing: no update is applied and the next step zeroes the gradients. Every array
 * a step creates is closed before it returns. Nothing on the autograd path is multiplied by a Java
 * number (see {@code Transformer.nativeConstant} in core for why).
 */
final class TrainStep implements Stepper {
    /** What a step did: the objective and its parts (NaN where not computed); {@code skipReason} null when applied. */
    record Outcome(double loss, double ce, double kd, double hidden, double gradNorm, String skipReason) {
        boolean skipped() {
            return skipReason != null;
        }
    }

    private final Student student;
    private final Teacher teacher;
    private final AdamW optimizer;
    private final Recipe recipe;
    private final WindowSampler sampler;
    private final FaultInjector faults;
    private final Map<Integer, Integer> hiddenPairs;

    /** {@code hiddenPairs}: student layer → teacher layer whose outputs are matched (empty: none). */
    TrainStep(Student student, Teacher teacherOrNull, AdamW optimizer, Recipe recipe, WindowSampler sampler,
              FaultInjector faults, Map<Integer, Integer> hiddenPairs) {
        this.student = student;
        this.teacher = teacherOrNull;
        this.optimizer = optimizer;
        this.recipe = recipe;
        this.sampler = sampler;
        this.faults = faults;
        this.hiddenPairs = hiddenPairs;
    }

    @Override
    public long updates() {
        return optimizer.updates();
    }

    @Override
    public Outcome run(int step, double lr) {
        TrainableParams params = student.trainable();
        params.zeroGradients();
        TrainRecipe r = recipe.train();
        int[][] windows = sampler.windows(step, r.batch()); // (batch, seq + 1)
        int mb = r.microBatch();
        double[] sum = new double[4]; // loss, ce, kd, hidden
        for (int micro = 0; micro < r.accumulation(); micro++) {
            double[] parts = forwardBackward(step, micro, Arrays.copyOfRange(windows, micro * mb, micro * mb + mb));
            for (int i = 0; i < 4; i++) {
                sum[i] += parts[i];
            }
        }
        double loss = sum[0];
        double ce = sum[1] / r.accumulation();
        double kd = teacher == null ? Double.NaN : sum[2] / r.accumulation();
        double hid = hiddenPairs.isEmpty() ? Double.NaN : sum[3] / r.accumulation();
        if (!Double.isFinite(loss)) {
            return new Outcome(loss, ce, kd, hid, Double.NaN, "non-finite loss " + loss);
        }
        faults.gradients(step, params);
        TrainableParams.GradientStats g = params.gradientStats();
        if (!g.finite()) {
            return new Outcome(loss, ce, kd, hid, g.norm(), "non-finite gradient (global norm " + g.norm() + ")");
        }
        if (r.clip() > 0 && g.norm() > r.clip()) {
            params.scaleGradients(r.clip() / (g.norm() + 1e-6)); // as torch.nn.utils.clip_grad_norm_
        }
        optimizer.step(params, lr);
        return new Outcome(loss, ce, kd, hid, g.norm(), null);
    }

    /** Forward and backward of one micro-batch (rows × (seq + 1)); returns its share of the loss and its parts. */
    private double[] forwardBackward(int step, int micro, int[][] windows) {
        WindowBatch batch = WindowBatch.of(windows, 0, windows.length, recipe.train().seq());
        try (NDManager m = student.base().manager().newSubManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray ids = batch.inputArray(m);
            NDArray targets = batch.targetArray(m);
            Teacher.Targets tt = teacher == null ? null : teacher.targets(step, micro, windows, ids, m);
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                return student.apply(model -> {
                    HiddenMatch hooks = new HiddenMatch(tt, m);
                    NDArray logits = model.forward(ids, null, hooks); // (rows, seq, vocab)
                    logits.attach(m);
                    return objective(step, gc, logits, targets, tt, hooks, m);
                });
            }
        }
    }

    /** Builds the weighted objective, runs backward, returns {share of objective, ce, kd, hidden}. */
    private double[] objective(int step, GradientCollector gc, NDArray logits, NDArray targets, Teacher.Targets tt,
                               HiddenMatch hooks, NDManager m) {
        LossSpec spec = recipe.loss();
        NDArray ce = Losses.tokenNll(logits, targets).mean();
        NDArray kd = null;
        if (tt != null) {
            kd = tt.topK() != null ? DistillLosses.klTopK(logits, tt.topK(), spec.temperature())
                    : DistillLosses.kl(logits, tt.logits(), spec.temperature());
        }
        NDArray total = weighted(ce, spec.ceWeight(), null, m);
        total = weighted(kd, spec.kdWeight(), total, m);
        NDArray hidden = hooks.mean();
        total = weighted(hidden, spec.hiddenWeight(), total, m);
        if (recipe.train().accumulation() > 1) {
            total = total.mul(m.full(new Shape(), (float) (1.0 / recipe.train().accumulation()), total.getDataType()));
        }
        total = faults.loss(step, total);
        gc.backward(total);
        return new double[] {TrainableParams.scalar(total), TrainableParams.scalar(ce),
            kd == null ? Double.NaN : TrainableParams.scalar(kd), hidden == null ? Double.NaN : TrainableParams.scalar(hidden)};
    }

    /** {@code acc + w · term}, skipping a zero weight or a missing term; w is a PyTorch-allocated scalar. */
    private static NDArray weighted(NDArray term, double w, NDArray acc, NDManager m) {
        if (term == null || w == 0) {
            return acc;
        }
        NDArray t = w == 1 ? term : term.mul(m.full(new Shape(), (float) w, term.getDataType()));
        return acc == null ? t : acc.add(t);
    }

    /** Student hooks: the relative MSE against the teacher's hidden states at each matched layer. */
    private final class HiddenMatch implements ForwardHooks {
        private final Teacher.Targets teacherTargets;
        private final NDManager m;
        private final List<NDArray> terms = new ArrayList<>();

        HiddenMatch(Teacher.Targets teacherTargets, NDManager m) {
            this.teacherTargets = teacherTargets;
            this.m = m;
        }

        @Override
        public void layerOutput(int layer, NDArray h) {
            Integer t = hiddenPairs.get(layer);
            if (t == null || teacherTargets == null) {
                return;
            }
            NDArray term = DistillLosses.hiddenMse(h, teacherTargets.hidden().get(t)); // 0-dim, kept past the forward
            NDScope.unregister(term);
            term.attach(m);
            terms.add(term);
        }

        /** The mean of the matched layers' terms, or null when nothing is matched. */
        NDArray mean() {
            if (terms.isEmpty()) {
                return null;
            }
            NDArray s = terms.get(0);
            for (int i = 1; i < terms.size(); i++) {
                s = s.add(terms.get(i));
            }
            return terms.size() == 1 ? s : s.mul(m.full(new Shape(), (float) (1.0 / terms.size()), s.getDataType()));
        }
    }

    /** Student layer → teacher layer for hidden-state matching: {@code layers} in both, or last ↔ last when empty. */
    static Map<Integer, Integer> hiddenPairs(LossSpec spec, int studentLayers, int teacherLayers, int studentHidden,
                                             int teacherHidden) {
        Map<Integer, Integer> pairs = new LinkedHashMap<>();
        if (!spec.matchesHidden()) {
            return pairs;
        }
        if (studentHidden != teacherHidden) {
            throw new IllegalArgumentException("hidden-state matching needs the same hidden size; the student has "
                    + studentHidden + " and the teacher " + teacherHidden + " (drop --hidden-weight)");
        }
        if (spec.hiddenLayers().isEmpty()) {
            pairs.put(studentLayers - 1, teacherLayers - 1);
            return pairs;
        }
        if (studentLayers != teacherLayers) {
            throw new IllegalArgumentException("matching chosen layers needs the same layer count (student "
                    + studentLayers + ", teacher " + teacherLayers + "); match the last layer only (no --hidden-layers)");
        }
        for (int l : spec.hiddenLayers()) {
            if (l < 0 || l >= studentLayers) {
                throw new IllegalArgumentException("--hidden-layers " + l + " is not a layer (0.." + (studentLayers - 1) + ")");
            }
            pairs.put(l, l);
        }
        return pairs;
    }
}
