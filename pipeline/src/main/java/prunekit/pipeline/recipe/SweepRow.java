package prunekit.pipeline.recipe;

import java.util.Map;

/**
 * One configuration of a run: the dense model, a pruned model or a recovered one, with its
 * held-out perplexity, its zero-shot task accuracies (task name → acc) and, when the bench ran, its ONNX Runtime decode speed (batch 1) and speedup
 * over the dense model (a recovered model has its pruned model's shapes and speed).
 */
public record SweepRow(String name, Map<String, Object> params, long parameters, Double perplexity,
                       Map<String, Double> tasks, Double decodeTokensPerSecond, Double speedup) {
    public SweepRow {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        tasks = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tasks));
    }
}
