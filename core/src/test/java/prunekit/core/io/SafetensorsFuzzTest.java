package prunekit.core.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import prunekit.core.FuzzInputs;

/**
 * Fuzz target: a safetensors file (header length, JSON header, data offsets,
 * tensor bytes), opened and every tensor read.
 * Regression inputs (the seeds and every finding) are in
 * src/test/resources/prunekit/core/io/SafetensorsFuzzTestInputs/header/; {@code JAZZER_FUZZ=1} fuzzes (bench/fuzz/run.sh).
 */
class SafetensorsFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void header(byte[] data) {
        Path file = FuzzInputs.write("safetensors/model.safetensors", data);
        FuzzInputs.loadsOrFailsCleanly(() -> {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                f.names().forEach(f::read);
            }
        });
    }
}
