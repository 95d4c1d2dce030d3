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
import prunekit.calibrate.ActivationStats;
import prunekit.calibrate.StatsCollector;
import prunekit.calibrate.StatsOptions;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.engine.Tolerance;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.group.ModelTensors;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.surgery.Surgery;
import prunekit.prune.surgery.SurgeryOptions;

/**
 * Surgery on models with and without biases and with per-layer shapes: nothing removed changes
 * nothing; removing what contributes zero changes nothing; the result holds what the planner counts.
 */
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
            if (c.attentionBias()) {
                assertEquals(m.weights().get(TensorNames.bias(l, Proj.O)).selectElements(keep),
                        pruned.weights().get(TensorNames.bias(l, Proj.O)));
                assertEquals(m.weights().get(TensorNames.bias(l, Proj.Q)), pruned.weights().get(TensorNames.bias(l, Proj.Q)));
            }
        }
        float[][] logits = Fixtures.logits(pruned.weights(), Fixtures.ids(8, 3));
        assertEquals(c.vocabSize(), logits[0].length, "the vocabulary stays");
    }

    /**
     * Width cuts (a KV group, one query head of every group, channels, hidden channels, a dropped
     * layer) and block cuts: the pruned model holds exactly the parameters the planner counts from
     * the removed groups' slices, with and without bias compensation, and its config counts them too.
     */
    @ParameterizedTest
    @MethodSource("configs")
    void prunedModelHoldsWhatThePlannerCounts(LlamaConfig c) {
        Model m = Fixtures.model(c, 15);
        ActivationStats st = StatsCollector.collect(m.weights(), Fixtures.calibration(5), StatsOptions.activations(), null);
        for (PruningPlan plan : List.of(widthPlan(c), blockPlan(c))) {
            for (boolean comp : new boolean[] {false, true}) {
                Model pruned = Surgery.apply(m, plan, comp ? new SurgeryOptions(true, st) : SurgeryOptions.plain());
                ModelTensors counted = comp ? ModelTensors.of(c).withEveryBias() : ModelTensors.of(c);
                assertEquals(counted.cut(plan.removed(c)).parameters(), pruned.weights().countParameters(),
                        plan.budget() + (comp ? " with bias compensation" : ""));
                assertEquals(plan.prunedConfig(c).layers(), pruned.config().layers());
                assertEquals(c.attentionBias() || comp, pruned.config().attentionBias());
                assertEquals(pruned.weights().countParameters(), pruned.config().parameterCount(),
                        "the config counts the tensors the checkpoint holds (block-less layers have no o/down bias), "
                                + plan.budget() + (comp ? " with bias compensation" : ""));
            }
        }
    }

    /** Layer 0 loses KV group 0, layer 1 keeps one query head of every group, layer 2 is dropped; some channels go. */
    static PruningPlan widthPlan(LlamaConfig c) {
        List<LayerPlan> ls = new ArrayList<>();
        int g0 = c.layer(0).groupSize();
        ls.add(new LayerPlan(0, false, IntStream.range(1, c.layer(0).kvHeads()).toArray(),
                IntStream.range(g0, c.layer(0).queryHeads()).toArray(), IntStream.range(0, 30).toArray()));
        int g1 = c.layer(1).groupSize();
        ls.add(new LayerPlan(1, false, PruningPlan.range(c.layer(1).kvHeads()),
                IntStream.range(0, c.layer(1).kvHeads()).map(k -> k * g1 + g1 - 1).toArray(),
                IntStream.range(0, c.layer(1).ffn()).filter(j -> j % 3 != 1).toArray()));
        ls.add(LayerPlan.dropped(2));
        return new PruningPlan("test", "width", IntStream.range(0, c.hidden()).filter(j -> j % 5 != 2).toArray(), ls);
    }

    /** Layer 0 without attention, layer 1 without MLP, layer 2 whole. */
    static PruningPlan blockPlan(LlamaConfig c) {
        List<LayerPlan> ls = new ArrayList<>(PruningPlan.identity(c).layers());
        ls.set(0, new LayerPlan(0, false, new int[0], new int[0], PruningPlan.range(c.layer(0).ffn())));
        ls.set(1, new LayerPlan(1, false, PruningPlan.range(c.layer(1).kvHeads()),
                PruningPlan.range(c.layer(1).queryHeads()), new int[0]));
        return new PruningPlan("test", "blocks", PruningPlan.range(c.hidden()), ls);
    }

    /** FLAP: the down_proj bias becomes b + Σ over removed channels r of W[:, r] · mean(x_r); q/k/v get zero biases. */
    @ParameterizedTest
    @MethodSource("configs")
    void biasCompensationAddsTheRemovedChannelsMeanOutput(LlamaConfig c) {
        Model m = Fixtures.model(c, 16);
        ActivationStats st = StatsCollector.collect(m.weights(), Fixtures.calibration(6), StatsOptions.activations(), null);
        PruningPlan plan = widthPlan(c);
        Model pruned = Surgery.apply(m, plan, new SurgeryOptions(true, st));
        int layer = 1;
        FloatTensor down = m.weights().get(TensorNames.weight(layer, Proj.DOWN));
        FloatTensor old = m.weights().getOrNull(TensorNames.bias(layer, Proj.DOWN));
        int[] hid = plan.hidden();
        float[] expected = new float[hid.length];
        for (int i = 0; i < hid.length; i++) {
            double b = old == null ? 0 : old.data()[hid[i]];
            for (int r = 1; r < down.dim(1); r += 3) { // the channels the plan removes
                b += down.data()[hid[i] * down.dim(1) + r] * st.channel(layer, Site.DOWN_PROJ_INPUT).mean(r);
            }
            expected[i] = (float) b;
        }
        assertArrayEquals(expected, pruned.weights().get(TensorNames.bias(layer, Proj.DOWN)).data(), 1e-6f);
        FloatTensor qb = pruned.weights().get(TensorNames.bias(0, Proj.Q));
        if (!c.attentionBias()) {
            assertArrayEquals(new float[qb.data().length], qb.data(), "a model without biases gets zero q biases");
        }
        assertEquals(pruned.config().parameterCount(), pruned.weights().countParameters());
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
        Map<String, FloatTensor> all = new LinkedHashMap<>(m.weights().tensors());
        all.put(name, new FloatTensor(t.shape(), d));
        LlamaWeights w = new LlamaWeights(m.config(), all, m.weights().storedDtype());
        return m.withWeights(w, m.source() + " zeroed");
    }
}
