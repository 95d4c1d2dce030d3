package prunekit.pipeline.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import prunekit.pipeline.Demo;
import prunekit.prune.score.ScorerName;

/** Every schema error names the file, the line, the key's path and what is allowed; good recipes parse. */
class RecipeParserTest {
    private static final Path ROOT = Path.of(System.getProperty("prunekit.root", "."));

    /** A valid recipe whose line {@code at} (1-based) is replaced by {@code line}. */
    private static String recipe(int at, String line) {
        String[] lines = {
            "name: t",                                  // 1
            "model: models/stories260K.gguf",           // 2
            "data:",                                    // 3
            "  calib: data/vi/legal-train-sample.txt",  // 4
            "  valid: data/vi/legal-valid.txt",         // 5
            "prune:",                                   // 6
            "  scorer: [magnitude, wanda]",             // 7
            "  keep_ratio: 0.5",                        // 8
            "recover:",                                 // 9
            "  - tokens: 2K",                           // 10
            "    mode: full",                           // 11
            "report: false",                            // 12
        };
        if (at > 0) {
            lines[at - 1] = line;
        }
        return String.join("\n", lines) + "\n";
    }

    @ParameterizedTest(name = "line {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "1 | nmae: t | r.yaml:1: nmae: unknown key; allowed here: base, bench, data, eval, export, generate, model, name, prune, recover, report",
        "4 | '  calibs: x' | r.yaml:4: data.calibs: unknown key; allowed here: calib, valid",
        "8 | '  keep_ratio: lots' | r.yaml:8: prune.keep_ratio: 'lots' is not a number",
        "8 | '  keep_ratio: [0.5, 1.5]' | r.yaml:8: prune.keep_ratio: 1.5 is out of range; allowed: 1.0E-6 to 1.0",
        "7 | '  scorer: [wanda, bogus]' | r.yaml:7: prune.scorer: 'bogus' is not allowed; allowed: recon, magnitude, wanda, taylor,",
        "10 | '  - tokens: lots' | r.yaml:10: recover[0].tokens: 'lots' is not a token count; allowed: a count like 48K",
        "11 | '    epochs: 3' | r.yaml:11: recover[0].epochs: unknown key; allowed here: batch, eval_windows, lora_rank, loss, lr,",
        "11 | '    mode: half' | r.yaml:11: recover[0].mode: 'half' is not allowed; allowed: full, lora",
        "12 | 'report: maybe' | r.yaml:12: report: 'maybe' is not true or false",
        "12 | 'generate: 3' | r.yaml:12: generate: expected a mapping of keys (max_positions, model, prompt)",
        "12 | 'report: [1]' | r.yaml:12: report: expected true or false, found a sequence",
        "2 | 'model: models/nothing-here' | r.yaml:2: model: ",
        "5 | '  valid: [a: b' | r.yaml:6: not valid YAML:",
    })
    void schemaErrorsNameFileLineKeyAndWhatIsAllowed(int line, String replacement, String expected) {
        RecipeException e = assertThrows(RecipeException.class,
                () -> RecipeParser.parse("r.yaml", recipe(line, replacement), ROOT));
        assertTrue(e.getMessage().startsWith(expected.strip()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    /** {@code extra} is inserted as line 9, after keep_ratio; the scorers are [recon, wanda]. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "'  recon: {samples: 8, search_generation: 2}' | r.yaml:9: prune.recon.search_generation: unknown key; allowed here: samples, search_generations, seq_len",
        "'  recon: {search_generations: 2}' | r.yaml:9: prune.recon.search_generations: a searched allocation gives each layer its own shape; add prune.uniform: false",
        "'  recon: {seq_len: 1}' | r.yaml:9: prune.recon.seq_len: 1 is out of range",
        "'  align: 8' | r.yaml:9: prune.align: goes with a scorer (recon keeps the exact budget)",
    })
    void reconSettingsAreChecked(String extra, String expected) {
        String yaml = recipe(7, "  scorer: [recon, wanda]").replace("  keep_ratio: 0.5\n", "  keep_ratio: 0.5\n" + extra + "\n");
        RecipeException e = assertThrows(RecipeException.class, () -> RecipeParser.parse("r.yaml", yaml, ROOT));
        assertTrue(e.getMessage().startsWith(expected.strip()), e.getMessage());
    }

    @Test
    void aValidRecipeSweepsScorersTimesRatios() {
        RunRecipe r = RecipeParser.parse("r.yaml", recipe(8, "  keep_ratio: [0.5, 0.7]"), ROOT);
        assertEquals(4, r.prune().configs().size());
        assertEquals(new PruneMethod.Scored(ScorerName.WANDA), r.prune().configs().get(2).method());
        assertEquals("full-kd-2K", r.recover().get(0).name());
        assertEquals(ROOT.resolve("models/stories260K.gguf").normalize(), r.model());
    }

    @Test
    void reconIsAPruneMethodWithItsOwnCalibrationAndNoScoreStage() {
        RunRecipe r = RecipeParser.parse("r.yaml", recipe(7, "  scorer: [recon, fluctuation]").replace("  keep_ratio: 0.5\n",
                "  keep_ratio: 0.5\n  uniform: false\n  recon: {samples: 16, search_generations: 3}\n"), ROOT);
        assertEquals(List.of("recon-0.5", "fluctuation-0.5"), r.prune().configs().stream().map(RunRecipe.PruneConfig::name)
                .toList());
        assertEquals(List.of(ScorerName.FLUCTUATION), r.prune().scorers(), "recon has no score stage");
        assertEquals(new RunRecipe.ReconSettings(16, 256, 3), r.prune().recon());
        RunRecipe d = RecipeParser.parse("r.yaml", recipe(7, "  scorer: recon"), ROOT);
        assertEquals(new RunRecipe.ReconSettings(256, 256, 0), d.prune().recon(), "prunekit prune's calibration, uniform");
        assertEquals(List.of(), d.prune().scorers());
    }

    @Test
    void theBuiltInDemoAndTheExampleSweepParse() throws Exception {
        RunRecipe demo = RecipeParser.parse("demo.yaml", Demo.recipeText(), ROOT);
        assertEquals(1, demo.prune().configs().size());
        assertEquals("kd-48K", demo.recover().get(0).name());
        RunRecipe sweep = RecipeParser.parse(ROOT.resolve("examples/mini-vina-sweep.yaml"));
        assertEquals(6, sweep.prune().configs().size());
        assertEquals(ROOT.resolve("models/mini-vina").normalize().toAbsolutePath(), sweep.model().toAbsolutePath());
    }
}
