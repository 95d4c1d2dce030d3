package prunekit.recover;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * The report a run rewrites with every checkpoint. {@code train.json} (a train recipe): steps,
 * tokens seen, seconds, tokens/s, parameter counts, the last validation loss, the recipe and the
 * per-step log. {@code recover.json} (a recover recipe): mode and loss, the same counts, the
 * validation curve (step 0 = the unrecovered model; perplexity = exp(mean NLL) over the first
 * {@code eval_windows} protocol windows), the best step and its perplexity, the teacher's
 * perplexity on the same windows, the recipe, the log, and which models were used.
 */
public final class RunReport {
    public static final String TRAIN_FILE = "train.json";
    public static final String RECOVER_FILE = "recover.json";

    private RunReport() {
    }

    /** The report's file name for a run of {@code kind}. */
    public static String file(Recipe.Kind kind) {
        return kind == Recipe.Kind.TRAIN ? TRAIN_FILE : RECOVER_FILE;
    }

    /** The report; {@code startSource}/{@code teacherSource} name the models (null: not named). */
    static JsonObject json(Recipe recipe, RunState st, long params, long trainable, String startSource,
                           String teacherSource) {
        JsonObject o = new JsonObject();
        if (recipe.kind() == Recipe.Kind.TRAIN) {
            counts(o, recipe, st, params, trainable, "tokens_seen");
            st.log.lastValidLoss().ifPresent(v -> o.addProperty("valid_loss", v));
            o.addProperty("valid_windows", recipe.train().evalWindows());
        } else {
            o.addProperty("mode", recipe.mode().id());
            o.addProperty("loss", recipe.loss().kind().id());
            counts(o, recipe, st, params, trainable, "tokens");
            o.addProperty("valid_windows", recipe.train().evalWindows());
            o.addProperty("valid_ctx", recipe.train().seq());
            baselines(o, st);
            o.add("valid_curve", validCurve(st));
        }
        o.add("recipe", recipe.toJson());
        o.add("log", st.log.toJson(recipe.kind()));
        if (recipe.heals() && startSource != null) {
            o.addProperty("pruned_model", startSource);
        }
        if (recipe.heals() && teacherSource != null) {
            o.addProperty("teacher_model", teacherSource);
        }
        return o;
    }

    private static void counts(JsonObject o, Recipe recipe, RunState st, long params, long trainable, String tokensKey) {
        o.addProperty("steps", st.step);
        o.addProperty("planned_steps", recipe.train().steps());
        o.addProperty("finished", st.step == recipe.train().steps());
        o.addProperty(tokensKey, st.tokens);
        o.addProperty("seconds", Math.round(st.seconds * 10) / 10.0);
        o.addProperty("tokens_per_second", st.seconds > 0 ? Math.round(st.tokens / st.seconds) : 0);
        o.addProperty("params", params);
        o.addProperty("trainable_params", trainable);
        o.addProperty("skipped_steps", st.log.skippedCount());
    }

    private static void baselines(JsonObject o, RunState st) {
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
    }

    private static JsonArray validCurve(RunState st) {
        JsonArray a = new JsonArray();
        if (st.prunedValidLoss != null) {
            a.add(point(0, 0, st.prunedValidLoss));
        }
        for (TrainLog.Entry e : st.log.entries()) {
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
