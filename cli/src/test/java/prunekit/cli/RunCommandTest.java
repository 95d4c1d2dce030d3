package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prunekit run}: the printed demo recipe is a recipe; a schema error is one line, exit 2, nothing written. */
class RunCommandTest {
    @Test
    void printDemoGivesARecipeThatParsesFromAnywhere(@TempDir Path tmp) throws Exception {
        Cli p = Cli.run("run", "--print-demo");
        assertEquals(0, p.exit(), p.err());
        assertTrue(p.out().startsWith("base: /"), p.out());
        Path recipe = tmp.resolve("recipe.yaml");
        Files.writeString(recipe, p.out().replace("keep_ratio: 0.386", "keep_ratio: 0.5\n  bogus: 1"));
        Path out = tmp.resolve("run");
        Cli bad = Cli.run("run", recipe.toString(), "--out", out.toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, bad.exit(), bad.err());
        assertEquals("prunekit run: error: " + recipe + ":18: prune.bogus: unknown key; allowed here: align, attention,"
                + " keep_ratio, recon, samples, scope, scorer, seed, seq_len, uniform", bad.err().strip());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aRecipeOrDemoIsRequired() {
        Cli none = Cli.run("run", "--out", "x");
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, none.exit());
        assertTrue(none.err().contains("give a RECIPE file or --demo"), none.err());
    }
}
