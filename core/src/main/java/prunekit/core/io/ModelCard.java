package prunekit.core.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;

/**
 * The README.md written beside every HF checkpoint: YAML front matter the Hub reads (base_model,
 * library_name, tags, pipeline_tag, license when the source declares one), then what the model is,
 * what was cut (the plan, parameters before and after, the ratio) and the command that makes it
 * again. Fields that are not known are left out rather than guessed.
 *
 * @param baseModel        where the weights came from (a Hub id or a path)
 * @param license          the source's license (its README's front matter), or null
 * @param parametersBefore parameters of the unpruned model, or 0 when this model was not pruned here
 * @param plan             a one-line plan summary (scorer, budget), or null
 * @param command          the prunekit command that reproduces this checkpoint, or null
 */
public record ModelCard(String baseModel, String license, long parametersBefore, String plan, String command) {
    public static final String FILE_NAME = "README.md";

    public ModelCard {
        if (baseModel == null || baseModel.isBlank()) {
            throw new IllegalArgumentException("a model card needs the base model");
        }
        if (parametersBefore < 0) {
            throw new IllegalArgumentException("parameters before pruning: " + parametersBefore);
        }
    }

    /** A card for a model as loaded: its source as the base, the source's license if its README names one. */
    public static ModelCard of(Model m) {
        return new ModelCard(m.source(), licenseOf(m.source()), 0, null, null);
    }

    /** A card for a model pruned from the checkpoint at {@code source} ({@code parametersBefore} parameters). */
    public static ModelCard pruned(String source, long parametersBefore, String planSummary) {
        return new ModelCard(source, licenseOf(source), parametersBefore, planSummary, null);
    }

    public ModelCard withCommand(String c) {
        return new ModelCard(baseModel, license, parametersBefore, plan, c);
    }

    /** The card for a checkpoint of config {@code c}. */
    public String render(LlamaConfig c) {
        StringBuilder s = new StringBuilder("---\n");
        s.append("base_model: ").append(yaml(baseModel)).append('\n');
        s.append("library_name: transformers\n");
        s.append("tags:\n- pruned\n- prunekit\n");
        s.append("pipeline_tag: text-generation\n");
        if (license != null) {
            s.append("license: ").append(yaml(license)).append('\n');
        }
        s.append("---\n\n# ").append(title()).append("\n\n");
        long after = c.parameterCount();
        s.append(c.isUniform() ? "A LLaMA-architecture model (stock `LlamaForCausalLM`)"
                : "A LLaMA-architecture model with per-layer shapes (`prunekit_layer_shapes` in config.json)");
        s.append(String.format(Locale.ROOT, ": %d layers, hidden %d, head dim %d, vocabulary %d, %,d parameters.%n%n",
                c.numLayers(), c.hidden(), c.headDim(), c.vocabSize(), after));
        if (parametersBefore > 0) {
            s.append("## What was cut\n\n");
            if (plan != null) {
                s.append("Plan: ").append(plan).append("\n\n");
            }
            s.append(String.format(Locale.ROOT, "Parameters: %,d → %,d (%.1f%% kept, %.2f× smaller).%n%n", parametersBefore,
                    after, 100.0 * after / parametersBefore, (double) parametersBefore / after));
        }
        s.append("| layer | query heads | KV heads | FFN width |\n|---:|---:|---:|---:|\n");
        for (int i = 0; i < c.numLayers(); i++) {
            LayerShape l = c.layer(i);
            s.append("| ").append(i).append(" | ").append(l.queryHeads()).append(" | ").append(l.kvHeads())
                    .append(" | ").append(l.ffn()).append(" |\n");
        }
        if (command != null) {
            s.append("\n## Reproduce\n\n```\n").append(command).append("\n```\n");
        }
        return s.toString();
    }

    private String title() {
        Path p = Path.of(baseModel.split(" ")[0]).getFileName();
        return (p == null ? baseModel : p.toString()) + (parametersBefore > 0 ? " (pruned with prunekit)" : "");
    }

    /** A YAML scalar: plain when safe, else double-quoted. */
    private static String yaml(String v) {
        return v.matches("[A-Za-z0-9._/-]+") ? v : "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The {@code license:} of a README.md front matter in (or beside) {@code source}, or null. */
    static String licenseOf(String source) {
        try {
            Path p = Path.of(source.split(" ")[0]);
            Path readme = Files.isDirectory(p) ? p.resolve(FILE_NAME) : p.resolveSibling(FILE_NAME);
            if (!Files.isRegularFile(readme)) {
                return null;
            }
            String text = Files.readString(readme, StandardCharsets.UTF_8);
            if (!text.startsWith("---")) {
                return null;
            }
            int end = text.indexOf("\n---", 3);
            for (String line : text.substring(3, end < 0 ? text.length() : end).split("\n")) {
                if (line.startsWith("license:")) {
                    String v = line.substring("license:".length()).trim().replaceAll("^\"|\"$", "");
                    return v.isEmpty() ? null : v;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // no readable card: no license claimed
        }
    }
}
