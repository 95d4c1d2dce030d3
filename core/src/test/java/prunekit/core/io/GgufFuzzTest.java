package prunekit.core.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import prunekit.core.FuzzInputs;

/**
 * Fuzz target: a GGUF file (header, metadata, tensor infos, data), loaded as a model with its
 * vocabulary.
 * Regression inputs (the seeds and every finding) are in
 * src/test/resources/prunekit/core/io/GgufFuzzTestInputs/gguf/; {@code JAZZER_FUZZ=1} fuzzes (bench/fuzz/run.sh).
 */
class GgufFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void gguf(byte[] data) {
        Path file = FuzzInputs.write("gguf/model.gguf", data);
        FuzzInputs.loadsOrFailsCleanly(() -> ModelLoader.load(file, null));
    }
}
