package prunekit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.engine.Decoder;
import prunekit.core.engine.ReferenceForward;
import prunekit.core.engine.Tolerance;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.RandomWeights;

/** ParityCheck finds a planted difference and says where it is. */
class ParityCheckTest {
    @TempDir
    Path dir;

    /** The plain reference with one logit moved by {@code delta} at decode step {@code step}, token 7. */
    private static Decoder.Source perturbed(Decoder.Source inner, int step, float delta) {
        return new Decoder.Source() {
            public String name() {
                return "perturbed";
            }

            public Decoder newDecoder() {
                Decoder r = inner.newDecoder();
                return new Decoder() {
                    private int calls;

                    public float[][] append(int[] ids) {
                        float[][] l = r.append(ids);
                        if (calls++ == step) {
                            l[0][7] += delta;
                        }
                        return l;
                    }

                    public int length() {
                        return r.length();
                    }

                    public int maxPositions() {
                        return r.maxPositions();
                    }

                    public void close() {
                        r.close();
                    }
                };
            }
        };
    }

    @Test
    void reportsAPlantedDifferenceAndItsPlace() throws Exception {
        LlamaWeights w = RandomWeights.of(TestConfigs.GQA_TIED.config(), 9);
        Path f = dir.resolve("m.onnx");
        OnnxWriter.write(w, f, OnnxWriter.Options.defaults());
        ParityCheck.Options opts = new ParityCheck.Options(6, Tolerance.FP32);
        try (OnnxModel m = OnnxModel.load(f, new OnnxModel.RunOptions(1, true))) {
            List<int[]> prompts = List.of(new int[] {1, 2, 3}, new int[] {4, 5});
            ParityReport clean = ParityCheck.run(new ReferenceForward(w), m, prompts, opts);
            assertTrue(clean.passed(), clean.summary());
            assertEquals(7, clean.referenceTokens().get(0).length);

            ParityReport bad = ParityCheck.run(perturbed(new ReferenceForward(w), 3, 0.01f), m, prompts, opts);
            assertFalse(bad.withinTolerance(), bad.summary());
            assertEquals("prompt 0 decode step 3", bad.worst().label());
            assertEquals(7, bad.worst().index());
            assertTrue(bad.maxAbsDiff() > 0.009 && bad.maxAbsDiff() < 0.011, bad.summary());
        }
    }
}
