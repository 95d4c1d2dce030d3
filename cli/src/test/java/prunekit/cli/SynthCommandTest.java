package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.model.ReferenceShape;

class SynthCommandTest {
    @Test
    void synthWritesACheckpointThatInspectAndGenerateRead(@TempDir Path tmp) {
        Path out = tmp.resolve("tiny");
        String tok = CoreCommandsTest.STORIES; // its 512-token vocabulary fits the tiny shape
        JsonObject s = CoreCommandsTest.json(Cli.run("synth", "--like", "tiny", "--layers", "3", "--seed", "1",
                "--tokenizer", tok, "--out", out.toString(), "--json"));
        long expected = ReferenceShape.TINY.withLayers(3).parameterCount();
        assertEquals(expected, s.get("parameters").getAsLong());
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
        JsonObject i = CoreCommandsTest.json(Cli.run("inspect", out.toString(), "--json"));
        assertEquals(expected, i.get("parameters").getAsLong());
        assertEquals("BF16", i.get("stored_dtype").getAsString());
        assertEquals(3, i.getAsJsonArray("layers").size());
    }

    @Test
    void aTokenizerLargerThanTheVocabularyIsABadInput(@TempDir Path tmp) {
        String tok = prunekit.core.SharedFiles.project("models/mini-vina/tokenizer.json").toString();
        Cli r = Cli.run("synth", "--like", "tiny", "--tokenizer", tok, "--out", tmp.resolve("x").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("vocabulary of 512"), r.err());
    }

    @Test
    void unknownShapeIsABadInput(@TempDir Path tmp) {
        Cli r = Cli.run("synth", "--like", "gpt-5", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("llama-2-7b"), r.err());
    }
}
