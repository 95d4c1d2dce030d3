package prunekit.recover;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The history of a run, one entry per step: tokens seen, training loss, learning rate, gradient
 * norm (before clipping), wall seconds, and the validation loss on steps that validated. A skipped
 * step (non-finite loss or gradient) has {@code skipped} set and its reason instead of a loss.
 * Serialized into train.json and into every checkpoint, so a resumed run continues the same log.
 */
public final class TrainLog {
    /** One step. {@code trainLoss}/{@code gradNorm} are NaN and {@code reason} set when it was skipped. */
    public record Entry(int step, long tokens, double trainLoss, double lr, double gradNorm, double seconds,
                        Double validLoss, String skipReason) {
        public boolean skipped() {
            return skipReason != null;
        }

        Entry withValid(double loss) {
            return new Entry(step, tokens, trainLoss, lr, gradNorm, seconds, loss, skipReason);
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    public void add(Entry e) {
        if (!entries.isEmpty() && e.step() != last().step() + 1) {
            throw new IllegalStateException("log entry for step " + e.step() + " after step " + last().step());
        }
        entries.add(e);
    }

    /** Records the validation loss of the last step. */
    public void setValidLoss(double loss) {
        entries.set(entries.size() - 1, last().withValid(loss));
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public Entry last() {
        return entries.get(entries.size() - 1);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public long skippedCount() {
        return entries.stream().filter(Entry::skipped).count();
    }

    /** The last validation loss recorded, if any. */
    public OptionalDouble lastValidLoss() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).validLoss() != null) {
                return OptionalDouble.of(entries.get(i).validLoss());
            }
        }
        return OptionalDouble.empty();
    }

    public JsonArray toJson() {
        JsonArray a = new JsonArray();
        for (Entry e : entries) {
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
