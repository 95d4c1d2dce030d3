package prunekit.recover;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * {@code recover.json}: the recipe, tokens, seconds, tokens/s, parameter counts, the validation
 * curve (step 0 = the unrecovered model; perplexity = exp(mean NLL) over the first
 * {@code eval_windows} protocol windows), the best step and its perplexity, the teacher's
 * perplexity on the same windows, and the per-step training log. Rewritten with every checkpoint.
 */
public final class RecoverReport {
    public static final String FILE = "recover.json";

    private RecoverReport() {
    }

    static JsonObject json(RecoverRecipe recipe, RecoverState st, long params, long trainable) {
        TrainRecipe r = recipe.train();
        JsonObject o = new JsonObject();
        o.addProperty("mode", recipe.mode().id());
        o.addProperty("loss", recipe.loss().kind().id());
        o.addProperty("steps", st.step);
        o.addProperty("planned_steps", r.steps());
        o.addProperty("finished", st.step == r.steps());
        o.addProperty("tokens", st.tokens);
        o.addProperty("seconds", Math.round(st.seconds * 10) / 10.0);
        o.addProperty("tokens_per_second", st.seconds > 0 ? Math.round(st.tokens / st.seconds) : 0);
        o.addProperty("params", params);
        o.addProperty("trainable_params", trainable);
        o.addProperty("skipped_steps", st.log.skippedCount());
        o.addProperty("valid_windows", r.evalWindows());
        o.addProperty("valid_ctx", r.seq());
        if (st.teacherValidLoss != null) {
            o.addProperty("teacher_valid_perplexity", Math.exp(st.teacherValidLoss));
        }
        if (st.prunedValidLoss != null) {
            o.addProperty("pruned_valid_perplexity", Math.exp(st.prunedValidLoss));
        }
        if (st.bestStep > 0) {
            o.addProperty("best_step", st.bestStep);
            if (!Double.isNaN(st.bestLoss)) {
                o.addProperty("best_valid_perplexity", Math.exp(st.bestLoss));
            }
        }
        o.add("valid_curve", validCurve(st));
        o.add("recipe", recipe.toJson());
        o.add("log", st.log.toJson());
        return o;
    }

    private static JsonArray validCurve(RecoverState st) {
        JsonArray a = new JsonArray();
        if (st.prunedValidLoss != null) {
            a.add(point(0, 0, st.prunedValidLoss));
        }
        for (RecoverLog.Entry e : st.log.entries()) {
            if (e.validLoss() != null) {
                a.add(point(e.step(), e.tokens(), e.validLoss()));
            }
        }
        return a;
    }

    private static JsonObject point(int step, long tokens, double loss) {
        JsonObject p = new JsonObject();
        p.addProperty("step", step);
        p.addProperty("tokens", tokens);
        p.addProperty("loss", loss);
        p.addProperty("perplexity", Math.exp(loss));
        return p;
    }
}
