package prunekit.prune.score;

import prunekit.calibrate.ActivationStats.Block;
import prunekit.prune.group.CouplingGroup;
import prunekit.prune.group.GroupKind;

/**
 * Block influence of ShortGPT (Men et al., "ShortGPT: Layers in Large Language Models are More
 * Redundant Than You Expect", 2024): the mean over calibration tokens of 1 − cos(h_in, h_out),
 * where h_in and h_out are the residual stream entering and leaving the block. A block that barely
 * turns the residual stream scores near 0 and goes first. Scores attention blocks, MLP blocks and
 * whole layers only.
 */
public final class BlockInfluenceScorer implements ImportanceScorer {
    @Override
    public ScorerName name() {
        return ScorerName.BLOCK_INFLUENCE;
    }

    @Override
    public boolean supports(GroupKind kind) {
        return kind.isBlock();
    }

    @Override
    public double score(CouplingGroup group, ScoringContext ctx) {
        Block b = switch (group.kind()) {
            case ATTENTION_BLOCK -> Block.ATTENTION;
            case MLP_BLOCK -> Block.MLP;
            case LAYER -> Block.LAYER;
            default -> throw new IllegalArgumentException("block-influence scores only attention blocks, MLP blocks"
                    + " and layers, not " + group.kind().id() + "; pick another scorer for heads and channels");
        };
        return ctx.requireStats().blockInfluence(group.layer(), b);
    }
}
