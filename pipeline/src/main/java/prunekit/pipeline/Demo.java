package prunekit.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import prunekit.pipeline.recipe.RecipeParser;
import prunekit.pipeline.recipe.RecipeRunner;
import prunekit.pipeline.recipe.RunRecipe;
import prunekit.pipeline.recipe.SweepRow;
import prunekit.prune.score.ScorerName;
import prunekit.recover.TokenBudget;

/**
 * The main job on the embedded models and data, as the built-in recipe {@code demo.yaml}: the
 * Vietnamese mini-vina model is scored on legal text, cut to a share of its layers' parameters
 * (0.386: the VinaLLaMA 7B → 2.7B ratio), evaluated, healed by distillation from the dense model,
 * evaluated again, exported to ONNX, checked against our forward and benchmarked dense against
 * pruned; the run ends in an HTML report. The demo's options rewrite the recipe's lines before it
 * is parsed, so the manifest holds the recipe that ran.
 */
public final class Demo {
    private static final String RESOURCE = "recipe/demo.yaml";

    /** {@code home}: the checkout holding models/ and data/vi/; {@code recoverTokens} as in "48K". */
    public record Options(Path home, Path out, double keepRatio, ScorerName scorer, String recoverTokens) {
        public Options {
            if (home == null || out == null || scorer == null || recoverTokens == null) {
                throw new IllegalArgumentException("the demo needs a home, --out, --scorer and --recover-tokens");
            }
            if (!(keepRatio > 0 && keepRatio <= 1)) {
                throw new IllegalArgumentException("--keep-ratio must be in (0, 1], got " + keepRatio);
            }
            TokenBudget.parseTokens(recoverTokens);
        }
    }

    /** One row of the summary; {@code decodeTokensPerSecond} NaN where not measured (the recovered model). */
    public record Row(long parameters, double perplexity, double decodeTokensPerSecond) {
    }

    public record Result(Row dense, Row pruned, Row recovered, boolean onnxParityPassed, Path report, Path run,
                         int stagesReused, int stagesRun) {
    }

    private Demo() {
    }

    /** The built-in recipe as shipped (paths relative to the checkout). */
    public static String recipeText() throws IOException {
        try (InputStream in = Demo.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the built-in recipe " + RESOURCE + " is missing from the pipeline jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The built-in recipe with {@code base} set to {@code home}, to run from anywhere (prunekit run --print-demo). */
    public static String printable(Path home) throws IOException {
        return "base: " + home.toAbsolutePath().normalize() + "\n" + recipeText();
    }

    /** The built-in recipe with the demo's options written into it. */
    static String recipeText(Options o) throws IOException {
        String t = recipeText();
        t = replaceLine(t, "  scorer: fluctuation", "  scorer: " + o.scorer().id());
        t = replaceLine(t, "  keep_ratio: 0.386", "  keep_ratio: " + o.keepRatio());
        t = replaceLine(t, "  - name: kd-48K", "  - name: kd-" + o.recoverTokens());
        return replaceLine(t, "    tokens: 48K", "    tokens: " + o.recoverTokens());
    }

    private static String replaceLine(String text, String line, String with) {
        if (!text.contains(line + "\n")) {
            throw new IllegalStateException("the built-in recipe has no line '" + line + "'");
        }
        return text.replace(line + "\n", with + "\n");
    }

    public static Result run(Options o, PrintWriter log, ProgressBars bars, Consumer<String> notes) throws Exception {
        String text = recipeText(o);
        RunRecipe recipe = RecipeParser.parse("demo.yaml (built in)", text, o.home());
        RecipeRunner.Result r = RecipeRunner.run(recipe, text, new RecipeRunner.Options(o.out(), null), log, bars, notes);
        return new Result(row(r.rows().get(0)), row(r.rows().get(1)), row(r.rows().get(2)), r.parityChecked(), r.report(),
                r.run(), r.stagesReused(), r.stagesRun());
    }

    private static Row row(SweepRow s) {
        return new Row(s.parameters(), s.perplexity(),
                s.name().contains("--") || s.decodeTokensPerSecond() == null ? Double.NaN : s.decodeTokensPerSecond());
    }
}
