package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;

/** score → prune → plot on the embedded stories260K, and the errors of bad budgets. */
class PruneCommandsTest {
    static final String[] WORDS = {"Once upon a time, there was a little girl named Lily.", "She liked to play with her ball.",
        "One day, a big dog came to the park.", "The dog was sad and hungry.", "Tom gave the dog some food.",
        "They played together all day.", "The sun was warm and the sky was blue.", "Mom said, \"Let's go home.\""};

    static Cli run(String... args) {
        return Cli.run(args);
    }

    @Test
    void scorePrunePlot(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("stories.txt");
        Random r = new Random(1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            sb.append(WORDS[r.nextInt(WORDS.length)]).append(i % 6 == 5 ? "\n\n" : " ");
        }
        Files.writeString(text, sb.toString());
        String model = SharedFiles.project("models/stories260K.gguf").toString();
        Path run = dir.resolve("run");
        Cli s = run("score", model, "--calib", text.toString(), "--samples", "4", "--seq-len", "32", "--scorer", "magnitude",
                "wanda", "--out", run.toString());
        assertEquals(0, s.exit(), s.err());
        assertTrue(Files.isRegularFile(run.resolve("scores.json")));
        Cli p = run("prune", model, "--scores", run.resolve("scores.json").toString(), "--scorer", "wanda",
                "--keep-ratio", "0.7", "--scope", "layers", "--uniform", "--out", run.toString(), "--json");
        assertEquals(0, p.exit(), p.err());
        assertTrue(p.out().contains("\"params_after\""), p.out());
        assertTrue(Files.isRegularFile(run.resolve("pruned/config.json")) && Files.isRegularFile(run.resolve("plan.json")));
        String card = Files.readString(run.resolve("pruned/README.md"));
        assertTrue(card.contains("Plan: wanda, ") && card.contains("Parameters: ") && card.contains("prunekit prune " + model + " --scores "), card);
        Cli plot = run("plot", run.toString(), "--out", run.resolve("charts").toString());
        assertEquals(0, plot.exit(), plot.err());
        for (String c : List.of("head-heatmap", "channel-importance", "kept-fraction")) {
            assertTrue(Files.isRegularFile(run.resolve("charts/" + c + ".png")), c);
        }
        Cli again = run("plot", run.toString(), "--out", run.resolve("charts").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, again.exit(), "existing charts are replaced only with --overwrite");
        assertEquals(0, run("plot", run.toString(), "--out", run.resolve("charts").toString(), "--overwrite").exit());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, run("plot", run.resolve("plan.json").toString(), "--out",
                run.resolve("plan.json").toString()).exit(), "the input is never the output");
        Cli bad = run("prune", model, "--scores", run.resolve("scores.json").toString(), "--scorer", "wanda",
                "--keep-ratio", "1.5", "--out", dir.resolve("bad").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, bad.exit());
        assertTrue(bad.err().contains("outside (0, 1]"), bad.err());
        Cli arch = run("prune", model, "--scores", run.resolve("scores.json").toString(), "--scorer", "wanda",
                "--target-arch", "hidden=64,heads=3,kv-heads=3,ffn=100,layers=5", "--out", dir.resolve("bad2").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, arch.exit());
        assertTrue(arch.err().contains("whole heads and groups"), arch.err());
    }
}
