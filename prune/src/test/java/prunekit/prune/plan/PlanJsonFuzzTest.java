package prunekit.prune.plan;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import prunekit.core.FuzzInputs;

/**
 * Fuzz target: a plan.json, read as a PruningPlan.
 * Regression inputs (the seeds and every finding) are in
 * src/test/resources/prunekit/prune/plan/PlanJsonFuzzTestInputs/plan/; {@code JAZZER_FUZZ=1} fuzzes (bench/fuzz/run.sh).
 */
class PlanJsonFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void plan(byte[] data) {
        Path file = FuzzInputs.write("plan/plan.json", data);
        FuzzInputs.loadsOrFailsCleanly(() -> PlanJson.read(file));
    }
}
