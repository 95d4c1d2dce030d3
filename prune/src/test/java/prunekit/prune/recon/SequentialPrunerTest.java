package prunekit.prune.recon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.engine.Tolerance;
import prunekit.core.io.TensorSource;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.Fixtures;
import prunekit.prune.budget.AttentionUnit;
import prunekit.prune.budget.Budget;

/** Sequential pruning on small random models (MHA and GQA): budget, identities and determinism. */
class SequentialPrunerTest {
    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(4, AttentionUnit.KV_GROUPS, RefitTarget.SELF, false),
                Arguments.of(2, AttentionUnit.KV_GROUPS, RefitTarget.DENSE, true),
                Arguments.of(2, AttentionUnit.QUERY_HEADS, RefitTarget.DENSE_RESIDUAL, false));
    }

    private static SequentialPruner.InMemory run(Model m, CalibrationSet cal, Allocation a, ReconOptions o) {
        SequentialPruner.Run r = SequentialPruner.start(TensorSource.of(m.weights(), m.source()), cal.calibration(),
                cal.seqLen(), a, LayerPruner.Sizes.NONE, o, "test", s -> { });
        Model pruned = new Model(r.config(), r.collect(), m.tokenizer(), m.source() + " pruned (recon, test)");
        return new SequentialPruner.InMemory(pruned, r.result());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void sameSeedGivesTheSamePlanAndWeightsWithinTheBudget(int kv, AttentionUnit unit, RefitTarget target,
                                                          boolean intercept) {
        LlamaConfig c = Fixtures.config(kv, false);
        Model m = Fixtures.model(c, 11);
        CalibrationSet cal = Fixtures.calibration(12);
        ReconOptions o = ReconOptions.defaults().withAttention(unit).withTarget(target).withIntercept(intercept)
                .withDamping(0.01);
        long target0 = new Budget.KeepRatio(0.5, Budget.Scope.LAYERS).targetTotal(c);
        Allocation a = Allocation.uniform(c, target0, unit, intercept);
        SequentialPruner.InMemory r1 = run(m, cal, a, o);
        SequentialPruner.InMemory r2 = run(Fixtures.model(c, 11), cal, a, o);
        assertEquals(r1.result().plan(), r2.result().plan());
        assertEquals(r1.model().weights().tensors(), r2.model().weights().tensors(), "byte-identical weights");
        assertTrue(r1.model().config().parameterCount() <= target0, "within the budget");
        assertEquals(a.parameters(c, unit, intercept), r1.model().weights().countParameters());
        assertEquals(intercept, r1.model().config().mlpBias());
    }

    /** Keeping everything with a (nearly) unregularized self refit reproduces the model's logits. */
    @ParameterizedTest
    @MethodSource("cases")
    void keepingEverythingChangesNothing(int kv, AttentionUnit unit, RefitTarget target, boolean intercept) {
        LlamaConfig c = Fixtures.config(kv, true);
        Model m = Fixtures.model(c, 21);
        CalibrationSet cal = Fixtures.calibration(22);
        int[] units = new int[c.numLayers()];
        int[] ffn = new int[c.numLayers()];
        Arrays.fill(units, Allocation.units(c.layer(0), unit));
        Arrays.fill(ffn, c.layer(0).ffn());
        ReconOptions o = ReconOptions.defaults().withAttention(unit).withTarget(target).withDamping(1e-9);
        Model p = run(m, cal, new Allocation(units, ffn), o).model();
        int[] ids = Fixtures.ids(12, 23);
        float[][] want = Fixtures.logits(m.weights(), ids);
        float[][] got = Fixtures.logits(p.weights(), ids);
        for (int t = 0; t < ids.length; t++) {
            new Tolerance(2e-3, 2e-3).check("logits at " + t, Tolerance.toDouble(want[t]), got[t]);
        }
        assertArrayEquals(m.weights().get(TensorNames.weight(0, Proj.Q)).data(),
                p.weights().get(TensorNames.weight(0, Proj.Q)).data(), "q/k/v and gate/up are only cut, never changed");
    }
}
