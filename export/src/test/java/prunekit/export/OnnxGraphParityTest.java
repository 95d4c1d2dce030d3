package prunekit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.core.engine.Tolerance;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.RandomWeights;

/**
 * Exported graphs (both flavours, several shapes) against the plain-Java reference: prefill
 * logits, decoding with the cache against a prefill of the whole sequence, and a left-padded
 * batch against its rows run alone.
 */
class OnnxGraphParityTest {
    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (TestConfigs.Case c : TestConfigs.all()) {
            for (OnnxFlavour f : OnnxFlavour.values()) {
                a.add(Arguments.of(c, f));
            }
        }
        return a.stream();
    }

    private OnnxModel export(LlamaWeights w, OnnxFlavour f) throws Exception {
        Path file = dir.resolve("model-" + f + ".onnx");
        OnnxWriter.write(w, file, OnnxWriter.Options.defaults().withFlavour(f));
        return OnnxModel.load(file, new OnnxModel.RunOptions(1, true));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void prefillAndDecodeMatchReference(TestConfigs.Case c, OnnxFlavour flavour) throws Exception {
        LlamaWeights w = RandomWeights.of(c.config(), 7);
        int[] ids = TestConfigs.tokens(11, c.config().vocabSize(), 3);
        float[][] expected = TestConfigs.reference(w, ids);
        try (OnnxModel m = export(w, flavour)) {
            Comparison prefill = new Comparison(Tolerance.FP32).include("prefill", expected,
                    OnnxRuns.prefillLogits(m, ids));
            assertTrue(prefill.withinTolerance(), c + " " + flavour + " prefill: " + prefill);

            // prefill 6, then 5 single-token steps == prefill of all 11
            Comparison decode = new Comparison(Tolerance.FP32);
            try (OrtSequence s = m.newSequence(1)) {
                decode.include("chunk", Arrays.copyOfRange(expected, 0, 6),
                        s.append(new int[][] {Arrays.copyOf(ids, 6)}).sequence(0));
                for (int t = 6; t < ids.length; t++) {
                    decode.include("step " + t, new float[][] {expected[t]},
                            s.append(new int[][] {{ids[t]}}).sequence(0));
                }
                assertEquals(ids.length, s.length());
            }
            assertTrue(decode.withinTolerance(), c + " " + flavour + " decode: " + decode);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void leftPaddedBatchMatchesRowsAlone(TestConfigs.Case c, OnnxFlavour flavour) throws Exception {
        LlamaWeights w = RandomWeights.of(c.config(), 11);
        int vocab = c.config().vocabSize();
        int[] full = TestConfigs.tokens(7, vocab, 5);
        int[] shortRow = TestConfigs.tokens(4, vocab, 6);
        int[] next = {3, 9};
        int[][] ids = {full, {0, 0, 0, shortRow[0], shortRow[1], shortRow[2], shortRow[3]}};
        int[][] mask = {{1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1}};
        float[][] refFull = TestConfigs.reference(w, concat(full, next[0]));
        float[][] refShort = TestConfigs.reference(w, concat(shortRow, next[1]));
        Comparison cmp = new Comparison(Tolerance.FP32);
        try (OnnxModel m = export(w, flavour); OrtSequence s = m.newSequence(2)) {
            Logits prefill = s.append(ids, mask);
            cmp.include("row 0 prefill", Arrays.copyOf(refFull, 7), prefill.sequence(0));
            cmp.include("row 1 prefill", Arrays.copyOf(refShort, 4), Arrays.copyOfRange(prefill.sequence(1), 3, 7));
            Logits step = s.append(new int[][] {{next[0]}, {next[1]}});
            cmp.include("row 0 step", new float[][] {refFull[7]}, step.sequence(0));
            cmp.include("row 1 step", new float[][] {refShort[4]}, step.sequence(1));
        }
        assertTrue(cmp.withinTolerance(), c + " " + flavour + ": " + cmp);
    }

    static int[] concat(int[] a, int b) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }
}
