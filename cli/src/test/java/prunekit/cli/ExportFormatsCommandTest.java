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
import prunekit.core.io.GgufFile;

/** {@code prunekit export} to GGUF (format from the extension; the file generates as the source does) and to an ONNX folder. */
class ExportFormatsCommandTest {
    @Test
    void miniVinaToGgufGeneratesTheSameText(@TempDir Path tmp) {
        String vina = SharedFiles.project("models/mini-vina").toString();
        Path gguf = tmp.resolve("mini-vina.gguf");
        Cli r = Cli.run("export", vina, gguf.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonObject j = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("gguf", j.get("format").getAsString());
        assertEquals(Files.exists(gguf) ? gguf.toFile().length() : -1, j.get("bytes").getAsLong());
        GgufFile g = GgufFile.open(gguf);
        assertEquals("llama", g.getString("general.architecture"));
        assertEquals("mini-vina", g.getString("general.name"));
        assertTrue(g.getString("general.description").startsWith("prunekit export of "));
        String prompt = "Việt Nam là một quốc gia";
        Cli a = Cli.run("generate", vina, "--prompt", prompt, "--max-new-tokens", "24");
        Cli b = Cli.run("generate", gguf.toString(), "--prompt", prompt, "--max-new-tokens", "24");
        assertEquals(0, b.exit(), b.err());
        assertEquals(a.out(), b.out());
    }

    @Test
    void onnxFolderHasTheHfOnnxLayoutAndVerifies(@TempDir Path tmp) throws Exception {
        Path folder = tmp.resolve("vina-onnx");
        Cli r = Cli.run("export", SharedFiles.project("models/mini-vina").toString(), folder.toString(),
                "--format", "onnx-folder", "--verify", "--prompt", "Việt Nam", "--json");
        assertEquals(0, r.exit(), r.err());
        for (String f : new String[] {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
            "onnx/model.onnx", "genai_config.json"}) {
            assertTrue(Files.isRegularFile(folder.resolve(f)), f);
        }
        assertTrue(JsonParser.parseString(r.out()).getAsJsonObject().get("parity_passed").getAsBoolean());
        // the same bytes on every run: session_options in a fixed order (Map.of changed it from one JVM to the next)
        String genai = Files.readString(folder.resolve("genai_config.json"));
        assertTrue(genai.indexOf("\"log_id\"") < genai.indexOf("\"provider_options\""), genai);
    }

    @Test
    void unknownDtypeIsOneLine(@TempDir Path tmp) {
        Cli r = Cli.run("export", SharedFiles.project("models/stories260K.gguf").toString(), tmp.resolve("x.bin").toString(),
                "--format", "gguf", "--dtype", "q4_k");
        assertTrue(r.exit() != 0);
        assertTrue(r.err().contains("--dtype") && r.err().contains("f32, f16 or bf16 (or q8_0 for GGUF)"), r.err());
        assertTrue(!Files.exists(tmp.resolve("x.bin")));
    }
}
