package prunekit.prune.score;

import prunekit.core.model.FloatTensor;
import prunekit.prune.group.CouplingGroup;
import prunekit.prune.group.GroupKind;
import prunekit.prune.group.Slice;

/**
 * An additive, element-wise scorer: a group's score is Σ over its slices of Σ over their elements
 * of one function of the weight (and its gradient or input statistics), over the slices whose tensors
 * the model has. Every kind of group can be
 * scored, and a group's score equals the sum of its slices' (and its member groups') scores.
 */
public abstract class SliceScorer implements ImportanceScorer {

    /** The per-element function for elements of {@code slice}. */
    abstract Slice.ElementFunction element(Slice slice, FloatTensor weight, ScoringContext ctx);

    @Override
    public boolean supports(GroupKind kind) {
        return true;
    }

    @Override
    public boolean additive() {
        return true;
    }

    @Override
    public double score(CouplingGroup group, ScoringContext ctx) {
        double s = 0;
        for (Slice slice : group.slices(ctx.weights().config())) {
            s += scoreSlice(slice, ctx);
        }
        return s;
    }

    /** The contribution of one slice; 0 for a tensor the model does not have (a bias of a model without). */
    public double scoreSlice(Slice slice, ScoringContext ctx) {
        FloatTensor w = ctx.weights().getOrNull(slice.tensor());
        return w == null ? 0 : slice.sum(w, element(slice, w, ctx));
    }
}
