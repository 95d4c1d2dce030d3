package prunekit.recover;

import com.google.gson.JsonObject;
import java.util.List;
import prunekit.core.io.FormatException;

/**
 * The mutable position of a run, saved in every checkpoint's {@code trainer_state.json}: last
 * completed step, AdamW update count, tokens, seconds, the log; for a run that heals a model also
 * the best validation so far and the baselines measured before the first step (validation loss
 * of the unrecovered model and of the teacher; null when not measured), and the sha256 of its inputs.
 */
final class RunState {
    int step;
    long updates;
    long tokens;
    double seconds;
    TrainLog log = new TrainLog();
    int bestStep;
    double bestLoss = Double.NaN;
    Double prunedValidLoss;
    Double teacherValidLoss;
    RunInputs inputs;

    /** Moves past {@code step}, which took {@code nanos} and left AdamW at {@code adamUpdates} updates. */
    void advance(int step, long tokensPerStep, long nanos, long adamUpdates) {
        this.step = step;
        this.tokens += tokensPerStep;
        this.seconds += nanos / 1e9;
        this.updates = adamUpdates;
    }

    JsonObject toJson(Recipe recipe) {
        JsonObject o = new JsonObject();
        o.addProperty("step", step);
        o.addProperty("adam_updates", updates);
        o.addProperty("tokens", tokens);
        o.addProperty("seconds", seconds);
        if (recipe.heals()) {
            o.addProperty("best_step", bestStep);
            if (bestStep > 0) {
                o.addProperty("best_valid_loss", bestLoss);
            }
            if (prunedValidLoss != null) {
                o.addProperty("pruned_valid_loss", prunedValidLoss);
            }
            if (teacherValidLoss != null) {
                o.addProperty("teacher_valid_loss", teacherValidLoss);
            }
        }
        if (inputs != null) {
            o.add(RunInputs.KEY, inputs.toJson());
        }
        JsonObject sampler = new JsonObject();
        sampler.addProperty("seed", recipe.train().seed());
        sampler.addProperty("next_step", step + 1);
        o.add("sampler", sampler);
        o.add("recipe", recipe.toJson());
        o.add("log", log.toJson(recipe.kind()));
        return o;
    }

    /** The state of checkpoint {@code ck}; fails when its recipe would not continue the same arithmetic. */
    static RunState restore(TrainCheckpoint.Loaded ck, Recipe recipe) {
        try {
            return restoreFields(ck, recipe);
        } catch (IllegalStateException | NullPointerException | ClassCastException | UnsupportedOperationException
                 | NumberFormatException e) { // gson's getAs… on a missing or ill-typed field
            throw new FormatException(ck.dir().resolve(TrainCheckpoint.STATE_FILE), "a field is missing or has the wrong"
                    + " type (" + e.getMessage() + "); delete " + ck.dir() + " to resume from the checkpoint before it", e);
        }
    }

    private static RunState restoreFields(TrainCheckpoint.Loaded ck, Recipe recipe) {
        JsonObject s = ck.state();
        Recipe saved = Recipe.fromJson(s.getAsJsonObject("recipe"));
        List<String> diff = recipe.arithmeticDifferences(saved);
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException("cannot resume exactly from " + ck.dir() + ": the settings differ from the"
                    + " checkpoint's (" + String.join("; ", diff) + "); use the same settings or a new output directory");
        }
        RunState st = new RunState();
        st.step = ck.step();
        st.updates = s.get("adam_updates").getAsLong();
        st.tokens = s.get("tokens").getAsLong();
        st.seconds = s.get("seconds").getAsDouble();
        st.bestStep = s.has("best_step") ? s.get("best_step").getAsInt() : 0;
        st.bestLoss = s.has("best_valid_loss") ? s.get("best_valid_loss").getAsDouble() : Double.NaN;
        st.prunedValidLoss = s.has("pruned_valid_loss") ? s.get("pruned_valid_loss").getAsDouble() : null;
        st.teacherValidLoss = s.has("teacher_valid_loss") ? s.get("teacher_valid_loss").getAsDouble() : null;
        st.log = TrainLog.fromJson(s.getAsJsonArray("log"));
        return st;
    }
}
