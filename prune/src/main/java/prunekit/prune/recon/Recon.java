package prunekit.prune.recon;

import java.util.function.Consumer;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.io.TensorSource;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.prune.budget.Budget;

/**
 * The default pruning recipe of {@code prunekit prune} (no {@code --scorer}): a parameter budget
 * turned into an allocation (uniform, or searched), then sequential layer-wise reconstruction on
 * the calibration windows, streamed one layer at a time ({@link SequentialPruner.Run}). The search
 * holds the model and its candidate sub-blocks in memory: it is refused up front, with its estimate,
 * where that does not fit.
 */
public final class Recon {
    /** Calibration windows × tokens the default recipe draws (measured: see the README's table). */
    public static final int DEFAULT_SAMPLES = 256;
    public static final int DEFAULT_SEQ_LEN = 256;

    private Recon() {
    }

    /**
     * Starts pruning {@code w} to {@code budget}: uniform allocation, or with {@code search} generations
     * the searched one (on {@code calibration}'s held-out windows), then sequential reconstruction,
     * which runs as the returned pass's tensors are written.
     */
    public static SequentialPruner.Run start(TensorSource w, CalibrationSet calibration, Budget budget, ReconOptions o,
                                             SearchOptions search, Consumer<String> log) {
        LlamaConfig c = w.config();
        long target = target(c, budget);
        Allocation a = Allocation.uniform(c, target, o.attention(), o.intercept());
        if (search.generations() > 0) {
            MemoryCheck.require("the allocation search", AllocationSearch.memoryBytes(c, o, search, calibration.seqLen()),
                    MemoryCheck.physicalBytes(), "pass --search-budget 0 (or --uniform): the uniform allocation is"
                            + " pruned one layer at a time");
            Model m = new Model(c, w.readAll(), null, w.source());
            a = AllocationSearch.search(m, calibration, a, target, o, search, log);
        }
        log.accept("allocation: " + a + "; " + calibration.samples() + " windows x " + calibration.seqLen()
                + " tokens");
        return SequentialPruner.start(w, calibration.calibration(), calibration.seqLen(), a, LayerPruner.Sizes.NONE, o,
                budget.describe(), log);
    }

    /** As {@link #start} on a model in memory, the pruned model collected in memory. */
    public static SequentialPruner.InMemory prune(Model m, CalibrationSet calibration, Budget budget, ReconOptions o,
                                                  SearchOptions search, Consumer<String> log) {
        SequentialPruner.Run r = start(TensorSource.of(m.weights(), m.source()), calibration, budget, o, search, log);
        Model pruned = new Model(r.config(), r.collect(), m.tokenizer(), m.source() + " pruned (recon, "
                + budget.describe() + ")");
        return new SequentialPruner.InMemory(pruned, r.result());
    }

    private static long target(LlamaConfig c, Budget budget) {
        if (budget instanceof Budget.KeepRatio r) {
            return r.targetTotal(c);
        }
        if (budget instanceof Budget.TargetParams p) {
            return p.targetTotal(c);
        }
        throw new IllegalArgumentException("the default recipe takes a parameter budget (--keep-ratio or"
                + " --target-params); for --target-arch or --max-quality-loss choose a scorer with --scorer NAME");
    }
}
