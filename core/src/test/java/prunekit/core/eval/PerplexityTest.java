package prunekit.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.SharedFiles;
import prunekit.core.engine.Transformer;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.Model;

class PerplexityTest {
    /**
     * Long windows are evaluated in smaller batches than asked ({@code MemoryCheck.forwardRows}); that
     * is only allowed because a window's NLL does not depend on its batch-mates, to the last bit.
     */
    @Test
    void everyWindowsNllIsBitIdenticalWhateverTheBatch(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("legal-head.txt");
        Files.writeString(text, Files.readString(SharedFiles.project("data/vi/legal-valid.txt")).substring(0, 6000));
        Model m = ModelLoader.load(SharedFiles.project("models/stories260K.gguf"), null);
        TokenStream s = TokenStream.of(List.of(text), m.tokenizer());
        try (Transformer t = new Transformer(m.weights())) {
            double[] one = Perplexity.evaluate(t, s, 512, 1, null).windowNll();
            assertTrue(one.length >= 4, one.length + " windows");
            assertArrayEquals(one, Perplexity.evaluate(t, s, 512, 3, null).windowNll(), "batches of 3, the last short");
        }
    }
}
