package prunekit.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import prunekit.core.Golden;
import prunekit.core.SharedFiles;
import prunekit.core.engine.Tolerance;
import prunekit.core.engine.Transformer;
import prunekit.core.io.ModelLoader;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;

/**
 * End to end against independent implementations: load → tokenize → forward → greedy text for
 * stories260K (llama2.c's runner, a float64 numpy forward) and mini-vina (PyTorch).
 */
class GoldenModelsTest {
    static final Path STORIES = SharedFiles.project("models/stories260K.gguf");
    static final Path MINI_VINA = SharedFiles.project("models/mini-vina");

    /** BOS + prompt, greedy, sequence of {@code length} ids; decoded without BOS. */
    static String greedy(Model m, String prompt, int length) {
        return greedy(m, prompt, length, new int[] {m.tokenizer().bosId(), m.tokenizer().eosId()});
    }

    /** As above with explicit stop ids (the PyTorch golden runs a fixed count, ignoring EOS/BOS). */
    static String greedy(Model m, String prompt, int length, int[] stopIds) {
        Tokenizer tok = m.tokenizer();
        int[] ids = Prompts.withBos(tok, prompt);
        try (Transformer t = new Transformer(m.weights())) {
            int[] out = Generator.generate(t, ids, length, Generator.Sampling.GREEDY, stopIds);
            return tok.decode(Arrays.copyOfRange(out, 1, out.length));
        }
    }

    @Test
    void storiesLogitsMatchFloat64Reference() {
        Model m = ModelLoader.load(STORIES, null);
        JsonObject g = JsonParser.parseString(Golden.text("stories260K-logits.json")).getAsJsonObject();
        JsonArray idsJ = g.getAsJsonArray("ids");
        JsonArray logitsJ = g.getAsJsonArray("logits");
        int n = logitsJ.size();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = idsJ.get(i).getAsInt();
        }
        double[][] ref = new double[n][];
        for (int i = 0; i < n; i++) {
            JsonArray row = logitsJ.get(i).getAsJsonArray();
            ref[i] = new double[row.size()];
            for (int j = 0; j < row.size(); j++) {
                ref[i][j] = row.get(j).getAsDouble();
            }
        }
        try (Transformer t = new Transformer(m.weights())) {
            new Tolerance(1e-4, 0).check("stories260K logits", ref, t.logits(ids));
        }
    }

    static void assertGreedy(Model m, String goldenFile, int length) {
        for (Map.Entry<String, String> e : Golden.greedy(goldenFile).entrySet()) {
            assertEquals(e.getValue(), greedy(m, e.getKey(), length), "prompt: " + e.getKey());
        }
    }

    @Test
    void storiesGgufGreedyMatchesLlama2c() {
        // llama2.c runs 120 positions: the sequence ends with 121 ids (BOS included)
        assertGreedy(ModelLoader.load(STORIES, null), "stories260K-greedy.txt", 121);
    }

    @Test
    void sharedStoriesLlama2cBinGreedyMatchesLlama2c() {
        Path bin = SharedFiles.require("models/stories260K.bin");
        Path tok = SharedFiles.require("models/tok512.bin");
        assertGreedy(ModelLoader.load(bin, tok), "stories260K-greedy.txt", 121);
    }

    @Test
    void miniVinaGreedyMatchesPyTorch() {
        Model m = ModelLoader.load(MINI_VINA, null);
        for (Map.Entry<String, String> e : Golden.greedy("mini-vina-greedy.txt").entrySet()) {
            int promptLen = m.tokenizer().encode(e.getKey()).length + 1;
            assertEquals(e.getValue(), greedy(m, e.getKey(), promptLen + 64, new int[0]), "prompt: " + e.getKey());
        }
    }

    @Test
    void sharedMiniVinaValidationPerplexityMatchesTrainingLog() throws Exception {
        Path log = SharedFiles.require("models/mini-vina/training_log.json");
        List<Path> valid = List.of(SharedFiles.require("data/vi/valid/wiki.txt"), SharedFiles.require("data/vi/valid/legal.txt"));
        double expected = JsonParser.parseString(java.nio.file.Files.readString(log)).getAsJsonObject()
                .get("valid_ppl_bf16").getAsDouble();
        Model m = ModelLoader.load(MINI_VINA, null);
        TokenStream s = TokenStream.of(valid, m.tokenizer());
        Perplexity.Result r;
        try (Transformer t = new Transformer(m.weights())) {
            r = Perplexity.evaluate(t, s, 256, 8, null);
        }
        System.out.printf("mini-vina valid perplexity %.4f (training log %.4f), %d tokens, %.0f tokens/s%n",
                r.perplexity(), expected, r.tokens(), r.tokensPerSecond());
        assertEquals(expected, r.perplexity(), expected * 1e-3, "perplexity within 0.1% of the training log");
    }
}
