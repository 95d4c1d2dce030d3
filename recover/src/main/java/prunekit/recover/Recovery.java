package prunekit.recover;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import prunekit.core.eval.Perplexity;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;

/**
 * The recovery loop: heals a pruned model by full fine-tuning or LoRA against cross-entropy and/or
 * distillation from the dense teacher. Per step: the step's windows, {@link RecoverStep} at the
 * scheduled learning rate, the log; validation on the first {@code evalWindows} protocol windows
 * before the first step (the unrecovered model, and the teacher), every {@code evalEvery} steps
 * and at the end; whenever validation improves, the recovered model (LoRA merged) is written to
 * {@code OUT/recovered/} in the output dtype (without validation: at the end); checkpoints every
 * {@code checkpointEvery} steps and at the end ({@link TrainCheckpoint}: weights, AdamW moments,
 * LoRA adapters as {@code adapter.*} beside the moments, state); {@code recover.json} with each
 * checkpoint.
 *
 * <p>Resuming is exact as in {@link Trainer}: a run killed at any point and resumed ends with
 * bit-identical weights to one never interrupted (same machine and thread count).
 */
public final class Recovery {
    public static final String RECOVERED_DIR = "recovered";

    private final RecoverRecipe recipe;
    private final RecoverOptions options;
    private final TrainData data;
    private final Path outDir;
    private final RecoverListener listener;
    private FaultInjector faults = FaultInjector.NONE;

    public Recovery(RecoverRecipe recipe, RecoverOptions options, TrainData data, Path outDir, RecoverListener listener) {
        if (recipe.topK() > 0 && (options == null || options.teacherCache() == null)) {
            throw new IllegalArgumentException("--top-k needs a --teacher-cache directory");
        }
        this.recipe = recipe;
        this.options = options == null ? RecoverOptions.defaults() : options;
        this.data = data;
        this.outDir = outDir;
        this.listener = listener == null ? RecoverListener.NONE : listener;
    }

    /** Test seam: poison chosen steps. */
    void injectFaults(FaultInjector f) {
        this.faults = f;
    }

    /**
     * Recovers {@code pruned} (its tokenizer is written with the result) against {@code teacher}
     * (required for kd/mix; for ce optional, then only its validation loss is reported), or with
     * {@code resume} continues the run in the output directory.
     */
    public RecoverResult run(Model pruned, Model teacher, boolean resume) {
        return runUntil(pruned, teacher, resume, recipe.train().steps());
    }

    /** As {@link #run} but stops after step {@code stopAfter}, as if killed there (nothing written since the last checkpoint). */
    public RecoverResult runUntil(Model pruned, Model teacher, boolean resume, int stopAfter) {
        int steps = recipe.train().steps();
        if (stopAfter < 1 || stopAfter > steps) {
            throw new IllegalArgumentException("stop step " + stopAfter + " must be in 1.." + steps);
        }
        if (recipe.loss().kind().needsTeacher() && teacher == null) {
            throw new IllegalArgumentException("--loss " + recipe.loss().kind().id() + " needs the dense teacher: pass --teacher");
        }
        if (teacher != null && teacher.config().vocabSize() != pruned.config().vocabSize()) {
            throw new IllegalArgumentException("the teacher's vocabulary (" + teacher.config().vocabSize() + ") differs from"
                    + " the pruned model's (" + pruned.config().vocabSize() + "): distillation needs the same tokenizer");
        }
        if (!resume && TrainCheckpoint.exists(outDir)) {
            throw new IllegalArgumentException(outDir + " already holds checkpoints of a run: pass --resume to continue it,"
                    + " or choose another output directory");
        }
        Optional<TrainCheckpoint.Loaded> ck = resume ? TrainCheckpoint.latest(outDir) : Optional.empty();
        ck.ifPresent(c -> checkSameModel(c, pruned));
        RecoverState st = ck.map(c -> RecoverState.restore(c, recipe)).orElseGet(RecoverState::new);
        Map<Integer, Integer> pairs = teacher == null ? Map.of() : RecoverStep.hiddenPairs(recipe.loss(),
                pruned.config().numLayers(), teacher.config().numLayers(), pruned.config().hidden(), teacher.config().hidden());
        LlamaWeights start = ck.map(TrainCheckpoint.Loaded::weights).orElse(pruned.weights());
        try (Student student = newStudent(start, ck.map(TrainCheckpoint.Loaded::optimizer).orElse(null));
             Teacher t = teacher == null ? null : newTeacher(teacher, pairs);
             AdamW opt = new AdamW(student.trainable(), recipe.train().adamW())) {
            if (ck.isPresent()) {
                opt.load(ck.get().optimizer(), st.updates);
                listener.onResume(st.step, ck.get().dir());
            }
            Session s = new Session(st, student, t, opt, pruned, teacher == null ? null : teacher.source());
            if (ck.isEmpty()) {
                s.baseline();
            }
            RecoverStep stepper = new RecoverStep(student, t, opt, recipe,
                    new WindowSampler(data.train(), recipe.train().seq(), recipe.train().seed()), faults, pairs);
            s.loop(stepper, stopAfter);
            return new RecoverResult(student.weights(pruned.weights().storedDtype()), st.log, st.step,
                    st.step == steps, st.bestStep);
        }
    }

    private Student newStudent(LlamaWeights start, Map<String, FloatTensor> checkpointExtra) {
        return recipe.mode() == RecoverRecipe.Mode.LORA ? Student.lora(start, recipe.lora(), checkpointExtra)
                : Student.full(start, recipe.train().trainable());
    }

    private Teacher newTeacher(Model teacher, Map<Integer, Integer> pairs) {
        TopKCache cache = recipe.topK() == 0 ? null : TopKCache.open(options.teacherCache(),
                Teacher.fingerprint(teacher.weights()), recipe.topK(), recipe.loss().temperature());
        return new Teacher(teacher.weights(), cache, recipe.loss().temperature(), pairs.values().stream().toList());
    }

    private static void checkSameModel(TrainCheckpoint.Loaded ck, Model pruned) {
        if (!ck.weights().config().equals(pruned.config())) {
            throw new IllegalArgumentException("the checkpoint in " + ck.dir() + " is of another model than " + pruned.source()
                    + "; resume with the same pruned model or use another output directory");
        }
    }

    /** One process's work on a run: the loop, validation, the recovered model, checkpoints. */
    private final class Session {
        private final RecoverState st;
        private final Student student;
        private final Teacher teacher;
        private final AdamW opt;
        private final Model pruned;
        private final TokenStream valid;
        private final String teacherSource;

        Session(RecoverState st, Student student, Teacher teacher, AdamW opt, Model pruned, String teacherSource) {
            this.teacherSource = teacherSource;
            this.st = st;
            this.student = student;
            this.teacher = teacher;
            this.opt = opt;
            this.pruned = pruned;
            this.valid = data.valid() == null ? null : data.validPrefix(recipe.train().evalWindows(), recipe.train().seq());
        }

        /** Validation of the unrecovered model and of the teacher, before the first step. */
        void baseline() {
            if (valid == null) {
                return;
            }
            st.prunedValidLoss = validate();
            listener.onValidation(0, st.prunedValidLoss);
            if (teacher != null) {
                st.teacherValidLoss = Perplexity.evaluate(teacher.model(), valid, recipe.train().seq(), batch(), null).meanNll();
            }
        }

        void loop(RecoverStep stepper, int stopAfter) {
            TrainRecipe r = recipe.train();
            LrSchedule schedule = r.schedule();
            long sessionNanos = 0;
            int sessionSteps = 0;
            while (st.step < stopAfter) {
                int step = st.step + 1;
                double lr = schedule.lr(step);
                long t0 = System.nanoTime();
                RecoverStep.Outcome out = stepper.run(step, lr);
                long dt = System.nanoTime() - t0;
                sessionNanos += dt;
                sessionSteps++;
                st.step = step;
                st.tokens += r.tokensPerStep();
                st.seconds += dt / 1e9;
                st.updates = opt.updates();
                boolean skip = out.skipped();
                st.log.add(new RecoverLog.Entry(step, st.tokens, skip ? Double.NaN : out.loss(), out.ce(), out.kd(),
                        out.hidden(), lr, skip ? Double.NaN : out.gradNorm(), st.seconds, null, out.skipReason()));
                double perStep = sessionNanos / 1e9 / sessionSteps;
                listener.onStep(st.log.last(), r.steps(), r.tokensPerStep() / perStep, perStep * (r.steps() - step));
                boolean last = step == r.steps();
                if (valid != null && (last || (r.evalEvery() > 0 && step % r.evalEvery() == 0))) {
                    double loss = validate();
                    st.log.setValidLoss(loss);
                    listener.onValidation(step, loss);
                    if (st.bestStep == 0 || loss < st.bestLoss) {
                        st.bestStep = step;
                        st.bestLoss = loss;
                        writeRecovered();
                    }
                }
                if (last && valid == null) {
                    st.bestStep = step;
                    writeRecovered();
                }
                if (last || (r.checkpointEvery() > 0 && step % r.checkpointEvery() == 0)) {
                    checkpoint();
                }
            }
        }

        private int batch() {
            return Math.min(8, recipe.train().evalWindows());
        }

        private double validate() {
            return student.apply(t -> Perplexity.evaluate(t, valid, recipe.train().seq(), batch(), null).meanNll());
        }

        private void writeRecovered() {
            DType dtype = options.outputDtype() != null ? options.outputDtype() : pruned.weights().storedDtype();
            LlamaWeights w = student.weights(dtype);
            HfCheckpoint.writeWith(pruned.withWeights(w, pruned.source() + " recovered"), outDir.resolve(RECOVERED_DIR),
                    HfCheckpoint.WriteOptions.defaults().withOverwrite(true));
        }

        private void checkpoint() {
            Map<String, FloatTensor> extra = new LinkedHashMap<>(opt.state());
            extra.putAll(student.extraState());
            JsonObject state = st.toJson(recipe);
            Path dir = TrainCheckpoint.write(outDir, st.step, student.checkpointWeights(), extra, state,
                    recipe.train().keepCheckpoints());
            JsonObject report = RecoverReport.json(recipe, st, pruned.weights().countParameters(), student.trainable().count());
            report.addProperty("pruned_model", pruned.source());
            if (teacherSource != null) {
                report.addProperty("teacher_model", teacherSource);
            }
            TrainCheckpoint.writeJson(outDir.resolve(RecoverReport.FILE), report);
            listener.onCheckpoint(st.step, dir);
        }
    }
}
