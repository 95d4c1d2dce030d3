package prunekit.recover;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * The history of a run, one entry per step: tokens seen, training loss, learning rate, gradient
 * norm (before clipping), wall seconds, and the validation loss on steps that validated. A skipped
 * step (non-finite loss or gradient) has {@code skipped} set and its reason instead of a loss.
 * Serialized into train.json and into every checkpoint, so a resumed run continues the same log.
 */
public final class TrainLog extends StepLog<TrainLog.Entry> {
    /** One step. {@code trainLoss}/{@code gradNorm} are NaN and {@code reason} set when it was skipped. */
    public record Entry(int step, long tokens, double trainLoss, double lr, double gradNorm, double seconds,
                        Double validLoss, String skipReason) implements StepLog.Step<Entry> {
        @Override
        public Entry withValid(double loss) {
            return new Entry(step, tokens, trainLoss, lr, gradNorm, seconds, loss, skipReason);
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
                o.addProperty("train_loss", e.trainLoss());
                o.addProperty("grad_norm", e.gradNorm());
            }
            o.addProperty("lr", e.lr());
            o.addProperty("seconds", Math.round(e.seconds() * 1000) / 1000.0);
            if (e.validLoss() != null) {
                o.addProperty("valid_loss", e.validLoss());
            }
            a.add(o);
        }
        return a;
    }

    public static TrainLog fromJson(JsonArray a) {
        TrainLog log = new TrainLog();
        for (JsonElement el : a) {
            JsonObject o = el.getAsJsonObject();
            String skip = o.has("skipped") ? o.get("skipped").getAsString() : null;
            log.add(new Entry(o.get("step").getAsInt(), o.get("tokens").getAsLong(),
                    skip == null ? o.get("train_loss").getAsDouble() : Double.NaN, o.get("lr").getAsDouble(),
                    skip == null ? o.get("grad_norm").getAsDouble() : Double.NaN, o.get("seconds").getAsDouble(),
                    o.has("valid_loss") ? o.get("valid_loss").getAsDouble() : null, skip));
        }
        return log;
    }
}
