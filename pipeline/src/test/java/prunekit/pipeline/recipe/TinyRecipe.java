package prunekit.pipeline.recipe;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import prunekit.pipeline.ProgressBars;

/**
 * A recipe small enough for tests (seconds): the embedded stories260K model pruned with magnitude
 * scores, evaluated on a slice of the held-out text, recovered for a few dozen steps.
 */
final class TinyRecipe {
    static final Path ROOT = Path.of(System.getProperty("prunekit.root", ".")).toAbsolutePath().normalize();

    private TinyRecipe() {
    }

    /** Writes the recipe and its two small text files into {@code dir}; returns the recipe file. */
    static Path write(Path dir) throws IOException {
        return write(dir, "prune: {scorer: magnitude, keep_ratio: 0.6, samples: 4, seq_len: 32}");
    }

    /** As {@link #write(Path)} with another prune section ({@code prune}: one line of YAML). */
    static Path write(Path dir, String prune) throws IOException {
        Files.createDirectories(dir);
        String valid = Files.readString(ROOT.resolve("data/vi/legal-valid.txt"));
        Files.writeString(dir.resolve("calib.txt"), Files.readString(ROOT.resolve("data/vi/legal-train-sample.txt")).substring(0, 6000));
        Files.writeString(dir.resolve("valid.txt"), valid.substring(0, 3000));
        Path recipe = dir.resolve("tiny.yaml");
        Files.writeString(recipe, String.join("\n",
                "name: tiny",
                "model: " + ROOT.resolve("models/stories260K.gguf"),
                "data: {calib: calib.txt, valid: valid.txt}",
                prune,
                "recover:",
                "  - {name: kd, tokens: 1K, batch: 2, seq: 32, eval_windows: 2}",
                "eval: {batch: 4, ctx: 64}",
                "report: false", ""));
        return recipe;
    }

    static RecipeRunner.Result run(Path recipe, Path out, StageKind from, ProgressBars bars) throws Exception {
        RunRecipe r = RecipeParser.parse(recipe);
        StringWriter log = new StringWriter();
        return RecipeRunner.run(r, Files.readString(recipe), new RecipeRunner.Options(out, from), new PrintWriter(log),
                bars, s -> { });
    }
}
