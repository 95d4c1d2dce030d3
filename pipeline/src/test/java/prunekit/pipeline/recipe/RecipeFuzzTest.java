package prunekit.pipeline.recipe;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import prunekit.core.FuzzInputs;

/**
 * Fuzz target: a recipe file, parsed (schema, types, ranges, paths) as {@code prunekit run} does.
 * Regression inputs (the seeds: the demo recipe and the example sweep; and every finding) are in
 * src/test/resources/prunekit/pipeline/recipe/RecipeFuzzTestInputs/recipe/; {@code JAZZER_FUZZ=1}
 * fuzzes (bench/fuzz/run.sh).
 */
class RecipeFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void recipe(byte[] data) {
        Path file = FuzzInputs.write("recipe/recipe.yaml", data);
        FuzzInputs.loadsOrFailsCleanly(() -> {
            try {
                RecipeParser.parse(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
