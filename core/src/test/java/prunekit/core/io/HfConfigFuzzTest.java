package prunekit.core.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import prunekit.core.FuzzInputs;

/**
 * Fuzz target: an HF config.json, with or without prunekit's per-layer shapes, read as a
 * LlamaConfig.
 * Regression inputs (the seeds and every finding) are in
 * src/test/resources/prunekit/core/io/HfConfigFuzzTestInputs/config/; {@code JAZZER_FUZZ=1} fuzzes (bench/fuzz/run.sh).
 */
class HfConfigFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void config(byte[] data) {
        Path file = FuzzInputs.write("config/config.json", data);
        FuzzInputs.loadsOrFailsCleanly(() -> HfConfigJson.read(file));
    }
}
