package prunekit.prune.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.TestModels;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.MeteredTensorSource;
import prunekit.core.io.SyntheticWeights;
import prunekit.core.io.TensorSource;
import prunekit.core.model.DType;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.ReferenceShape;
import prunekit.prune.budget.Budget;

/** The reconstruction pruner streamed from disk: what it holds at once does not grow with depth. */
class StreamedReconTest {
    private static CalibrationSet calibration(int vocab) {
        Random r = new Random(5);
        int[] stream = new int[400];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = r.nextInt(vocab);
        }
        return CalibrationSet.fromStream(stream, "random", new CalibrationOptions(6, 12, 1, 1));
    }

    /**
     * 2 and 16 layers of the same width, pruned by the default recipe's local pruner and written:
     * the weights read and held at once are one layer's (or the embedding's), whatever the depth.
     */
    @Test
    void residentWeightsOfTheReconPrunerDoNotGrowWithLayerCount(@TempDir Path dir) {
        int[] layers = {2, 16};
        long[] peaks = new long[2];
        for (int k = 0; k < 2; k++) {
            LlamaConfig c = ReferenceShape.TINY.withLayers(layers[k]);
            MeteredTensorSource src = new MeteredTensorSource(new SyntheticWeights(c, DType.F32, 1));
            SequentialPruner.Run run = Recon.start(src, calibration(c.vocabSize()),
                    new Budget.KeepRatio(0.5, Budget.Scope.LAYERS), ReconOptions.defaults(),
                    SearchOptions.defaults().withGenerations(0), msg -> { });
            Path out = dir.resolve("l" + layers[k]);
            HfCheckpoint.write(run.config(), run.tensors(), null, out, HfCheckpoint.WriteOptions.defaults()
                    .withDtype(DType.F32));
            assertEquals(layers[k], run.result().plan().layers().size());
            try (TensorSource back = TensorSource.open(out)) {
                assertEquals(run.config().parameterCount(), back.parameterCount(), "the checkpoint holds what the plan says");
                assertTrue(back.parameterCount() < c.parameterCount());
            }
            peaks[k] = src.peakBytes();
        }
        LlamaConfig c = ReferenceShape.TINY.config();
        long layer = TestModels.layerBytes(c);
        assertEquals(peaks[0], peaks[1], "the same peak at 2 and 16 layers");
        assertTrue(peaks[0] >= layer && peaks[0] <= TestModels.oneLayerPeakBytes(c),
                peaks[0] + " bytes: one layer (" + layer + ") or the embedding at most");
        assertTrue(peaks[1] < 16 * layer, "far below the 16 layers' " + 16 * layer + " bytes");
    }
}
