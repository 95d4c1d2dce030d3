package prunekit.pipeline.recipe;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;
import prunekit.prune.score.ScorerName;
import prunekit.recover.LossKind;
import prunekit.recover.Recipe;

/**
 * A parsed recipe (see docs/recipe.md): what {@link RecipeRunner} runs. Paths are absolute
 * (resolved against the recipe's {@code base}); the settings records hold no paths, so a stage's key
 * depends on its files only through their sha256.
 */
public record RunRecipe(String name, Path model, List<Path> calib, List<Path> valid, List<Generate> generate,
                        Prune prune, List<Recover> recover, Export export, Bench bench, Eval eval, boolean report) {
    public RunRecipe {
        if (name == null || name.isBlank() || model == null || prune == null) {
            throw new IllegalArgumentException("a recipe needs a name, a model and a prune section");
        }
        calib = List.copyOf(calib);
        valid = List.copyOf(valid);
        generate = List.copyOf(generate);
        recover = List.copyOf(recover);
    }

    /** Greedy text from {@code model} (the recipe's model when null). */
    public record Generate(Path model, String prompt, int maxPositions) {
    }

    /**
     * The prune sweep: every method × every keep ratio. Scored methods share one score stage per scorer
     * ({@code samples} windows of {@code seqLen} tokens); {@code recon} calibrates by {@code recon}'s settings.
     */
    public record Prune(List<PruneMethod> methods, List<Double> keepRatios, Budget.Scope scope, boolean uniform,
                        AttentionUnit attention, int align, int samples, int seqLen, long seed, ReconSettings recon) {
        public Prune {
            methods = List.copyOf(methods);
            keepRatios = List.copyOf(keepRatios);
            if (recon == null) {
                throw new IllegalArgumentException("a prune section needs its recon settings (the defaults when absent)");
            }
        }

        /** The scorers the scored methods need, in the recipe's order. */
        public List<ScorerName> scorers() {
            return methods.stream().filter(m -> m instanceof PruneMethod.Scored).map(m -> ((PruneMethod.Scored) m).scorer())
                    .toList();
        }

        public List<PruneConfig> configs() {
            List<PruneConfig> out = new ArrayList<>();
            for (PruneMethod m : methods) {
                for (double r : keepRatios) {
                    out.add(new PruneConfig(m, r));
                }
            }
            return out;
        }
    }

    /**
     * {@code recon}'s calibration ({@code samples} windows of {@code seqLen} tokens) and the generations of
     * its allocation search (0: the same shape in every layer).
     */
    public record ReconSettings(int samples, int seqLen, int searchGenerations) {
        public ReconSettings {
            if (samples < 1 || seqLen < 2 || searchGenerations < 0) {
                throw new IllegalArgumentException("recon needs samples >= 1, seq_len >= 2 and search_generations >= 0");
            }
        }
    }

    /** One point of the prune sweep; {@link #name()} names its stage directories. */
    public record PruneConfig(PruneMethod method, double keepRatio) {
        public String name() {
            return method.id() + "-" + keepRatio;
        }
    }

    /** One recovery run after each pruned model; {@code tokens} as in "48K". */
    public record Recover(String name, String tokens, Recipe.Mode mode, LossKind loss, double lr, int batch, int seq,
                          int evalWindows, int loraRank, long seed) {
    }

    /** Model files to write: each format for each chosen model kind; ONNX checked against our forward when {@code verify}. */
    public record Export(List<Format> formats, List<Which> models, boolean verify) {
        public Export {
            formats = List.copyOf(formats);
            models = List.copyOf(models);
        }
    }

    public enum Format {
        ONNX, ONNX_FOLDER, GGUF;

        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Which models a stage applies to: the dense input, every pruned model, every recovered model. */
    public enum Which { DENSE, PRUNED, RECOVERED }

    /** ONNX Runtime decode and prefill timings of the dense and every pruned model (needs {@code export: onnx}). */
    public record Bench(List<Integer> prefill, List<Integer> batches, int context, int steps, int warmup, int runs,
                        int threads, long seed) {
        public Bench {
            prefill = List.copyOf(prefill);
            batches = List.copyOf(batches);
        }
    }

    /** Held-out perplexity on {@code valid} ({@code ctx} null: the model's context) and optional task files. */
    public record Eval(int batch, Integer ctx, List<Path> tasks) {
        public Eval {
            tasks = List.copyOf(tasks);
        }
    }
}
