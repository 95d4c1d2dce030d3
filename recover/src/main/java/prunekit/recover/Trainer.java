package prunekit.recover;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import prunekit.core.engine.Params;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Perplexity;
import prunekit.core.eval.TokenStream;
import prunekit.core.model.LlamaWeights;

/**
 * The training loop: for each step draw the step's windows, run {@link TrainStep} (forward,
 * backward, finiteness check, clipping, AdamW) at the scheduled learning rate, log it, validate
 * every {@code evalEvery} steps and at the end, checkpoint every {@code checkpointEvery} steps and
 * at the end, and write {@code train.json} into the output directory with every checkpoint.
 *
 * <p>Resuming continues from the latest complete checkpoint and is exact: the weights, the AdamW
 * moments and update count, the step (which fixes the learning rate and the data drawn) and the
 * log are restored, so a run killed at any point and resumed ends with bit-identical weights to
 * one that was never interrupted (same machine, same thread count).
 */
public final class Trainer {
    public static final String LOG_FILE = "train.json";

    private final TrainRecipe recipe;
    private final TrainData data;
    private final Path outDir;
    private final TrainListener listener;
    private FaultInjector faults = FaultInjector.NONE;

    public Trainer(TrainRecipe recipe, TrainData data, Path outDir, TrainListener listener) {
        this.recipe = recipe;
        this.data = data;
        this.outDir = outDir;
        this.listener = listener == null ? TrainListener.NONE : listener;
    }

    /** Test seam: poison chosen steps. */
    void injectFaults(FaultInjector f) {
        this.faults = f;
    }

    /** Mutable position of a run: last completed step, tokens, seconds, log. */
    private static final class RunState {
        int step;
        long updates;
        long tokens;
        double seconds;
        TrainLog log = new TrainLog();
    }

    /**
     * Trains from {@code initial}, or with {@code resume} from the latest checkpoint in the output
     * directory when there is one (then {@code initial} only has to have the same config), to the
     * recipe's last step. Returns the final weights, which are also in the last checkpoint.
     */
    public TrainResult run(LlamaWeights initial, boolean resume) {
        return runUntil(initial, resume, recipe.steps());
    }

    /**
     * As {@link #run} but stops after step {@code stopAfter}; stopping before the last step behaves
     * like the process being killed there: no checkpoint and no log are written for the steps run
     * since the last periodic checkpoint.
     */
    public TrainResult runUntil(LlamaWeights initial, boolean resume, int stopAfter) {
        if (stopAfter < 1 || stopAfter > recipe.steps()) {
            throw new IllegalArgumentException("stop step " + stopAfter + " must be in 1.." + recipe.steps());
        }
        Optional<TrainCheckpoint.Loaded> ck = resume ? TrainCheckpoint.latest(outDir) : Optional.empty();
        if (!resume && TrainCheckpoint.exists(outDir)) {
            throw new IllegalArgumentException(outDir + " already holds checkpoints of a run: pass --resume to continue"
                    + " it, or choose another output directory");
        }
        LlamaWeights start = ck.map(TrainCheckpoint.Loaded::weights).orElse(initial);
        if (start == null) {
            throw new IllegalArgumentException("no checkpoint to resume in " + outDir + " and no starting weights;"
                    + " give a model to start from (--init or --from)");
        }
        if (initial != null && ck.isPresent() && !initial.config().equals(start.config())) {
            throw new IllegalArgumentException("the checkpoint in " + ck.get().dir() + " is of another model config than"
                    + " the one given; resume with the same --init/--from or use another output directory");
        }
        RunState st = ck.map(this::restore).orElseGet(RunState::new);
        try (Params params = new Params(start); Transformer model = new Transformer(params)) {
            TrainableParams trainable = new TrainableParams(params, recipe.trainable());
            try (AdamW opt = new AdamW(trainable, recipe.adamW())) {
                if (ck.isPresent()) {
                    opt.load(ck.get().optimizer(), st.updates);
                    listener.onResume(st.step, ck.get().dir());
                }
                WindowSampler sampler = new WindowSampler(data.train(), recipe.seq(), recipe.seed());
                TrainStep stepper = new TrainStep(model, trainable, opt, recipe, sampler, faults);
                loop(st, stepper, model, opt, params, trainable, stopAfter);
                boolean finished = st.step == recipe.steps();
                return new TrainResult(params.toWeights(start.storedDtype()), st.log, st.step, finished);
            }
        }
    }

    private void loop(RunState st, TrainStep stepper, Transformer model, AdamW opt, Params params,
                      TrainableParams trainable, int stopAfter) {
        LrSchedule schedule = recipe.schedule();
        TokenStream valid = data.valid() == null ? null : data.validPrefix(recipe.evalWindows(), recipe.seq());
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
            st.step = step;
            st.tokens += recipe.tokensPerStep();
            st.seconds += dt / 1e9;
            st.updates = opt.updates();
            st.log.add(new TrainLog.Entry(step, st.tokens, out.skipped() ? Double.NaN : out.loss(), lr,
                    out.skipped() ? Double.NaN : out.gradNorm(), st.seconds, null, out.skipReason()));
            double perStep = sessionNanos / 1e9 / sessionSteps;
            listener.onStep(st.log.last(), recipe.steps(), recipe.tokensPerStep() / perStep,
                    perStep * (recipe.steps() - step));
            boolean last = step == recipe.steps();
            if (valid != null && (last || (recipe.evalEvery() > 0 && step % recipe.evalEvery() == 0))) {
                double loss = Perplexity.evaluate(model, valid, recipe.seq(), Math.min(16, recipe.evalWindows()), null)
                        .meanNll();
                st.log.setValidLoss(loss);
                listener.onValidation(step, loss);
            }
            if (last || (recipe.checkpointEvery() > 0 && step % recipe.checkpointEvery() == 0)) {
                checkpoint(st, opt, params, trainable);
            }
        }
    }

    private void checkpoint(RunState st, AdamW opt, Params params, TrainableParams trainable) {
        JsonObject state = new JsonObject();
        state.addProperty("step", st.step);
        state.addProperty("adam_updates", st.updates);
        state.addProperty("tokens", st.tokens);
        state.addProperty("seconds", st.seconds);
        JsonObject sampler = new JsonObject();
        sampler.addProperty("seed", recipe.seed());
        sampler.addProperty("next_step", st.step + 1);
        state.add("sampler", sampler);
        state.add("recipe", recipe.toJson());
        state.add("log", st.log.toJson());
        LlamaWeights w = params.toWeights(prunekit.core.model.DType.F32);
        Path dir = TrainCheckpoint.write(outDir, st.step, w, opt.state(), state, recipe.keepCheckpoints());
        TrainCheckpoint.writeJson(outDir.resolve(LOG_FILE), summary(st, w.countParameters(), trainable.count()));
        listener.onCheckpoint(st.step, dir);
    }

    private JsonObject summary(RunState st, long paramCount, long trainableCount) {
        JsonObject o = new JsonObject();
        o.addProperty("steps", st.step);
        o.addProperty("planned_steps", recipe.steps());
        o.addProperty("finished", st.step == recipe.steps());
        o.addProperty("tokens_seen", st.tokens);
        o.addProperty("seconds", Math.round(st.seconds * 10) / 10.0);
        o.addProperty("tokens_per_second", st.seconds > 0 ? Math.round(st.tokens / st.seconds) : 0);
        o.addProperty("params", paramCount);
        o.addProperty("trainable_params", trainableCount);
        o.addProperty("skipped_steps", st.log.skippedCount());
        st.log.lastValidLoss().ifPresent(v -> o.addProperty("valid_loss", v));
        o.addProperty("valid_windows", recipe.evalWindows());
        o.add("recipe", recipe.toJson());
        o.add("log", st.log.toJson());
        return o;
    }

    private RunState restore(TrainCheckpoint.Loaded ck) {
        JsonObject s = ck.state();
        TrainRecipe saved = TrainRecipe.fromJson(s.getAsJsonObject("recipe"));
        List<String> diff = recipe.arithmeticDifferences(saved);
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException("cannot resume exactly from " + ck.dir() + ": the recipe differs from the"
                    + " checkpoint's (" + String.join("; ", diff) + "); use the same settings or a new output directory");
        }
        RunState st = new RunState();
        st.step = ck.step();
        st.updates = s.get("adam_updates").getAsLong();
        st.tokens = s.get("tokens").getAsLong();
        st.seconds = s.get("seconds").getAsDouble();
        st.log = TrainLog.fromJson(s.getAsJsonArray("log"));
        return st;
    }
}
