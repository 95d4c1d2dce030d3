package prunekit.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.io.LazyModel;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/**
 * {@code prunekit inspect MODEL}: config, per-layer shapes, parameter counts by component, dtype.
 * Reads headers, config and tokenizer only, never the weights, so a 7B checkpoint costs megabytes.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's config, per-layer shapes, parameter counts and dtype.",
        footer = {"", "Examples:", "  prunekit inspect ../shared/models/mini-vina --json",
            "  prunekit inspect model.bin --tokenizer tokenizer.bin"})
public final class InspectCommand implements Callable<Integer> {
    @Mixin ModelArg modelArg;
    @Mixin JsonOutput json;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        try (LazyModel m = modelArg.open()) {
            print(m);
        }
        return 0;
    }

    private void print(LazyModel m) {
        LlamaConfig c = m.config();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", m.source());
        out.put("format", ModelLoader.detect(modelArg.path()).name().toLowerCase());
        out.put("stored_dtype", m.weights().storedDtype().name());
        out.put("parameters", m.weights().parameterCount());
        out.put("parameter_counts", c.parameterCounts());
        out.put("config", configMap(c));
        List<Map<String, Integer>> layers = new ArrayList<>();
        for (LayerShape s : c.layers()) {
            Map<String, Integer> layer = new LinkedHashMap<>(); // not Map.of, whose order changes from run to run
            layer.put("query_heads", s.queryHeads());
            layer.put("kv_heads", s.kvHeads());
            layer.put("ffn", s.ffn());
            layers.add(layer);
        }
        out.put("layers", layers);
        out.put("uniform", c.isUniform());
        out.put("tokenizer_vocab", m.tokenizer() == null ? null : m.tokenizer().vocabSize());
        json.print(spec.commandLine().getOut(), out, () -> human(m));
    }

    static Map<String, Object> configMap(LlamaConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vocab_size", c.vocabSize());
        m.put("hidden_size", c.hidden());
        m.put("head_dim", c.headDim());
        m.put("num_hidden_layers", c.numLayers());
        m.put("rms_norm_eps", c.rmsNormEps());
        m.put("rope_theta", c.ropeTheta());
        m.put("rope_scaling", c.ropeScaling().type().name().toLowerCase());
        m.put("tie_word_embeddings", c.tieWordEmbeddings());
        m.put("bos_token_id", c.bosId());
        m.put("eos_token_id", c.eosId());
        m.put("attention_bias", c.attentionBias());
        m.put("mlp_bias", c.mlpBias());
        m.put("max_position_embeddings", c.maxPositions());
        return m;
    }

    private static String human(LazyModel m) {
        LlamaConfig c = m.config();
        StringBuilder sb = new StringBuilder();
        sb.append(m.source()).append('\n');
        sb.append(String.format("  vocab %d, hidden %d, head_dim %d, %d layers, max positions %d, rope theta %s%s, %s%n",
                c.vocabSize(), c.hidden(), c.headDim(), c.numLayers(), c.maxPositions(), c.ropeTheta(),
                c.ropeScaling().type() == prunekit.core.model.RopeScaling.Type.NONE ? "" : " (llama3 scaling)",
                c.tieWordEmbeddings() ? "tied head" : "untied head"));
        sb.append("  stored dtype ").append(m.weights().storedDtype()).append('\n');
        if (c.isUniform()) {
            LayerShape s = c.layer(0);
            sb.append(String.format("  every layer: %d query heads, %d KV heads, FFN %d%n", s.queryHeads(), s.kvHeads(), s.ffn()));
        } else {
            for (int i = 0; i < c.numLayers(); i++) {
                LayerShape s = c.layer(i);
                sb.append(String.format("  layer %2d: %d query heads, %d KV heads, FFN %d%n", i, s.queryHeads(), s.kvHeads(), s.ffn()));
            }
        }
        c.parameterCounts().forEach((k, v) -> sb.append(String.format("  %-10s %,15d%n", k, v)));
        return sb.toString().stripTrailing();
    }
}
