package prunekit.prune.score;

import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.model.LlamaWeights;

/**
 * What scorers read: the weights, the statistics of the calibration pass (with gradients when a
 * scorer asked) and the calibration set itself (the oracle evaluates on its held-out split).
 */
public record ScoringContext(LlamaWeights weights, ActivationStats stats, CalibrationSet calibration) {
    public ActivationStats requireStats() {
        if (stats == null) {
            throw new IllegalStateException("this scorer needs calibration statistics; run it through Scoring.run");
        }
        return stats;
    }
}
