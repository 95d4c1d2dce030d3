package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.core.engine.Tolerance;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.surgery.Surgery;
import prunekit.prune.surgery.SurgeryOptions;

/** Identities of surgery: nothing removed changes nothing; removing what contributes zero changes nothing. */
class SurgeryTest {
    static List<LlamaConfig> configs() {
        return Fixtures.configs();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void emptyPlanGivesBitIdenticalLogits(LlamaConfig c) {
        Model m = Fixtures.model(c, 11);
        Model same = Surgery.apply(m, PruningPlan.identity(c), SurgeryOptions.plain());
        assertEquals(m.config(), same.config());
        assertEquals(m.weights().tensors(), same.weights().tensors());
        int[] ids = Fixtures.ids(20, 1);
        float[][] a = Fixtures.logits(m.weights(), ids);
        float[][] b = Fixtures.logits(same.weights(), ids);
        for (int t = 0; t < a.length; t++) {
            assertArrayEquals(a[t], b[t], "position " + t);
        }
    }

    /** KV group 1 of layer 1 (all its query heads) gets zero o_proj columns, then is cut out. */
    @ParameterizedTest
    @MethodSource("configs")
    void removingAKvGroupWithZeroOutputColumnsKeepsLogits(LlamaConfig c) {
        Model m = Fixtures.model(c, 12);
        int layer = 1;
        int g = c.layer(layer).groupSize();
        int hd = c.headDim();
        Model zeroed = zeroColumns(m, TensorNames.weight(layer, Proj.O), g * hd, 2 * g * hd);
        List<LayerPlan> ls = new ArrayList<>(PruningPlan.identity(c).layers());
        int kv = c.layer(layer).kvHeads();
        int[] keptKv = IntStream.range(0, kv).filter(k -> k != 1).toArray();
        int[] keptQ = IntStream.range(0, c.layer(layer).queryHeads()).filter(h -> h / g != 1).toArray();
        ls.set(layer, new LayerPlan(layer, false, keptKv, keptQ, PruningPlan.range(c.layer(layer).ffn())));
        checkSameLogits(zeroed, new PruningPlan("test", "kv group", PruningPlan.range(c.hidden()), ls));
    }

    /** MLP channel 7 of layer 2 gets a zero down_proj column, then is cut out. */
    @ParameterizedTest
    @MethodSource("configs")
    void removingAnMlpChannelWithZeroDownColumnKeepsLogits(LlamaConfig c) {
        Model m = Fixtures.model(c, 13);
        int layer = 2;
        Model zeroed = zeroColumns(m, TensorNames.weight(layer, Proj.DOWN), 7, 8);
        List<LayerPlan> ls = new ArrayList<>(PruningPlan.identity(c).layers());
        LayerPlan p = ls.get(layer);
        int[] ffn = IntStream.range(0, c.layer(layer).ffn()).filter(j -> j != 7).toArray();
        ls.set(layer, new LayerPlan(layer, false, p.kvHeads(), p.queryHeads(), ffn));
        PruningPlan plan = new PruningPlan("test", "channel", PruningPlan.range(c.hidden()), ls);
        Model pruned = checkSameLogits(zeroed, plan);
        assertEquals(c.layer(layer).ffn() - 1, pruned.config().layer(layer).ffn());
        assertEquals(pruned.config().parameterCount(), pruned.weights().countParameters());
    }

    /** Cutting hidden channel 5 removes it everywhere: embedding/lm_head columns, norms, projection rows and columns. */
    @ParameterizedTest
    @MethodSource("configs")
    void hiddenChannelIsCutEverywhere(LlamaConfig c) {
        Model m = Fixtures.model(c, 14);
        int[] keep = IntStream.range(0, c.hidden()).filter(j -> j != 5).toArray();
        PruningPlan plan = new PruningPlan("test", "hidden", keep, PruningPlan.identity(c).layers());
        Model pruned = Surgery.apply(m, plan, SurgeryOptions.plain());
        assertEquals(c.hidden() - 1, pruned.config().hidden());
        assertEquals(pruned.config().parameterCount(), pruned.weights().countParameters());
        assertEquals(m.weights().get(TensorNames.EMBED).selectColumns(keep), pruned.weights().get(TensorNames.EMBED));
        assertEquals(m.weights().lmHead().selectColumns(keep), pruned.weights().lmHead());
        assertEquals(m.weights().get(TensorNames.FINAL_NORM).selectElements(keep),
                pruned.weights().get(TensorNames.FINAL_NORM));
        for (int l = 0; l < c.numLayers(); l++) {
            assertEquals(m.weights().get(TensorNames.inputNorm(l)).selectElements(keep),
                    pruned.weights().get(TensorNames.inputNorm(l)));
            assertEquals(m.weights().get(TensorNames.weight(l, Proj.Q)).selectColumns(keep),
                    pruned.weights().get(TensorNames.weight(l, Proj.Q)));
            assertEquals(m.weights().get(TensorNames.weight(l, Proj.O)).selectRows(keep),
                    pruned.weights().get(TensorNames.weight(l, Proj.O)));
            assertEquals(m.weights().get(TensorNames.weight(l, Proj.DOWN)).selectRows(keep),
                    pruned.weights().get(TensorNames.weight(l, Proj.DOWN)));
        }
        float[][] logits = Fixtures.logits(pruned.weights(), Fixtures.ids(8, 3));
        assertEquals(c.vocabSize(), logits[0].length, "the vocabulary stays");
    }

    private static Model checkSameLogits(Model m, PruningPlan plan) {
        Model pruned = Surgery.apply(m, plan, SurgeryOptions.plain());
        int[] ids = Fixtures.ids(24, 2);
        float[][] ref = Fixtures.logits(m.weights(), ids);
        Tolerance.FP32.check("logits after removing a zero-output group", Tolerance.toDouble(ref),
                Fixtures.logits(pruned.weights(), ids));
        return pruned;
    }

    static Model zeroColumns(Model m, String name, int from, int to) {
        FloatTensor t = m.weights().get(name);
        float[] d = t.data().clone();
        for (int r = 0; r < t.dim(0); r++) {
            for (int col = from; col < to; col++) {
                d[r * t.dim(1) + col] = 0;
            }
        }
        Map<String, FloatTensor> rep = new LinkedHashMap<>();
        rep.put(name, new FloatTensor(t.shape(), d));
        LlamaWeights w = m.weights().with(m.config(), rep);
        return m.withWeights(w, m.source() + " zeroed");
    }
}
