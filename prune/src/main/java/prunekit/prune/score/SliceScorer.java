package prunekit.prune.score;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.group.CouplingGroup;
import prunekit.prune.group.GroupKind;
import prunekit.prune.group.Slice;

/**
 * An additive, element-wise scorer: a group's score is Σ over its slices of Σ over their elements
 * of one function of the weight (and its gradient or input statistics), over the slices whose tensors
 * the model has. Every kind of group can be
 * scored, and a group's score equals the sum of its slices' (and its member groups') scores.
 * {@link #scoreKinds} reads each tensor once for every group of every kind (a hidden channel's
 * slices run through every layer), so scoring streams: one tensor resident at a time.
 */
public abstract class SliceScorer implements ImportanceScorer {

    /** The per-element function for elements of {@code slice}. */
    abstract Slice.ElementFunction element(Slice slice, ScoringContext ctx);

    @Override
    public double score(CouplingGroup group, ScoringContext ctx) {
        double s = 0;
        for (Slice slice : group.slices(ctx.config())) {
            s += scoreSlice(slice, ctx);
        }
        return s;
    }

    /** The contribution of one slice; 0 for a tensor the model does not have (a bias of a model without). */
    public double scoreSlice(Slice slice, ScoringContext ctx) {
        if (!ctx.weights().shapes().containsKey(slice.tensor())) {
            return 0;
        }
        FloatTensor w = ctx.weights().read(slice.tensor());
        double s = slice.sum(w, element(slice, ctx));
        ctx.weights().release(slice.tensor());
        return s;
    }

    @Override
    public double[][] scoreAll(GroupKind kind, ScoringContext ctx) {
        return scoreKinds(Set.of(kind), ctx).get(kind);
    }

    /** Slice {@code k} of a group whose slice contributions are kept in {@code values}. */
    private record Slot(Slice slice, double[] values, int k) {
    }

    /**
     * Every group of every kind in {@code kinds}, with each tensor read once: the contribution of
     * every slice is computed tensor by tensor, then each group sums its slices in their order
     * (the same additions as {@link #score}, so the same doubles).
     */
    @Override
    public Map<GroupKind, double[][]> scoreKinds(Set<GroupKind> kinds, ScoringContext ctx) {
        LlamaConfig c = ctx.config();
        Map<String, List<Slot>> byTensor = new HashMap<>();
        Map<GroupKind, double[][][]> parts = new EnumMap<>(GroupKind.class); // kind -> row -> group -> slice values
        for (GroupKind kind : kinds) {
            List<List<CouplingGroup>> rows = kind.groups(c);
            double[][][] p = new double[rows.size()][][];
            for (int r = 0; r < rows.size(); r++) {
                p[r] = new double[rows.get(r).size()][];
                for (int i = 0; i < p[r].length; i++) {
                    List<Slice> slices = rows.get(r).get(i).slices(c);
                    p[r][i] = new double[slices.size()];
                    for (int k = 0; k < slices.size(); k++) {
                        byTensor.computeIfAbsent(slices.get(k).tensor(), t -> new ArrayList<>())
                                .add(new Slot(slices.get(k), p[r][i], k));
                    }
                }
            }
            parts.put(kind, p);
        }
        for (String name : ctx.weights().shapes().keySet()) {
            List<Slot> slots = byTensor.get(name);
            if (slots == null) {
                continue;
            }
            FloatTensor w = ctx.weights().read(name);
            for (Slot s : slots) {
                s.values()[s.k()] = s.slice().sum(w, element(s.slice(), ctx));
            }
            ctx.weights().release(name);
        }
        Map<GroupKind, double[][]> out = new EnumMap<>(GroupKind.class);
        parts.forEach((kind, p) -> {
            double[][] scores = new double[p.length][];
            for (int r = 0; r < p.length; r++) {
                scores[r] = new double[p[r].length];
                for (int i = 0; i < p[r].length; i++) {
                    double s = 0;
                    for (double v : p[r][i]) {
                        s += v;
                    }
                    scores[r][i] = s;
                }
            }
            out.put(kind, scores);
        });
        return out;
    }
}
