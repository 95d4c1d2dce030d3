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

/** {@code prunekit export MODEL OUT.gguf}: the format comes from the extension, and the file generates as the source does. */
class ExportGgufCommandTest {
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
    void unknownDtypeIsOneLine(@TempDir Path tmp) {
        Cli r = Cli.run("export", SharedFiles.project("models/stories260K.gguf").toString(), tmp.resolve("x.bin").toString(),
                "--format", "gguf", "--dtype", "q4_k");
        assertTrue(r.exit() != 0);
        assertTrue(r.err().contains("expected f32, f16, bf16 or q8_0"), r.err());
        assertTrue(!Files.exists(tmp.resolve("x.bin")));
    }
}
