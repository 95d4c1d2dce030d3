package prunekit.prune.score;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import prunekit.core.FuzzInputs;

/**
 * Fuzz target: a scores.json, read as ImportanceScores.
 * Regression inputs (the seeds and every finding) are in
 * src/test/resources/prunekit/prune/score/ScoresJsonFuzzTestInputs/scores/; {@code JAZZER_FUZZ=1} fuzzes (bench/fuzz/run.sh).
 */
class ScoresJsonFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void scores(byte[] data) {
        Path file = FuzzInputs.write("scores/scores.json", data);
        FuzzInputs.loadsOrFailsCleanly(() -> ScoresJson.read(file));
    }
}
