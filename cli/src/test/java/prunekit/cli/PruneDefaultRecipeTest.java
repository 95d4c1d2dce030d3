package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;

/** {@code prune} without --scorer runs the default recipe (layer-wise reconstruction) on the embedded stories260K. */
class PruneDefaultRecipeTest {
    @Test
    void pruneWithoutScorerReconstructs(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("stories.txt");
        Random r = new Random(2);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 160; i++) {
            sb.append(PruneCommandsTest.WORDS[r.nextInt(PruneCommandsTest.WORDS.length)]).append(i % 6 == 5 ? "\n\n" : " ");
        }
        Files.writeString(text, sb.toString());
        String model = SharedFiles.project("models/stories260K.gguf").toString();
        Path run = dir.resolve("run");
        Cli p = Cli.run("prune", model, "--calib", text.toString(), "--samples", "4", "--seq-len", "32",
                "--keep-ratio", "0.5", "--scope", "layers", "--search-budget", "1", "--out", run.toString(), "--json");
        assertEquals(0, p.exit(), p.err());
        assertTrue(p.out().contains("\"scorer\": \"recon\"") && p.out().contains("\"calibration_tokens\": 128"), p.out());
        assertTrue(p.out().contains("\"matmul\": \"fp32\""), "auto is fp32 below 7B-class widths: " + p.out());
        assertTrue(Files.isRegularFile(run.resolve("pruned/config.json")) && Files.isRegularFile(run.resolve("plan.json")));
        Cli none = Cli.run("prune", model, "--keep-ratio", "0.5", "--out", dir.resolve("none").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, none.exit());
        assertTrue(none.err().contains("--calib"), none.err());
        Cli scored = Cli.run("prune", model, "--scorer", "magnitude", "--matmul", "bf16", "--keep-ratio", "0.5",
                "--out", dir.resolve("scored").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, scored.exit());
        assertTrue(scored.err().contains("--matmul goes with the default recipe"), scored.err());
        assertTrue(!Files.exists(dir.resolve("scored")), "nothing written on a refused option");
    }
}
