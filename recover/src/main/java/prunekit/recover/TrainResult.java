package prunekit.recover;

import com.google.gson.JsonObject;
import prunekit.core.model.LlamaWeights;

/**
 * The end of a {@link Trainer} run: the weights after the last step run (LoRA merged), the whole
 * log, the last step, whether the run reached its planned steps ({@code finished}) or stopped
 * early, the step whose validation was best (0 when none ran), and the run's {@link RunReport} as
 * of the last step run (for a finished run, what its {@code train.json} / {@code recover.json} holds).
 */
public record TrainResult(LlamaWeights weights, TrainLog log, int lastStep, boolean finished, int bestStep,
                          JsonObject report) {
}
