package prunekit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.Golden;
import prunekit.core.SharedFiles;
import prunekit.core.engine.Decoder;
import prunekit.core.engine.ReferenceForward;
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Prompts;
import prunekit.core.io.GgufReader;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;

/**
 * Trained models exported and run in ONNX Runtime against prunekit's own forward
 * ({@link Transformer}) and, for stories260K, the plain-Java reference: prefill logits and 32 greedy decode steps with the cache.
 * stories260K (GQA, tied head) ships with the project; mini-vina (MHA, untied) is read from
 * ../shared and skipped, saying so, where that folder is absent.
 */
class RealModelParityTest {
    private static final Path STORIES = SharedFiles.project("models/stories260K.gguf");

    @TempDir
    Path dir;

    private static List<int[]> prompts(Tokenizer tok, String... texts) {
        List<int[]> out = new ArrayList<>();
        for (String t : texts) {
            out.add(Prompts.withBos(tok, t));
        }
        return out;
    }

    /** Exports {@code model} in both flavours and checks each against {@code ref}; returns the reports. */
    private List<ParityReport> checkBothFlavours(Model model, Decoder.Source ref, List<int[]> prompts)
            throws Exception {
        List<ParityReport> reports = new ArrayList<>();
        for (OnnxFlavour flavour : OnnxFlavour.values()) {
            Path file = dir.resolve("model-" + flavour + ".onnx");
            OnnxWriter.write(model.weights(), file, OnnxWriter.Options.defaults().withFlavour(flavour));
            try (OnnxModel onnx = OnnxModel.load(file, new OnnxModel.RunOptions(2, true))) {
                ParityReport r = ParityCheck.run(ref, onnx, prompts, ParityCheck.Options.defaults());
                System.err.println("[parity] " + model.source() + " " + flavour + ": " + r.summary());
                reports.add(r);
            }
        }
        return reports;
    }

    @Test
    void stories260kMatchesTransformerAndPlainReference() throws Exception {
        Model m = GgufReader.read(STORIES);
        List<int[]> prompts = prompts(m.tokenizer(), "Once upon a time", "Lily and Tom went to the park", "The cat");
        try (Transformer djl = new Transformer(m.weights())) {
            Decoder.Source plain = new ReferenceForward(m.weights());
            for (Decoder.Source ref : List.of(new MemoizedReference(djl), new MemoizedReference(plain))) {
                for (ParityReport r : checkBothFlavours(m, ref, prompts)) {
                    assertTrue(r.passed(), r.summary());
                    assertEquals(32, r.decodeSteps());
                }
            }
        }
    }

    @Test
    void sharedMiniVinaMatchesTransformer() throws Exception {
        Path dirPath = SharedFiles.require("models/mini-vina");
        Model m = HfCheckpoint.read(dirPath);
        List<int[]> prompts = prompts(m.tokenizer(), "Việt Nam là một quốc gia", "Điều 1. Phạm vi điều chỉnh");
        try (Transformer djl = new Transformer(m.weights())) {
            for (ParityReport r : checkBothFlavours(m, new MemoizedReference(djl), prompts)) {
                assertTrue(r.passed(), r.summary());
            }
        }
    }

    /** End to end through ONNX Runtime: the llama2.c reference's greedy text, byte for byte. */
    @Test
    void stories260kGreedyTextMatchesGolden() throws Exception {
        Model m = GgufReader.read(STORIES);
        Path file = dir.resolve("stories.onnx");
        OnnxWriter.write(m.weights(), file, OnnxWriter.Options.defaults().withFlavour(OnnxFlavour.OPTIMIZED));
        Map<String, String> golden = Golden.greedy("stories260K-greedy.txt");
        try (OnnxModel onnx = OnnxModel.load(file, new OnnxModel.RunOptions(1, true))) {
            for (Map.Entry<String, String> e : golden.entrySet()) {
                int[] prompt = prompts(m.tokenizer(), e.getKey()).get(0);
                int[] generated = OnnxRuns.greedy(onnx, prompt, 121 - prompt.length); // 120 positions run: 121 ids
                int[] all = new int[prompt.length + generated.length];
                System.arraycopy(prompt, 0, all, 0, prompt.length);
                System.arraycopy(generated, 0, all, prompt.length, generated.length);
                assertEquals(e.getValue(), m.tokenizer().decode(all).stripTrailing(), "prompt " + e.getKey());
            }
        }
    }
}
