package prunekit.recover;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import prunekit.core.io.Json;
import prunekit.core.model.TensorNames.Proj;

/**
 * A LoRA configuration (Hu et al. 2021): every targeted projection W (out, in) becomes
 * W + (alpha / rank) · B · A with A (rank, in) and B (out, rank) trained and W frozen. A starts
 * uniform in ±1/√in (PEFT's Kaiming-uniform bound) from a generator seeded by (seed, tensor
 * name), B at zero, so training starts from the unchanged model.
 *
 * <p>No LoRA dropout: the adapters are applied as an effective weight W + s·B·A inside the shared
 * forward pass, which has one input per projection; dropout on the adapter's input alone would
 * need a second input path through every projection of the forward.
 */
public record LoraSpec(int rank, double alpha, Set<Proj> targets, long seed) {
    public LoraSpec {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be >= 1, got " + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be positive, got " + alpha);
        }
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target projection (q,k,v,o,gate,up,down)");
        }
        targets = Set.copyOf(EnumSet.copyOf(targets));
    }

    /** The multiplier of B·A: alpha / rank. */
    public double scale() {
        return alpha / rank;
    }

    /** Parses {@code q,k,v,o,gate,up,down} (any subset, or {@code all}). */
    public static Set<Proj> parseTargets(String text) {
        EnumSet<Proj> out = EnumSet.noneOf(Proj.class);
        for (String part : text.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("all")) {
                out.addAll(EnumSet.allOf(Proj.class));
                continue;
            }
            Proj match = null;
            for (Proj c : Proj.values()) {
                if (c.name().toLowerCase(Locale.ROOT).equals(p) || c.path.endsWith("." + p) || c.path.endsWith("." + p + "_proj")) {
                    match = c;
                }
            }
            if (match == null) {
                throw new IllegalArgumentException("unknown LoRA target '" + part.trim() + "'; use q, k, v, o, gate,"
                        + " up, down (comma-separated) or all");
            }
            out.add(match);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no LoRA targets in '" + text + "'");
        }
        return out;
    }

    /** The targets in forward order, as the short names {@link #parseTargets} reads. */
    public List<String> targetNames() {
        List<String> l = new ArrayList<>();
        for (Proj p : EnumSet.copyOf(targets)) {
            l.add(p.name().toLowerCase(Locale.ROOT));
        }
        return l;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("rank", rank);
        o.addProperty("alpha", alpha);
        o.add("targets", Json.tree(targetNames()));
        o.addProperty("seed", seed);
        return o;
    }

    public static LoraSpec fromJson(JsonObject o) {
        List<String> t = new ArrayList<>();
        o.getAsJsonArray("targets").forEach(e -> t.add(e.getAsString()));
        return new LoraSpec(o.get("rank").getAsInt(), o.get("alpha").getAsDouble(), parseTargets(String.join(",", t)),
                o.get("seed").getAsLong());
    }
}
