package prunekit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.engine.Decoder;
import prunekit.core.engine.ReferenceForward;
import prunekit.core.engine.Tolerance;
import prunekit.core.eval.Generator;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.RandomWeights;

/** The ONNX Runtime runner's bookkeeping: chunked prefill of a batch, limits, greedy decoding. */
class OrtSequenceTest {
    @TempDir
    Path dir;

    private OnnxModel export(LlamaWeights w, OnnxFlavour f) throws Exception {
        Path file = dir.resolve(f + ".onnx");
        OnnxWriter.write(w, file, OnnxWriter.Options.defaults().withFlavour(f));
        return OnnxModel.load(file, new OnnxModel.RunOptions(1, true));
    }

    @Test
    void standardFlavourPrefillsABatchInChunks() throws Exception {
        LlamaWeights w = RandomWeights.of(TestConfigs.GQA_TIED.config(), 1);
        int[][] first = {{1, 2, 3, 4}, {5, 6, 7, 8}};
        int[][] second = {{9, 10, 11}, {12, 13, 14}};
        Comparison c = new Comparison(Tolerance.FP32);
        try (OnnxModel m = export(w, OnnxFlavour.STANDARD); OrtSequence s = m.newSequence(2)) {
            s.append(first);
            Logits l = s.append(second);
            for (int b = 0; b < 2; b++) {
                int[] all = Arrays.copyOf(first[b], 7);
                System.arraycopy(second[b], 0, all, 4, 3);
                c.include("row " + b, Arrays.copyOfRange(TestConfigs.reference(w, all), 4, 7), l.sequence(b));
            }
            assertEquals(7, s.length());
        }
        assertTrue(c.withinTolerance(), c.toString());
    }

    @Test
    void groupQueryAttentionRefusesChunkedBatchWithAClearMessage() throws Exception {
        LlamaWeights w = RandomWeights.of(TestConfigs.GQA_TIED.config(), 1);
        try (OnnxModel m = export(w, OnnxFlavour.OPTIMIZED); OrtSequence s = m.newSequence(2)) {
            assertTrue(m.usesGroupQueryAttention());
            s.append(new int[][] {{1, 2}, {3, 4}});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.append(new int[][] {{1, 2}, {3, 4}}));
            assertTrue(e.getMessage().contains("STANDARD"), e.getMessage());
            s.append(new int[][] {{5}, {6}});
            assertEquals(3, s.length());
        }
    }

    @Test
    void refusesPositionsBeyondTheRopeTables() throws Exception {
        LlamaWeights w = RandomWeights.of(TestConfigs.MHA.config(), 1);
        int max = w.config().maxPositions();
        try (OnnxModel m = export(w, OnnxFlavour.STANDARD); OrtSequence s = m.newSequence(1)) {
            assertEquals(max, m.maxPositions());
            s.append(new int[][] {new int[max]});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.append(new int[][] {{1}}));
            assertTrue(e.getMessage().contains("RoPE tables"), e.getMessage());
        }
    }

    @Test
    void greedyMatchesArgmaxOfReferenceDecoding() throws Exception {
        LlamaWeights w = RandomWeights.of(TestConfigs.PER_LAYER.config(), 4);
        int[] prompt = {3, 1, 4, 1, 5};
        int[] expected = new int[6];
        try (Decoder run = new ReferenceForward(w).newDecoder()) {
            float[][] l = run.append(prompt);
            expected[0] = Generator.argmax(l[l.length - 1]);
            for (int i = 1; i < expected.length; i++) {
                expected[i] = Generator.argmax(run.step(expected[i - 1]));
            }
        }
        try (OnnxModel m = export(w, OnnxFlavour.OPTIMIZED)) {
            assertEquals(Arrays.toString(expected), Arrays.toString(OnnxRuns.greedy(m, prompt, 6)));
        }
    }
}
