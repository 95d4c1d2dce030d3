package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import prunekit.core.SharedFiles;

class EvalStreamingTest {
    @Test
    void streamedEvalPrintsTheDemosPerplexity() {
        // bit-identity with the in-memory path is LayerStreamerTest's; this is the --stream plumbing
        String text = SharedFiles.project("data/vi/legal-valid.txt").toString();
        JsonObject streamed = CoreCommandsTest.json(Cli.run("eval", CoreCommandsTest.VINA, "--text", text, "--stream",
                "always", "--json"));
        assertEquals("21.636", String.format("%.3f", streamed.get("perplexity").getAsDouble()));
    }
}
