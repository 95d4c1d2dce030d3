package prunekit.recover;

import prunekit.core.model.LlamaWeights;

/**
 * The end of a {@link Recovery} run: the final weights (LoRA merged), the log, the last step run,
 * whether it reached its planned steps, and the step whose validation was best (0 when none ran).
 */
public record RecoverResult(LlamaWeights weights, RecoverLog log, int lastStep, boolean finished, int bestStep) {
}
