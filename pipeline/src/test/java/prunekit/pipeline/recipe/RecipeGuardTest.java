package prunekit.pipeline.recipe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.io.OutputGuard;
import prunekit.pipeline.ProgressBars;

/** A recipe run claims its RUN folder: never inside an input, never two writers at once. */
class RecipeGuardTest {
    @Test
    void aSecondWriterOnTheSameRunIsRefusedBeforeAnyStage(@TempDir Path tmp) throws Exception {
        Path recipe = TinyRecipe.write(tmp);
        Path out = tmp.resolve("run");
        try (OutputGuard other = OutputGuard.resumableDirectory(out, false, true, List.of())) {
            Exception e = assertThrows(Exception.class, () -> TinyRecipe.run(recipe, out, null, ProgressBars.NONE));
            assertTrue(e.getMessage().contains("another prunekit process is writing"), e.getMessage());
            assertFalse(Files.exists(out.resolve("manifest.json")), "no stage ran");
        }
    }

    @Test
    void aRunInsideItsCalibrationFolderIsRefusedAndNothingIsCreatedThere(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path recipe = TinyRecipe.write(data);
        Path out = data.resolve("calib.txt").resolve("run");
        Exception e = assertThrows(Exception.class, () -> TinyRecipe.run(recipe, out, null, ProgressBars.NONE));
        assertTrue(e.getMessage().contains("is inside the input"), e.getMessage());
        assertTrue(Files.isRegularFile(data.resolve("calib.txt")), "the input is untouched");
    }
}
