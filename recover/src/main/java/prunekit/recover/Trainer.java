package prunekit.recover;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import prunekit.core.PrunekitException;
import prunekit.core.eval.Perplexity;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;

/**
 * The training engine, for both of its {@link Recipe}s: {@code train} (from scratch or continued)
 * and {@code recover} (healing a pruned model). The student is the model trained in full or under
 * LoRA adapters ({@link Student}); the objective is cross-entropy and/or distillation from a
 * teacher, live or from a top-k cache, optionally with hidden-state matching ({@link TrainStep}).
 *
 * <p>Per step: the step's windows, {@link TrainStep} at the scheduled learning rate (or, with
 * {@link RunOptions#device()} cpu-native or cuda, {@link NativeTrainStep}: the same step in
 * cuda-kernels/, whose weights and moments reach the student and AdamW only at {@link Stepper#sync}:
 * before validation, the recovered model, a checkpoint and the end), the log.
 * Validation on the first {@code evalWindows} windows every {@code evalEvery} steps and at the end.
 * Checkpoints every {@code checkpointEvery} steps and at the end ({@link TrainCheckpoint}: weights,
 * AdamW moments, LoRA adapters as {@code adapter.*} beside the moments, state), each with the
 * report ({@link RunReport}). A run that heals ({@link Recipe#heals}) also validates the
 * unrecovered model and the teacher before the first step, and writes the recovered model (LoRA
 * merged) to {@code OUT/recovered/} in the output dtype whenever validation improves (without
 * validation: at the end).
 *
 * <p>Resuming continues from the latest complete checkpoint and is exact: the weights, adapters,
 * AdamW moments and update count, the step (which fixes the learning rate and the data drawn) and
 * the log are restored, so a run killed at any point and resumed ends with bit-identical weights
 * to one never interrupted (same machine, same thread count). It is refused when the training data,
 * validation text or teacher differ from the checkpoint's ({@link RunInputs}); a checkpoint with
 * non-finite values is never resumed from nor written ({@link TrainCheckpoint}).
 */
public final class Trainer {
    public static final String RECOVERED_DIR = "recovered";

    private final Recipe recipe;
    private final RunOptions options;
    private final TrainData data;
    private final Path outDir;
    private final TrainListener listener;
    private FaultInjector faults = FaultInjector.NONE;

    public Trainer(Recipe recipe, RunOptions options, TrainData data, Path outDir, TrainListener listener) {
        if (recipe.topK() > 0 && (options == null || options.teacherCache() == null)) {
            throw new IllegalArgumentException("--top-k needs a --teacher-cache directory");
        }
        this.recipe = recipe;
        this.options = options == null ? RunOptions.defaults() : options;
        if (this.options.device() != Device.CPU) {
            NativeTrainStep.requireSupported(recipe);
        }
        this.data = data;
        this.outDir = outDir;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    /** Test seam: poison chosen steps. */
    void injectFaults(FaultInjector f) {
        this.faults = f;
    }

    /**
     * Trains {@code start} (for recover: the pruned model, whose tokenizer is written with the
     * result) against {@code teacher} (required for kd/mix; for a ce recovery optional, then only
     * its validation loss is reported), or with {@code resume} continues the run in the output
     * directory (a train run may then pass no {@code start}: the checkpoint has the weights).
     */
    public TrainResult run(Model start, Model teacher, boolean resume) {
        return runUntil(start, teacher, resume, recipe.train().steps());
    }

    /**
     * As {@link #run} but stops after step {@code stopAfter}, as if killed there: no checkpoint and
     * no report are written for the steps run since the last periodic checkpoint.
     */
    public TrainResult runUntil(Model start, Model teacher, boolean resume, int stopAfter) {
        int steps = recipe.train().steps();
        if (stopAfter < 1 || stopAfter > steps) {
            throw new IllegalArgumentException("stop step " + stopAfter + " must be in 1.." + steps);
        }
        checkModels(start, teacher);
        if (!resume && TrainCheckpoint.exists(outDir)) {
            throw new IllegalArgumentException(outDir + " already holds checkpoints of a run: pass --resume to continue it,"
                    + " or choose another output directory");
        }
        Optional<TrainCheckpoint.Loaded> ck = resume ? TrainCheckpoint.latest(outDir) : Optional.empty();
        if (ck.isEmpty() && start == null) {
            throw new IllegalArgumentException("no checkpoint to resume in " + outDir + " and no starting weights;"
                    + " give a model to start from (--init or --from)");
        }
        if (ck.isPresent() && start != null && !ck.get().weights().config().equals(start.config())) {
            throw new IllegalArgumentException("the checkpoint in " + ck.get().dir() + " is of another model config than "
                    + start.source() + "; resume with the same model or use another output directory");
        }
        RunInputs inputs = RunInputs.of(data, teacher == null ? null : teacher.weights());
        ck.ifPresent(c -> inputs.requireSameAs(c.state(), c.dir()));
        RunState st = ck.map(c -> RunState.restore(c, recipe)).orElseGet(RunState::new);
        st.inputs = inputs;
        LlamaWeights weights = ck.map(TrainCheckpoint.Loaded::weights).orElseGet(() -> start.weights());
        Map<Integer, Integer> pairs = teacher == null ? Map.of() : TrainStep.hiddenPairs(recipe.loss(),
                weights.config().numLayers(), teacher.config().numLayers(), weights.config().hidden(),
                teacher.config().hidden());
        try (Student student = newStudent(weights, ck.map(TrainCheckpoint.Loaded::optimizer).orElse(null));
             Teacher t = teacher == null || options.device() != Device.CPU ? null : newTeacher(teacher, pairs);
             AdamW opt = new AdamW(student.trainable(), recipe.train().adamW())) {
            if (ck.isPresent()) {
                opt.load(ck.get().optimizer(), st.updates);
                listener.onResume(st.step, ck.get().dir());
            }
            Session s = new Session(st, student, t, opt, start, teacher);
            if (ck.isEmpty()) {
                s.baseline();
            }
            WindowSampler sampler = new WindowSampler(data.train(), recipe.train().seq(), recipe.train().seed());
            try (Stepper stepper = options.device() == Device.CPU
                    ? new TrainStep(student, t, opt, recipe, sampler, faults, pairs)
                    : new NativeTrainStep(options.device().backend(), student, teacher == null ? null : teacher.weights(),
                            opt, recipe, sampler, pairs)) {
                s.loop(stepper, stopAfter);
            }
            DType dtype = (start != null ? start.weights() : weights).storedDtype();
            LlamaWeights result = student.weights(dtype);
            return new TrainResult(result, st.log, st.step, st.step == steps, st.bestStep, s.report(result));
        }
    }

    private void checkModels(Model start, Model teacher) {
        if (recipe.heals() && start == null) {
            throw new IllegalArgumentException("recovery needs the pruned model it heals (its tokenizer is written with it)");
        }
        recipe.requireTeacher(teacher != null);
        if (teacher != null && start != null && teacher.config().vocabSize() != start.config().vocabSize()) {
            throw new IllegalArgumentException("the teacher's vocabulary (" + teacher.config().vocabSize() + ") differs from"
                    + " the student's (" + start.config().vocabSize() + "): distillation needs the same tokenizer");
        }
    }

    private Student newStudent(LlamaWeights start, Map<String, FloatTensor> checkpointExtra) {
        return recipe.mode() == Recipe.Mode.LORA ? Student.lora(start, recipe.lora(), checkpointExtra)
                : Student.full(start, recipe.train().trainable());
    }

    private Teacher newTeacher(Model teacher, Map<Integer, Integer> pairs) {
        TopKCache cache = recipe.topK() == 0 ? null : TopKCache.open(options.teacherCache(),
                Teacher.fingerprint(teacher.weights()), recipe.topK(), recipe.loss().temperature());
        return new Teacher(teacher.weights(), cache, recipe.loss().temperature(), pairs.values().stream().toList());
    }

    /** One process's work on a run: the loop, validation, the recovered model, checkpoints. */
    private final class Session {
        private final RunState st;
        private final Student student;
        private final Teacher teacher;
        private final AdamW opt;
        private final Model start;
        private final Model teacherModel;
        private final TokenStream valid;

        /** {@code teacher}: the engine's teacher for the DJL step, null on a native device (it has its own). */
        Session(RunState st, Student student, Teacher teacher, AdamW opt, Model start, Model teacherModel) {
            this.st = st;
            this.student = student;
            this.teacher = teacher;
            this.opt = opt;
            this.start = start;
            this.teacherModel = teacherModel;
            this.valid = data.valid() == null ? null : data.validPrefix(recipe.train().evalWindows(), recipe.train().seq());
        }

        /** For a run that heals: validation of the unrecovered model and of the teacher, before the first step. */
        void baseline() {
            if (valid == null || !recipe.heals()) {
                return;
            }
            st.prunedValidLoss = validate();
            listener.onValidation(0, st.prunedValidLoss);
            if (teacherModel != null) {
                st.teacherValidLoss = finite(teacherValidLoss(), "the teacher's validation loss");
            }
        }

        /** On the engine: the step's teacher, or on a native device one made for this alone and freed. */
        private double teacherValidLoss() {
            if (teacher != null) {
                return Perplexity.evaluate(teacher.model(), valid, recipe.train().seq(), recipe.validBatch(), null).meanNll();
            }
            try (Teacher once = new Teacher(teacherModel.weights(), null, recipe.loss().temperature(), List.of())) {
                return Perplexity.evaluate(once.model(), valid, recipe.train().seq(), recipe.validBatch(), null).meanNll();
            }
        }

        void loop(Stepper stepper, int stopAfter) {
            TrainRecipe r = recipe.train();
            LrSchedule schedule = r.schedule();
            long sessionNanos = 0;
            int sessionSteps = 0;
            while (st.step < stopAfter) {
                int step = st.step + 1;
                double lr = schedule.lr(step);
                long t0 = System.nanoTime();
                TrainStep.Outcome out = stepper.run(step, lr);
                long dt = System.nanoTime() - t0;
                sessionNanos += dt;
                sessionSteps++;
                st.advance(step, r.tokensPerStep(), dt, stepper.updates());
                boolean skip = out.skipped();
                st.log.add(new TrainLog.Entry(step, st.tokens, skip ? Double.NaN : out.loss(), out.ce(), out.kd(),
                        out.hidden(), lr, skip ? Double.NaN : out.gradNorm(), st.seconds, null, out.skipReason()));
                double perStep = sessionNanos / 1e9 / sessionSteps;
                listener.onStep(st.log.last(), r.steps(), r.tokensPerStep() / perStep, perStep * (r.steps() - step));
                boolean last = step == r.steps();
                if (valid != null && (last || (r.evalEvery() > 0 && step % r.evalEvery() == 0))) {
                    stepper.sync();
                    validateAfter(step);
                }
                if (last && valid == null && recipe.heals()) {
                    stepper.sync();
                    st.bestStep = step;
                    writeRecovered();
                }
                if (last || (r.checkpointEvery() > 0 && step % r.checkpointEvery() == 0)) {
                    stepper.sync();
                    checkpoint();
                }
            }
            stepper.sync(); // the result's weights
        }

        /** Validates after {@code step}; a run that heals keeps the model when it is the best so far. */
        private void validateAfter(int step) {
            double loss = validate();
            st.log.setValidLoss(loss);
            listener.onValidation(step, loss);
            if (recipe.heals() && (st.bestStep == 0 || loss < st.bestLoss)) {
                st.bestStep = step;
                st.bestLoss = loss;
                writeRecovered();
            }
        }

        private double validate() {
            return finite(student.apply(t -> Perplexity.evaluate(t, valid, recipe.train().seq(), recipe.validBatch(),
                    null).meanNll()), "the validation loss after step " + st.step);
        }

        /** {@code loss}, when finite; a non-finite loss stops the run rather than being logged as a result. */
        private double finite(double loss, String what) {
            if (!Double.isFinite(loss)) {
                throw new PrunekitException(what + " is " + loss + ": the model's logits overflow or hold NaN; the"
                        + " checkpoints in " + outDir + " are kept; lower --lr or check the weights");
            }
            return loss;
        }

        private void writeRecovered() {
            DType dtype = options.outputDtype() != null ? options.outputDtype() : start.weights().storedDtype();
            LlamaWeights w = student.weights(dtype);
            HfCheckpoint.writeWith(start.withWeights(w, start.source() + " recovered"), outDir.resolve(RECOVERED_DIR),
                    HfCheckpoint.WriteOptions.defaults().withOverwrite(true));
        }

        private void checkpoint() {
            Map<String, FloatTensor> extra = new LinkedHashMap<>(opt.state());
            extra.putAll(student.extraState());
            LlamaWeights w = student.checkpointWeights();
            Path dir = TrainCheckpoint.write(outDir, st.step, w, extra, st.toJson(recipe), recipe.train().keepCheckpoints());
            TrainCheckpoint.writeJson(outDir.resolve(RunReport.file(recipe.kind())), report(w));
            listener.onCheckpoint(st.step, dir);
        }

        /** The run's report as of now, for weights {@code w} (what a checkpoint writes beside them). */
        JsonObject report(LlamaWeights w) {
            return RunReport.json(recipe, st, w.countParameters(), student.trainable().count(),
                    start == null ? null : start.source(), teacherModel == null ? null : teacherModel.source());
        }
    }
}
