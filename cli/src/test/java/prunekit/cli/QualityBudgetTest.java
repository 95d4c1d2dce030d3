package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;

/** --max-quality-loss: a bisection over the keep ratio whose answer is the smallest accepted probe, a real plan. */
class QualityBudgetTest {
    /** {@code sentences} random ones; stories260K evaluates in windows of its 2048 positions, so valid needs more. */
    private static Path text(Path dir, String name, int seed, int sentences) throws Exception {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            sb.append(PruneCommandsTest.WORDS[r.nextInt(PruneCommandsTest.WORDS.length)]).append(i % 6 == 5 ? "\n\n" : " ");
        }
        return Files.writeString(dir.resolve(name), sb.toString());
    }

    @Test
    void bisectsToTheSmallestPlanWithinTheLoss(@TempDir Path dir) throws Exception {
        String model = SharedFiles.project("models/stories260K.gguf").toString();
        Path calib = text(dir, "calib.txt", 1, 80);
        Path valid = text(dir, "valid.txt", 2, 200);
        Path run = dir.resolve("run");
        Cli p = Cli.run("prune", model, "--scorer", "wanda", "--calib", calib.toString(), "--samples", "4", "--seq-len", "32",
                "--max-quality-loss", "300%", "--valid", valid.toString(), "--max-probes", "3", "--scope", "layers",
                "--uniform", "--out", run.toString(), "--json");
        assertEquals(0, p.exit(), p.err());
        JsonObject search = JsonParser.parseString(p.out()).getAsJsonObject().getAsJsonObject("quality_search");
        double dense = search.get("dense_perplexity").getAsDouble();
        JsonArray probes = search.getAsJsonArray("probes");
        assertEquals(3, probes.size(), "300 % is reached (by 0.75), so no identity probe: " + probes);
        double lo = 0;
        double hi = 1;
        double smallest = 1;
        for (int i = 0; i < 3; i++) {
            JsonObject probe = probes.get(i).getAsJsonObject();
            assertEquals((lo + hi) / 2, probe.get("keep_ratio").getAsDouble(), 1e-12, "probe " + i + " halves the interval");
            boolean within = probe.get("perplexity").getAsDouble() <= dense * 4;
            assertEquals(within, probe.get("accepted").getAsBoolean());
            if (within) {
                hi = probe.get("keep_ratio").getAsDouble();
                smallest = Math.min(smallest, hi);
            } else {
                lo = probe.get("keep_ratio").getAsDouble();
            }
        }
        double chosen = search.getAsJsonObject("chosen").get("keep_ratio").getAsDouble();
        assertEquals(smallest, chosen, 1e-12);
        for (String f : new String[] {"plan.json", "pruned/config.json", "scores.json"}) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        try (Stream<Path> left = Files.walk(run.resolve("probes"))) {
            assertFalse(left.anyMatch(f -> f.getFileName().toString().equals("pruned")), "probe checkpoints are deleted");
        }
        // the answer is the plan `--keep-ratio` gives at that ratio, byte for byte
        Path again = dir.resolve("again");
        Cli k = Cli.run("prune", model, "--scores", run.resolve("scores.json").toString(), "--scorer", "wanda",
                "--keep-ratio", String.format(Locale.ROOT, "%.6f", chosen), "--scope", "layers", "--uniform",
                "--out", again.toString());
        assertEquals(0, k.exit(), k.err());
        JsonObject plan = JsonParser.parseString(Files.readString(run.resolve("plan.json"))).getAsJsonObject();
        JsonObject direct = JsonParser.parseString(Files.readString(again.resolve("plan.json"))).getAsJsonObject();
        assertEquals(direct.get("layers"), plan.get("layers"));
        assertArrayEquals(Files.readAllBytes(again.resolve("pruned/model.safetensors")),
                Files.readAllBytes(run.resolve("pruned/model.safetensors")));
    }

    @Test
    void theBudgetNeedsHeldOutText(@TempDir Path dir) throws Exception {
        String model = SharedFiles.project("models/stories260K.gguf").toString();
        Path calib = text(dir, "calib.txt", 1, 80);
        Cli none = Cli.run("prune", model, "--scorer", "wanda", "--calib", calib.toString(), "--max-quality-loss", "10%",
                "--out", dir.resolve("a").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, none.exit());
        assertTrue(none.err().contains("add --valid FILE"), none.err());
        Cli stray = Cli.run("prune", model, "--scorer", "wanda", "--calib", calib.toString(), "--keep-ratio", "0.5",
                "--valid", calib.toString(), "--out", dir.resolve("b").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, stray.exit());
        assertTrue(stray.err().contains("--valid is the held-out text of --max-quality-loss"), stray.err());
        Cli bad = Cli.run("prune", model, "--scorer", "wanda", "--calib", calib.toString(), "--max-quality-loss", "ten",
                "--valid", calib.toString(), "--out", dir.resolve("c").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, bad.exit());
        assertTrue(bad.err().contains("write e.g. 10% or 0.1"), bad.err());
    }
}
