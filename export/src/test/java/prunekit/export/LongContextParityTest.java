package prunekit.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.TestModels;
import prunekit.core.engine.ReferenceForward;
import prunekit.core.engine.Tolerance;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;

/**
 * Both ONNX flavours in ONNX Runtime against the plain reference over the whole 4096-position
 * context of a small model: a chunked prefill, then cached one-token decode to the last position.
 * The baked cos/sin tables must round as our RoPE table does for the late positions to agree:
 * with these weights (std 0.35), tables of angles formed in double miss by up to 1.5e-3, ten times
 * the tolerance; with the shared table the largest |diff| is about 5e-5.
 */
class LongContextParityTest {
    @TempDir
    Path dir;

    @Test
    void bothFlavoursMatchReferenceAtEveryPosition() throws Exception {
        LlamaConfig config = TestModels.LONG_CONTEXT;
        LlamaWeights w = TestModels.random(config, 17, 0.35);
        int n = config.maxPositions();
        int[] ids = TestModels.randomIds(n, config.vocabSize(), 4);
        float[][] ref;
        try (ReferenceForward.Run run = new ReferenceForward(w).newDecoder()) {
            ref = run.append(ids);
        }
        int decoded = 48;
        int[] chunks = {1000, 2047, n - decoded - 3047};
        for (OnnxFlavour flavour : OnnxFlavour.values()) {
            Path file = dir.resolve(flavour + ".onnx");
            OnnxWriter.write(w, file, OnnxWriter.Options.defaults().withFlavour(flavour));
            Comparison cmp = new Comparison(Tolerance.FP32);
            try (OnnxModel m = OnnxModel.load(file, new OnnxModel.RunOptions(1, true));
                 OrtSequence s = m.newSequence(1)) {
                int at = 0;
                for (int c : chunks) {
                    cmp.include("chunk at " + at, Arrays.copyOfRange(ref, at, at + c),
                            s.append(Arrays.copyOfRange(ids, at, at + c)));
                    at += c;
                }
                for (; at < n; at++) {
                    cmp.include("position " + at, new float[][] {ref[at]}, new float[][] {s.step(ids[at])});
                }
                assertEquals(n, s.length());
            }
            assertTrue(cmp.withinTolerance(), flavour + ": " + cmp);
        }
    }
}
