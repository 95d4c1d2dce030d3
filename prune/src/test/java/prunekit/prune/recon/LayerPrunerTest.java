package prunekit.prune.recon;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.List;
import org.junit.jupiter.api.Test;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.TensorNames.Proj;

/** What a pruned layer's result keeps alive: a streamed run holds every layer's variants, so they must hold no more. */
class LayerPrunerTest {
    @Test
    void theVariantsListsDoNotKeepTheChosenLayerAlive() throws InterruptedException {
        LayerShape shape = new LayerShape(4, 4, 64);
        LlamaConfig c = LlamaConfig.builder().vocabSize(16).hidden(32).headDim(8).uniformLayers(1, shape)
                .maxPositions(64).build();
        LayerPruner.Result r = LayerPruner.prune(c, Layer7bBench.layer(shape, 32, 8, 1), Layer7bBench.streams(2, 16, 32),
                2, 32, LayerPruner.Sizes.NONE, ReconOptions.defaults());
        List<BlockVariant> av = r.attentionVariants(); // what SequentialPruner.Run keeps for every layer
        List<BlockVariant> mv = r.mlpVariants();
        WeakReference<FloatTensor> o = new WeakReference<>(r.layer().weights().get(Proj.O));
        WeakReference<FloatTensor> down = new WeakReference<>(r.layer().weights().get(Proj.DOWN));
        r = null; // the pruned layer itself is written and dropped
        for (int i = 0; i < 50 && (o.get() != null || down.get() != null); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(o.get(), "the chosen o_proj is still reachable through the variants lists");
        assertNull(down.get(), "the chosen down_proj is still reachable through the variants lists");
        assertTrue(av.isEmpty() && mv.isEmpty(), "no other sizes were asked for");
    }
}
