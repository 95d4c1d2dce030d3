package prunekit.pipeline.recipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.pipeline.ProgressBars;

/**
 * Stages are reused when done and valid, redone when forced or damaged, and a run killed with
 * SIGKILL in the middle of a stage resumes to the same bytes as a run that was never interrupted.
 */
class RecipeResumeTest {
    private static final List<String> PRODUCTS = List.of("prune/magnitude-0.6/plan.json",
            "prune/magnitude-0.6/pruned/model.safetensors", "recover/magnitude-0.6--kd/recovered/model.safetensors",
            "eval/dense/eval.json", "eval/magnitude-0.6/eval.json", "eval/magnitude-0.6--kd/eval.json");

    @Test
    void aSecondRunReusesEveryStageAndFromRerunsThatKindOn(@TempDir Path tmp) throws Exception {
        Path recipe = TinyRecipe.write(tmp);
        Path out = tmp.resolve("run");
        RecipeRunner.Result first = TinyRecipe.run(recipe, out, null, ProgressBars.NONE);
        assertEquals(0, first.stagesReused());
        assertEquals(7, first.stagesRun(), "eval dense, score, prune, eval, plot, recover, eval");
        assertTrue(Files.readString(out.resolve("manifest.json")).contains("\"complete\": true"));
        byte[] recovered = Files.readAllBytes(out.resolve(PRODUCTS.get(2)));

        RecipeRunner.Result again = TinyRecipe.run(recipe, out, null, ProgressBars.NONE);
        assertEquals(0, again.stagesRun());
        assertEquals(7, again.stagesReused());

        RecipeRunner.Result fromRecover = TinyRecipe.run(recipe, out, StageKind.RECOVER, ProgressBars.NONE);
        assertEquals(4, fromRecover.stagesRun(), "recover and the three evals (eval comes after recover)");
        assertEquals(3, fromRecover.stagesReused(), "score, prune and plot");
        assertArrayEquals(recovered, Files.readAllBytes(out.resolve(PRODUCTS.get(2))));

        // a damaged output redoes its stage; the same bytes come back, so later stages are reused
        Files.writeString(out.resolve(PRODUCTS.get(1)), "damaged");
        RecipeRunner.Result repaired = TinyRecipe.run(recipe, out, null, ProgressBars.NONE);
        assertEquals(1, repaired.stagesRun());
        assertEquals(first.rows(), repaired.rows());
        assertTrue(Files.isRegularFile(out.resolve("plot/magnitude-0.6/head-heatmap.png")), "plots read the prune folder's scores");
    }

    @Test
    void aRunKilledMidStageResumesToTheSameBytes(@TempDir Path tmp) throws Exception {
        Path recipe = TinyRecipe.write(tmp);
        Path whole = tmp.resolve("whole");
        TinyRecipe.run(recipe, whole, null, ProgressBars.NONE);

        Path killed = tmp.resolve("killed");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", "-Xmx2g",
                KilledRun.class.getName(), recipe.toString(), killed.toString()).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = r.readLine()) != null && !line.equals(KilledRun.SIGNAL)) {
                seen.append(line).append('\n');
            }
            assertEquals(KilledRun.SIGNAL, line, "the child ended before recovery step 5:\n" + seen);
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertFalse(Files.readString(killed.resolve("manifest.json")).contains("\"complete\""));
        assertTrue(Files.isRegularFile(killed.resolve("prune/magnitude-0.6/stage.json")), "prune had finished");
        assertFalse(Files.exists(killed.resolve("recover/magnitude-0.6--kd/stage.json")), "recover was cut short");

        RecipeRunner.Result resumed = TinyRecipe.run(recipe, killed, null, ProgressBars.NONE);
        assertEquals(5, resumed.stagesReused(), "eval dense, score, prune, eval of the pruned model, plot");
        assertEquals(2, resumed.stagesRun(), "recover and the eval after it");
        for (String f : PRODUCTS) {
            assertArrayEquals(Files.readAllBytes(whole.resolve(f)), Files.readAllBytes(killed.resolve(f)), f);
        }
        // every file of the recovered checkpoint; its model card names the run's own directory, which differs
        Map<String, String> a = StageCache.hashOutputs(whole.resolve("recover/magnitude-0.6--kd/recovered"));
        Map<String, String> b = StageCache.hashOutputs(killed.resolve("recover/magnitude-0.6--kd/recovered"));
        assertEquals(a.keySet(), b.keySet());
        for (String f : a.keySet()) {
            Path x = whole.resolve("recover/magnitude-0.6--kd/recovered").resolve(f);
            Path y = killed.resolve("recover/magnitude-0.6--kd/recovered").resolve(f);
            if (f.equals("README.md")) {
                assertEquals(Files.readString(x).replace(whole.toString(), "RUN"), Files.readString(y).replace(killed.toString(), "RUN"));
            } else {
                assertEquals(a.get(f), b.get(f), f);
            }
        }
        assertTrue(Files.readString(killed.resolve("manifest.json")).contains("\"complete\": true"));
    }
}
