package prunekit.prune.recon;

import java.util.function.Consumer;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.prune.budget.Budget;

/**
 * The default pruning recipe of {@code prunekit prune} (no {@code --scorer}): a parameter budget
 * turned into an allocation (uniform, or searched), then sequential layer-wise reconstruction on
 * the calibration windows.
 */
public final class Recon {
    /** Calibration windows × tokens the default recipe draws (measured: see the README's table). */
    public static final int DEFAULT_SAMPLES = 256;
    public static final int DEFAULT_SEQ_LEN = 256;

    private Recon() {
    }

    /**
     * Prunes {@code m} to {@code budget}: uniform allocation, or with {@code search} generations the
     * searched one (on {@code calibration}'s held-out windows), then sequential reconstruction.
     */
    public static SequentialPruner.Result prune(Model m, CalibrationSet calibration, Budget budget, ReconOptions o,
                                                SearchOptions search, Consumer<String> log) {
        LlamaConfig c = m.config();
        long target;
        if (budget instanceof Budget.KeepRatio r) {
            target = r.targetTotal(c);
        } else if (budget instanceof Budget.TargetParams p) {
            target = p.targetTotal(c);
        } else {
            throw new IllegalArgumentException("the default recipe takes a parameter budget (--keep-ratio or"
                    + " --target-params); for --target-arch or --max-quality-loss choose a scorer with --scorer NAME");
        }
        Allocation a = Allocation.uniform(c, target, o.attention(), o.intercept());
        if (search.generations() > 0) {
            a = AllocationSearch.search(m, calibration, a, target, o, search, log);
        }
        log.accept("allocation: " + a + "; " + calibration.samples() + " windows x " + calibration.seqLen()
                + " tokens");
        return SequentialPruner.prune(m, calibration.calibration(), calibration.seqLen(), a, o, budget.describe(), log);
    }
}
