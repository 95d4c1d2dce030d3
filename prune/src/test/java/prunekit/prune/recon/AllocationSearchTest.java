package prunekit.prune.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.prune.Fixtures;
import prunekit.prune.budget.Budget;

/** The searched allocation on a small random model: seeded, and it spends the budget exactly. */
class AllocationSearchTest {
    @Test
    void searchIsDeterministicAndFillsTheBudget() {
        LlamaConfig c = Fixtures.config(2, false);
        Model m = Fixtures.model(c, 31);
        int[] stream = Fixtures.ids(900, 32);
        CalibrationSet cal = CalibrationSet.fromStream(stream, "random", new CalibrationOptions(6, 16, 33, 3));
        ReconOptions o = ReconOptions.defaults();
        SearchOptions so = new SearchOptions(3, 4, 7, 4, 2);
        Budget.KeepRatio b = new Budget.KeepRatio(0.5, Budget.Scope.LAYERS);
        long target = b.targetTotal(c);
        Allocation uniform = Allocation.uniform(c, target, o.attention(), false);
        Allocation a1 = AllocationSearch.search(m, cal, uniform, target, o, so, s -> { });
        Allocation a2 = AllocationSearch.search(Fixtures.model(c, 31), cal, uniform, target, o, so, s -> { });
        assertEquals(a1, a2, "same seed, same allocation");
        long params = a1.parameters(c, o.attention(), false);
        assertTrue(params <= target, params + " > target " + target);
        for (int i = 0; i < c.numLayers(); i++) {
            int[] ffn = a1.ffn();
            if (ffn[i] == 0 || ffn[i] == c.layer(i).ffn()) {
                continue;
            }
            ffn[i]++;
            assertTrue(new Allocation(a1.attention(), ffn).parameters(c, o.attention(), false) > target,
                    "one more channel in layer " + i + " would still fit: the budget is not spent");
        }
        SequentialPruner.InMemory r1 = Recon.prune(m, cal, b, o, so, s -> { });
        SequentialPruner.InMemory r2 = Recon.prune(Fixtures.model(c, 31), cal, b, o, so, s -> { });
        assertEquals(r1.result().plan(), r2.result().plan());
        assertEquals(r1.model().weights().tensors(), r2.model().weights().tensors(), "byte-identical weights");
    }
}
