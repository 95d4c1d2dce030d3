package prunekit.recover;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The history of a run, one entry per step, steps consecutive: tokens seen, the objective and its
 * parts (cross-entropy on the data, KD, hidden-state term; NaN where not computed), learning rate,
 * gradient norm before clipping, wall seconds, and the validation loss on the step that validated.
 * A skipped step (non-finite loss or gradient) carries its reason instead of losses. Kept in every
 * checkpoint, so a resumed run continues the same log.
 */
public final class TrainLog {
    /** One step; {@code validLoss} null when the step did not validate, {@code skipReason} null when applied. */
    public record Entry(int step, long tokens, double loss, double ce, double kd, double hidden, double lr,
                        double gradNorm, double seconds, Double validLoss, String skipReason) {
        public boolean skipped() {
            return skipReason != null;
        }

        Entry withValid(double v) {
            return new Entry(step, tokens, loss, ce, kd, hidden, lr, gradNorm, seconds, v, skipReason);
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

    /** The objective of the last applied step (NaN when none was). */
    public double lastLoss() {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (!entries.get(i).skipped()) {
                return entries.get(i).loss();
            }
        }
        return Double.NaN;
    }

    /**
     * The log as a {@code kind} run writes it: for train, {@code train_loss} and seconds to the
     * millisecond; for recover, {@code loss} with its parts {@code ce}, {@code kd}, {@code hidden}.
     */
    public JsonArray toJson(Recipe.Kind kind) {
        JsonArray a = new JsonArray();
        for (Entry e : entries) {
            JsonObject o = new JsonObject();
            o.addProperty("step", e.step());
            o.addProperty("tokens", e.tokens());
            if (e.skipped()) {
                o.addProperty("skipped", e.skipReason());
            } else if (kind == Recipe.Kind.TRAIN) {
                o.addProperty("train_loss", e.loss());
                o.addProperty("grad_norm", e.gradNorm());
            } else {
                o.addProperty("loss", e.loss());
                finite(o, "ce", e.ce());
                finite(o, "kd", e.kd());
                finite(o, "hidden", e.hidden());
                o.addProperty("grad_norm", e.gradNorm());
            }
            o.addProperty("lr", e.lr());
            o.addProperty("seconds", kind == Recipe.Kind.TRAIN ? Math.round(e.seconds() * 1000) / 1000.0 : e.seconds());
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

    /** Reads either form of {@link #toJson}. */
    public static TrainLog fromJson(JsonArray a) {
        TrainLog log = new TrainLog();
        for (JsonElement el : a) {
            JsonObject o = el.getAsJsonObject();
            String skip = o.has("skipped") ? o.get("skipped").getAsString() : null;
            double loss = o.has("train_loss") ? o.get("train_loss").getAsDouble() : num(o, "loss");
            log.add(new Entry(o.get("step").getAsInt(), o.get("tokens").getAsLong(), loss, num(o, "ce"),
                    num(o, "kd"), num(o, "hidden"), o.get("lr").getAsDouble(), num(o, "grad_norm"),
                    o.get("seconds").getAsDouble(), o.has("valid_loss") ? o.get("valid_loss").getAsDouble() : null, skip));
        }
        return log;
    }

    private static double num(JsonObject o, String key) {
        return o.has(key) ? o.get(key).getAsDouble() : Double.NaN;
    }
}
