package prunekit.recover;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * The history of a recovery run, one entry per step: tokens seen, the objective and its parts
 * (cross-entropy on the data, KD, hidden-state term; NaN where not computed), learning rate,
 * gradient norm before clipping, wall seconds, and the validation loss on steps that validated.
 * Skipped steps carry their reason instead of losses. Kept in every checkpoint, so a resumed run
 * continues the same log.
 */
public final class RecoverLog extends StepLog<RecoverLog.Entry> {
    /** One step; {@code validLoss} null when the step did not validate, {@code skipReason} null when applied. */
    public record Entry(int step, long tokens, double loss, double ce, double kd, double hidden, double lr,
                        double gradNorm, double seconds, Double validLoss, String skipReason)
            implements StepLog.Step<Entry> {
        @Override
        public Entry withValid(double v) {
            return new Entry(step, tokens, loss, ce, kd, hidden, lr, gradNorm, seconds, v, skipReason);
        }
    }

    public JsonArray toJson() {
        JsonArray a = new JsonArray();
        for (Entry e : entries()) {
            JsonObject o = new JsonObject();
            o.addProperty("step", e.step());
            o.addProperty("tokens", e.tokens());
            if (e.skipped()) {
                o.addProperty("skipped", e.skipReason());
            } else {
                o.addProperty("loss", e.loss());
                finite(o, "ce", e.ce());
                finite(o, "kd", e.kd());
                finite(o, "hidden", e.hidden());
                o.addProperty("grad_norm", e.gradNorm());
            }
            o.addProperty("lr", e.lr());
            o.addProperty("seconds", e.seconds());
            if (e.validLoss() != null) {
                o.addProperty("valid_loss", e.validLoss());
            }
            a.add(o);
        }
        return a;
    }

    private static void finite(JsonObject o, String key, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(key, v);
        }
    }

    public static RecoverLog fromJson(JsonArray a) {
        RecoverLog log = new RecoverLog();
        for (JsonElement el : a) {
            JsonObject o = el.getAsJsonObject();
            String skip = o.has("skipped") ? o.get("skipped").getAsString() : null;
            log.add(new Entry(o.get("step").getAsInt(), o.get("tokens").getAsLong(), num(o, "loss"), num(o, "ce"),
                    num(o, "kd"), num(o, "hidden"), o.get("lr").getAsDouble(), num(o, "grad_norm"),
                    o.get("seconds").getAsDouble(), o.has("valid_loss") ? o.get("valid_loss").getAsDouble() : null, skip));
        }
        return log;
    }

    private static double num(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsDouble() : Double.NaN;
    }
}
