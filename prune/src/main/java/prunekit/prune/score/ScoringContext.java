package prunekit.prune.score;

import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.io.TensorSource;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * What scorers read: the weights (read on demand, one tensor at a time, so a model larger than
 * memory can be scored), the statistics of the calibration pass (with gradients when a scorer
 * asked) and the calibration set itself (the oracle evaluates on its held-out split).
 */
public record ScoringContext(TensorSource weights, ActivationStats stats, CalibrationSet calibration) {
    /** A context over weights in memory. */
    public ScoringContext(LlamaWeights weights, ActivationStats stats, CalibrationSet calibration) {
        this(TensorSource.of(weights, "weights in memory"), stats, calibration);
    }

    public LlamaConfig config() {
        return weights.config();
    }

    public ActivationStats requireStats() {
        if (stats == null) {
            throw new IllegalStateException("this scorer needs calibration statistics; run it through Scoring.run");
        }
        return stats;
    }
}
