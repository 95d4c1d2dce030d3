package prunekit.recover;

import prunekit.core.model.LlamaWeights;

/**
 * The end of {@link Trainer#run}: the weights after the last step run, the whole log, the last
 * step, and whether the run reached its planned steps ({@code finished}) or stopped early.
 */
public record TrainResult(LlamaWeights weights, TrainLog log, int lastStep, boolean finished) {
}
