package prunekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.Model;

/** {@code prunekit train} end to end on a tiny config with the embedded vi4k tokenizer and text. */
class TrainCommandTest {
    private static final String CONFIG = """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 4096, "hidden_size": 16,
             "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 2,
             "max_position_embeddings": 32, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": false,
             "bos_token_id": 1, "eos_token_id": 2}
            """;

    private static String[] args(Path tmp, String... extra) throws Exception {
        Path config = tmp.resolve("config.json");
        Files.writeString(config, CONFIG);
        String text = SharedFiles.project("data/vi/legal-valid.txt").toString();
        String[] base = {"train", "--init", config.toString(), "--tokenizer",
            SharedFiles.project("models/mini-vina/tokenizer.json").toString(), "--data", text, "--valid", text,
            "--steps", "4", "--batch", "2", "--seq", "16", "--warmup", "1", "--eval-every", "2", "--eval-windows", "4",
            "--checkpoint-every", "2", "--out", tmp.resolve("run").toString(), "--json"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void trainsWritesLogAndLoadableCheckpointAndResumes(@TempDir Path tmp) throws Exception {
        Cli r = Cli.run(args(tmp));
        assertEquals(0, r.exit(), r.err());
        JsonObject res = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(4, res.get("steps").getAsInt());
        assertTrue(r.err().contains("valid loss"), r.err());
        JsonObject log = JsonParser.parseString(Files.readString(tmp.resolve("run/train.json"))).getAsJsonObject();
        assertEquals(4, log.getAsJsonArray("log").size());
        assertTrue(log.get("valid_loss").getAsDouble() > 0);
        Model m = ModelLoader.load(tmp.resolve("run/model"), null);
        assertEquals(4096, m.config().vocabSize());
        assertTrue(m.tokenizer() != null, "the final checkpoint carries the tokenizer");
        assertTrue(Files.size(tmp.resolve("run/loss.png")) > 1000, "loss chart drawn");

        Cli again = Cli.run(args(tmp, "--resume"));
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("resuming after step 4"), again.err());
        Cli overwrite = Cli.run(args(tmp));
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, overwrite.exit(), "refuses to start over an existing run");
    }

    @Test
    void needsAStartingPoint(@TempDir Path tmp) {
        Cli r = Cli.run("train", "--data", "x.txt", "--steps", "1", "--out", tmp.toString(), "--tokenizer",
                SharedFiles.project("models/mini-vina/tokenizer.json").toString());
        assertEquals(PrunekitCli.EXIT_BAD_INPUT, r.exit());
        assertTrue(r.err().contains("--init"), r.err());
    }
}
