package prunekit.prune.recon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import prunekit.core.engine.Bf16;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;

/**
 * {@link ReconOptions.Matmul}: auto keeps every product below {@link BlockObs#MIN_WIDTH} in fp32 (the small models'
 * bytes), and a layer's forward with bf16 products computes the fp32 forward's function to bf16's precision.
 */
class Bf16ReconTest {
    @Test
    void autoIsFp32BelowTheWidePath() {
        assertFalse(ReconOptions.Matmul.AUTO.bf16(BlockObs.MIN_WIDTH - 1));
        assertFalse(ReconOptions.Matmul.FP32.bf16(1 << 20));
        assertTrue(ReconOptions.Matmul.BF16.bf16(8));
        assertEquals(Bf16.unavailable().isEmpty(), ReconOptions.Matmul.AUTO.bf16(BlockObs.MIN_WIDTH));
        assertEquals(ReconOptions.Matmul.AUTO, ReconOptions.defaults().matmul());
    }

    /** Both sites' inputs and the sub-blocks' outputs of a random GQA layer, bf16 products against fp32. */
    @Test
    void bf16ForwardMatchesFp32ToBf16Precision() {
        Assumptions.assumeTrue(Bf16.unavailable().isEmpty(), () -> "SKIP bf16 forward: " + Bf16.unavailable().get());
        int hidden = 256;
        int hd = 32;
        LayerShape shape = new LayerShape(8, 4, 688);
        LlamaConfig c = LlamaConfig.builder().vocabSize(16).hidden(hidden).headDim(hd).uniformLayers(1, shape)
                .maxPositions(64).build();
        LayerTensors layer = Layer7bBench.layer(shape, hidden, hd, 5);
        LayerPruner.States in = Layer7bBench.streams(6, 32, hidden);
        ReconOptions fp32 = ReconOptions.defaults().withMatmul(ReconOptions.Matmul.FP32);
        ReconOptions bf16 = ReconOptions.defaults().withMatmul(ReconOptions.Matmul.BF16);
        for (Site site : new Site[] {Site.O_PROJ_INPUT, Site.DOWN_PROJ_INPUT}) {
            LayerTensors block = layer.only(site == Site.O_PROJ_INPUT);
            float[][] a = LayerRunner.capture(c, block, site, in.pruned(), in.n(), in.t(), fp32, LayerRunner.Capture.BOTH);
            float[][] b = LayerRunner.capture(c, block, site, in.pruned(), in.n(), in.t(), bf16, LayerRunner.Capture.BOTH);
            for (int k = 0; k < 2; k++) {
                double err = relative(a[k], b[k]);
                // bf16 keeps 8 significant bits (relative 2^-9 per input); two or three products in a row: ~1e-2
                assertTrue(err < 2e-2 && err > 1e-5, site + (k == 0 ? " input" : " output") + ": relative error " + err);
            }
            float[][] again = LayerRunner.capture(c, block, site, in.pruned(), in.n(), in.t(), bf16, LayerRunner.Capture.BOTH);
            assertArrayEquals(b[1], again[1], "bf16 products are deterministic");
        }
    }

    private static double relative(float[] ref, float[] got) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < ref.length; i++) {
            num += (double) (ref[i] - got[i]) * (ref[i] - got[i]);
            den += (double) ref[i] * ref[i];
        }
        return Math.sqrt(num / den);
    }
}
