package prunekit.recover;

import com.google.gson.JsonObject;
import java.util.List;

/**
 * The mutable position of a recovery run, saved in every checkpoint's {@code trainer_state.json}:
 * last completed step, AdamW update count, tokens, seconds, the log, the best validation so far,
 * and the baselines measured before the first step (validation loss of the unrecovered model and
 * of the teacher; null when not measured).
 */
final class RecoverState {
    int step;
    long updates;
    long tokens;
    double seconds;
    RecoverLog log = new RecoverLog();
    int bestStep;
    double bestLoss = Double.NaN;
    Double prunedValidLoss;
    Double teacherValidLoss;

    JsonObject toJson(RecoverRecipe recipe) {
        JsonObject o = new JsonObject();
        o.addProperty("step", step);
        o.addProperty("adam_updates", updates);
        o.addProperty("tokens", tokens);
        o.addProperty("seconds", seconds);
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
        JsonObject sampler = new JsonObject();
        sampler.addProperty("seed", recipe.train().seed());
        sampler.addProperty("next_step", step + 1);
        o.add("sampler", sampler);
        o.add("recipe", recipe.toJson());
        o.add("log", log.toJson());
        return o;
    }

    /** The state of checkpoint {@code ck}; fails when its recipe would not continue the same arithmetic. */
    static RecoverState restore(TrainCheckpoint.Loaded ck, RecoverRecipe recipe) {
        JsonObject s = ck.state();
        if (!s.has("recipe") || !s.getAsJsonObject("recipe").has("mode")) {
            throw new IllegalArgumentException(ck.dir() + " is a checkpoint of `prunekit train`, not of a recovery run;"
                    + " use another output directory");
        }
        RecoverRecipe saved = RecoverRecipe.fromJson(s.getAsJsonObject("recipe"));
        List<String> diff = recipe.arithmeticDifferences(saved);
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException("cannot resume exactly from " + ck.dir() + ": the settings differ from the"
                    + " checkpoint's (" + String.join("; ", diff) + "); use the same settings or a new output directory");
        }
        RecoverState st = new RecoverState();
        st.step = ck.step();
        st.updates = s.get("adam_updates").getAsLong();
        st.tokens = s.get("tokens").getAsLong();
        st.seconds = s.get("seconds").getAsDouble();
        st.bestStep = s.get("best_step").getAsInt();
        st.bestLoss = s.has("best_valid_loss") ? s.get("best_valid_loss").getAsDouble() : Double.NaN;
        st.prunedValidLoss = s.has("pruned_valid_loss") ? s.get("pruned_valid_loss").getAsDouble() : null;
        st.teacherValidLoss = s.has("teacher_valid_loss") ? s.get("teacher_valid_loss").getAsDouble() : null;
        st.log = RecoverLog.fromJson(s.getAsJsonArray("log"));
        return st;
    }
}
