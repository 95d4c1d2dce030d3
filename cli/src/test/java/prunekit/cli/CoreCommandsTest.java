package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.Golden;
import prunekit.core.SharedFiles;

/** The foundation commands end to end, through picocli, as a user runs them. */
class CoreCommandsTest {
    static final String STORIES = SharedFiles.project("models/stories260K.gguf").toString();
    static final String VINA = SharedFiles.project("models/mini-vina").toString();

    static JsonObject json(Cli r) {
        assertEquals(0, r.exit(), () -> "exit code; stderr: " + r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    void inspectReportsParameterTotalThatMatchesTheTensors() {
        JsonObject j = json(Cli.run("inspect", VINA, "--json"));
        assertEquals(6_843_648L, j.get("parameters").getAsLong());
        assertEquals("BF16", j.get("stored_dtype").getAsString());
        assertEquals(6, j.getAsJsonArray("layers").size());
        assertEquals(java.util.List.of("query_heads", "kv_heads", "ffn"),
                java.util.List.copyOf(j.getAsJsonArray("layers").get(0).getAsJsonObject().keySet()), "the same order every run");
    }

    @Test
    void generateGgufAndConvertedHfCheckpointPrintTheGoldenText(@TempDir Path tmp) {
        Path hf = tmp.resolve("stories-hf");
        assertEquals(0, Cli.run("convert", STORIES, "--to", "hf", hf.toString()).exit());
        assertTrue(Files.isRegularFile(hf.resolve("tokenizer.json")));
        for (Map.Entry<String, String> e : Golden.greedy("stories260K-greedy.txt").entrySet()) {
            for (String model : new String[] {STORIES, hf.toString()}) {
                Cli r = Cli.run("generate", model, "--prompt", e.getKey(), "--max-positions", "120", "--temperature", "0");
                assertEquals(0, r.exit(), r.err());
                assertEquals(e.getValue(), r.out().stripTrailing(), model + ": " + e.getKey());
            }
        }
    }

    @Test
    void sharedLlama2cBinGeneratePrintsTheGoldenText() {
        Path bin = SharedFiles.require("models/stories260K.bin");
        Path tok = SharedFiles.require("models/tok512.bin");
        Map.Entry<String, String> e = Golden.greedy("stories260K-greedy.txt").entrySet().iterator().next();
        Cli r = Cli.run("generate", bin.toString(), "--tokenizer", tok.toString(), "--prompt", e.getKey(),
                "--max-positions", "120");
        assertEquals(e.getValue(), r.out().stripTrailing(), r.err());
    }

    @Test
    void evalPrintsPerplexityJson() {
        String text = SharedFiles.project("data/vi/legal-valid.txt").toString();
        JsonObject j = json(Cli.run("eval", VINA, "--text", text, "--json"));
        // pinned to the digits the eval progress line prints ("ppl 21.636"); a change here is a change of the protocol
        assertEquals(21.636, j.get("perplexity").getAsDouble(), 0.0005, "mini-vina on legal-valid.txt");
        assertEquals(256, j.get("ctx").getAsInt());
    }

    @Test
    void tokenizePrintsIds() {
        Cli r = Cli.run("tokenize", STORIES, "Once upon a time", "--json");
        assertTrue(json(r).getAsJsonArray("ids").size() > 0);
    }
}
