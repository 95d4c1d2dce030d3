package prunekit.recover;

import prunekit.core.model.LlamaWeights;

/**
 * The end of a {@link Trainer} run: the weights after the last step run (LoRA merged), the whole
 * log, the last step, whether the run reached its planned steps ({@code finished}) or stopped
 * early, and the step whose validation was best (0 when none ran).
 */
public record TrainResult(LlamaWeights weights, TrainLog log, int lastStep, boolean finished, int bestStep) {
}
