package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import prunekit.core.TestModels;
import prunekit.core.engine.Params;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/**
 * 600 small training steps leave memory flat: the number of live NDArrays under the params'
 * manager is the same after step 200 as after step 600, and the resident set (measured after a
 * GC, once the JVM heap has reached its steady state; the module's tests run with a 32 MiB young
 * generation for that) grows by less than 160 MiB, where keeping one step's gradients (1.7 MB)
 * or activations per step would add 700 MiB or more.
 */
class MemoryTest {
    private static final int WARM = 200;
    private static final int STEPS = 600;

    @Test
    void arraysAndResidentMemoryStayFlatOverManySteps() throws IOException {
        LlamaConfig c = LlamaConfig.builder().vocabSize(1024).hidden(128).headDim(16).maxPositions(32)
                .uniformLayers(1, new LayerShape(8, 4, 256)).build();
        TrainRecipe recipe = TrainRecipe.builder().steps(STEPS).batch(4).seq(32).warmup(0).build();
        try (Student student = Student.full(TestModels.random(c, 1, 0.05), ParamSelection.ALL)) {
            Params params = student.base();
            try (AdamW opt = new AdamW(student.trainable(), recipe.adamW())) {
                WindowSampler sampler = new WindowSampler(TinyModels.randomStream(2000, 1024, 5), 32, 9);
                TrainStep step = new TrainStep(student, null, opt, Recipe.train(recipe), sampler, FaultInjector.NONE, Map.of());
                int arrays0 = 0;
                long rss0 = 0;
                for (int n = 1; n <= STEPS; n++) {
                    TrainStep.Outcome out = step.run(n, 1e-4);
                    assertFalse(out.skipped(), "step " + n + " " + out.skipReason());
                    if (n == WARM) {
                        arrays0 = params.manager().getManagedArrays().size();
                        rss0 = settledRss();
                    }
                }
                int arrays1 = params.manager().getManagedArrays().size();
                long rss1 = settledRss();
                assertEquals(arrays0, arrays1, "live NDArrays after step " + WARM + " vs step " + STEPS);
                assertTrue(rss1 - rss0 < 160L << 20, "RSS grew by " + ((rss1 - rss0) >> 20) + " MiB over "
                        + (STEPS - WARM) + " steps");
            }
        }
    }

    /** RSS after a GC has run and the direct buffers it released have been freed. */
    private static long settledRss() throws IOException {
        System.gc();
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return rssBytes();
    }

    /** Resident set size of this process from /proc (Linux); 0 elsewhere, which passes trivially. */
    private static long rssBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }
}
