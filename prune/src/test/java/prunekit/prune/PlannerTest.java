package prunekit.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;
import prunekit.prune.budget.PlanOptions;
import prunekit.prune.budget.Planner;
import prunekit.prune.group.GroupKind;
import prunekit.prune.group.ModelTensors;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.recon.Allocation;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;

/** Budgets and allocation on shapes and synthetic scores (no weights needed). */
class PlannerTest {
    static final LlamaConfig LLAMA2_7B = LlamaConfig.builder().vocabSize(32000).hidden(4096).headDim(128)
            .uniformLayers(32, new LayerShape(32, 32, 11008)).maxPositions(4096).build();

    /** Sheared-LLaMA-2.7B: hidden 2560, 20 heads of 128, FFN 6912, 32 layers, untied 32000-token head. */
    @Test
    void targetArchGivesShearedLlamaShapeAndCount() {
        assertEquals(6_738_415_616L, LLAMA2_7B.parameterCount(), "LLaMA-2-7B's published count");
        Budget.TargetArch arch = Budget.TargetArch.parse("hidden=2560,heads=20,kv-heads=20,ffn=6912,layers=32");
        LlamaConfig sheared = arch.targetConfig(LLAMA2_7B);
        assertEquals(2560, sheared.hidden());
        assertEquals(128, sheared.headDim());
        assertEquals(32, sheared.numLayers());
        assertTrue(sheared.isUniform());
        assertEquals(new LayerShape(20, 20, 6912), sheared.layer(0));
        long h = 2560, v = 32000, f = 6912, q = 20 * 128, layers = 32;
        long perLayer = h * q * 2 + h * q * 2 + 3 * h * f + 2 * h; // q,o + k,v (MHA) + MLP + two norms
        long expected = 2 * v * h + layers * perLayer + h;    // embedding + lm_head + layers + final norm
        assertEquals(2_701_560_320L, expected);
        assertEquals(expected, sheared.parameterCount());
        assertEquals(expected, ModelTensors.of(sheared).parameters(), "counted from the tensors' shapes");
    }

    /**
     * {@code --target-params 2.7B} on LLaMA-2-7B: the default recipe's uniform allocation (12 of 32 KV groups, FFN
     * 4151) and a scorer's adaptive plan each come out at most 2.7B, and the count the prune command reports (the
     * pruned config's) is the one the pruned tensors' shapes give.
     */
    @Test
    void targetParamsOnLlama2_7BPlansTheCountItReports() {
        Budget.TargetParams b = new Budget.TargetParams(Budget.parseCount("2.7B"));
        long target = b.targetTotal(LLAMA2_7B);
        assertEquals(2_700_000_000L, target);
        LlamaConfig uniform = Allocation.uniform(LLAMA2_7B, target, AttentionUnit.KV_GROUPS, false)
                .config(LLAMA2_7B, AttentionUnit.KV_GROUPS, false);
        assertTrue(uniform.isUniform());
        assertEquals(new LayerShape(12, 12, 4151), uniform.layer(0));
        long h = 4096, v = 32000, q = 12 * 128;
        long perLayer = 4 * h * q + 3 * h * 4151 + 2 * h; // q, k, v, o (MHA) + MLP + two norms
        long expected = 2 * v * h + 32 * perLayer + h;
        assertEquals(2_699_956_224L, expected);
        assertEquals(expected, uniform.parameterCount());
        assertEquals(expected, ModelTensors.of(uniform).parameters(), "counted from the tensors' shapes");
        assertTrue(expected + 32 * 3 * h > target, "one more FFN channel per layer would break the budget");

        PruningPlan p = Planner.plan(LLAMA2_7B, synthetic(LLAMA2_7B, 7), ScorerName.MAGNITUDE, b, PlanOptions.defaults());
        long reported = p.prunedConfig(LLAMA2_7B).parameterCount();
        assertEquals(ModelTensors.of(LLAMA2_7B).cut(p.removed(LLAMA2_7B)).parameters(), reported,
                "the plan's config counts what surgery cuts");
        assertTrue(reported <= target && reported > target - 32 * 3 * h, reported + " is not just under " + target);
    }

    @Test
    void targetArchPlanCutsEverythingConsistently() {
        LlamaConfig c = Fixtures.config(2, false);
        ImportanceScores s = synthetic(c, 1);
        Budget.TargetArch arch = Budget.TargetArch.parse("hidden=20,heads=2,kv-heads=1,ffn=30,layers=2");
        PruningPlan p = Planner.plan(c, s, ScorerName.MAGNITUDE, arch, PlanOptions.defaults());
        LlamaConfig pc = p.prunedConfig(c);
        assertEquals(arch.targetConfig(c), pc);
        assertEquals(1, p.droppedLayers().length);
        PruningPlan q = Planner.plan(c, s, ScorerName.MAGNITUDE,
                Budget.TargetArch.parse("hidden=24,heads=2,kv-heads=2,ffn=40,layers=3"), PlanOptions.defaults());
        for (LayerPlan l : q.layers()) {
            assertEquals(2, l.kvHeads().length);
            assertEquals(2, l.queryHeads().length);
            assertTrue(l.queryHeads()[0] < 2 && l.queryHeads()[1] >= 2, "one query head from each group");
        }
    }

    @Test
    void badBudgetsSayWhatToDo() {
        for (double r : new double[] {0, -0.1, 1.01, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Budget.KeepRatio(r, Budget.Scope.ALL));
            assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
        }
        LlamaConfig c = Fixtures.config(2, false);
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> new Budget.TargetParams(c.parameterCount() + 1).targetTotal(c));
        assertTrue(big.getMessage().contains("larger than the model"), big.getMessage());
        IllegalArgumentException arch = assertThrows(IllegalArgumentException.class,
                () -> Budget.TargetArch.parse("hidden=2560,heads=20,kv-heads=8,ffn=6912,layers=32").targetConfig(
                        LLAMA2_7B.toBuilder().uniformLayers(32, new LayerShape(32, 8, 11008)).build()));
        assertTrue(arch.getMessage().contains("whole heads and groups") && arch.getMessage().contains("kv-heads"),
                arch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Budget.TargetArch.parse("hidden=2560,heads=20"));
        assertThrows(IllegalArgumentException.class,
                () -> Budget.TargetArch.parse("hidden=8192,heads=32,kv-heads=32,ffn=11008,layers=32").targetConfig(LLAMA2_7B));
        assertThrows(IllegalArgumentException.class, () -> Budget.parseCount("lots"));
        IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class, () -> Planner.plan(c,
                synthetic(c, 2), ScorerName.MAGNITUDE, new Budget.TargetParams(1000), PlanOptions.defaults()));
        assertTrue(tiny.getMessage().contains("cannot be reached"), tiny.getMessage());
    }

    @Test
    void parameterCountsParse() {
        assertEquals(2_700_000_000L, Budget.parseCount("2.7B"));
        assertEquals(500_000_000L, Budget.parseCount("500M"));
        assertEquals(6_800_000L, Budget.parseCount("6.8M"));
        assertEquals(12345L, Budget.parseCount("12345"));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.9, 0.7, 0.5, 0.386})
    void everyAllocationStaysWithinTheBudget(double ratio) {
        LlamaConfig c = Fixtures.config(2, false);
        ImportanceScores s = synthetic(c, 3);
        Budget.KeepRatio b = new Budget.KeepRatio(ratio, Budget.Scope.LAYERS);
        long target = b.targetTotal(c);
        for (PlanOptions o : List.of(PlanOptions.defaults(), PlanOptions.defaults().withUniform(true),
                PlanOptions.defaults().withAlign(4), PlanOptions.defaults().withAttention(AttentionUnit.QUERY_HEADS),
                PlanOptions.defaults().withUniform(true).withAttention(AttentionUnit.QUERY_HEADS).withAlign(8))) {
            PruningPlan p = Planner.plan(c, s, ScorerName.MAGNITUDE, b, o);
            LlamaConfig pc = p.prunedConfig(c);
            assertTrue(pc.parameterCount() <= target, o + ": " + pc.parameterCount() + " > " + target);
            long layersTarget = (long) (ratio * c.parameterCounts().get("layers"));
            if (o.align() == 1) { // with coarse alignment a 40-channel FFN can only land on multiples of 8
                assertTrue(pc.parameterCounts().get("layers") > 0.8 * layersTarget, o + " prunes far more than asked");
            }
            for (LayerShape l : pc.layers()) {
                assertTrue(l.kvHeads() >= 1 && l.ffn() >= 3, "floors: " + l);
                assertTrue(l.ffn() % o.align() == 0 || l.ffn() == 40, "align " + o.align() + ": " + l);
            }
            if (o.uniform()) {
                assertTrue(pc.isUniform(), "uniform plan: " + pc.layers());
            }
        }
    }

    @Test
    void adaptivePlansFollowTheScores() {
        LlamaConfig c = Fixtures.config(4, false);
        ImportanceScores s = synthetic(c, 4);
        // layer 2: four outliers and 36 equal channels. Standardized per layer, the 36 sit at z = −1/3, above
        // the lower half of a random layer's skewed scores, so layer 2 keeps more channels than layers 0 and 1
        // although its raw scores (0.01) are the smallest of all: the global ranking reads z-scores
        double[][] mlp = s.get(ScorerName.MAGNITUDE, GroupKind.MLP_CHANNEL);
        for (int j = 0; j < mlp[0].length; j++) {
            mlp[2][j] = (j % 10 == 0) ? 5 : 0.01;
        }
        Budget.KeepRatio b = new Budget.KeepRatio(0.6, Budget.Scope.LAYERS);
        PruningPlan p = Planner.plan(c, s, ScorerName.MAGNITUDE, b, PlanOptions.defaults());
        int[] ffn = p.layers().stream().mapToInt(l -> l.ffn().length).toArray();
        assertTrue(ffn[2] > ffn[0] && ffn[2] > ffn[1], "layer 2 keeps the most channels: " + p.prunedConfig(c).layers());
        for (int j : new int[] {0, 10, 20, 30}) {
            assertTrue(java.util.Arrays.binarySearch(p.layers().get(2).ffn(), j) >= 0, "outlier " + j + " is kept");
        }
        for (int j = 0; j < mlp[0].length; j++) {
            mlp[0][j] *= 1000; // a layer's scale does not matter after standardization
        }
        assertEquals(p, Planner.plan(c, s, ScorerName.MAGNITUDE, b, PlanOptions.defaults()));
        for (int l = 0; l < c.numLayers(); l++) { // within a layer the best-scoring channels are kept
            int[] kept = p.layers().get(l).ffn();
            double[] row = mlp[l];
            double worstKept = java.util.Arrays.stream(kept).mapToDouble(j -> row[j]).min().orElseThrow();
            for (int j = 0; j < c.layer(l).ffn(); j++) {
                if (java.util.Arrays.binarySearch(kept, j) < 0) {
                    assertTrue(mlp[l][j] <= worstKept, "layer " + l + " drops channel " + j + " but keeps a worse one");
                }
            }
        }
    }

    /** With bias compensation the biases surgery adds are counted: the plan's model with them is within budget. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void biasCompensationIsCountedInTheBudget(boolean uniform) {
        LlamaConfig c = Fixtures.config(2, false);
        Budget.KeepRatio b = new Budget.KeepRatio(0.5, Budget.Scope.LAYERS);
        PlanOptions o = PlanOptions.defaults().withUniform(uniform);
        PruningPlan plain = Planner.plan(c, synthetic(c, 5), ScorerName.MAGNITUDE, b, o);
        PruningPlan comp = Planner.plan(c, synthetic(c, 5), ScorerName.MAGNITUDE, b, o.withBiasCompensation(true));
        long withBiases = ModelTensors.of(c).withEveryBias().cut(comp.removed(c)).parameters();
        assertTrue(withBiases <= b.targetTotal(c), withBiases + " > " + b.targetTotal(c));
        assertTrue(ModelTensors.of(c).withEveryBias().cut(plain.removed(c)).parameters() > b.targetTotal(c),
                "without counting them the biases would break this budget");
    }

    @Test
    void depthPlansDropTheLeastInfluentialLayers() {
        LlamaConfig c = Fixtures.config(2, false);
        Map<ScorerName, Map<GroupKind, double[][]>> m = new EnumMap<>(ScorerName.class);
        Map<GroupKind, double[][]> k = new EnumMap<>(GroupKind.class);
        k.put(GroupKind.LAYER, new double[][] {{0.5}, {0.1}, {0.3}});
        k.put(GroupKind.ATTENTION_BLOCK, new double[][] {{0.2}, {0.05}, {0.3}});
        k.put(GroupKind.MLP_BLOCK, new double[][] {{0.4}, {0.06}, {0.01}});
        m.put(ScorerName.BLOCK_INFLUENCE, k);
        ImportanceScores s = scores(c, m);
        Budget.KeepRatio b = new Budget.KeepRatio(0.6, Budget.Scope.LAYERS);
        PruningPlan uni = Planner.plan(c, s, ScorerName.BLOCK_INFLUENCE, b, PlanOptions.defaults().withUniform(true));
        assertEquals(List.of(1, 2), java.util.Arrays.stream(uni.droppedLayers()).boxed().toList());
        PruningPlan ada = Planner.plan(c, s, ScorerName.BLOCK_INFLUENCE, b, PlanOptions.defaults());
        assertTrue(ada.prunedConfig(c).parameterCount() <= b.targetTotal(c));
        assertEquals(0, ada.layers().get(2).ffn().length, "the MLP block of layer 2 (score 0.01) goes first");
    }

    static ImportanceScores synthetic(LlamaConfig c, long seed) {
        Random r = new Random(seed);
        Map<GroupKind, double[][]> k = new EnumMap<>(GroupKind.class);
        for (GroupKind kind : GroupKind.values()) {
            double[][] rows = new double[kind.rows(c)][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = r.doubles(kind.count(c, i)).map(x -> x * x).toArray();
            }
            k.put(kind, rows);
        }
        Map<ScorerName, Map<GroupKind, double[][]>> m = new EnumMap<>(ScorerName.class);
        m.put(ScorerName.MAGNITUDE, k);
        return scores(c, m);
    }

    static ImportanceScores scores(LlamaConfig c, Map<ScorerName, Map<GroupKind, double[][]>> m) {
        return new ImportanceScores(new ImportanceScores.Provenance("synthetic", "none", 0, 0, 0, 0, 0), c.hidden(),
                c.headDim(), c.layers(), m, List.of());
    }
}
