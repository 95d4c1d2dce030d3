package prunekit.core.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import prunekit.core.FuzzInputs;

/**
 * Fuzz target: a llama2.c checkpoint (7-int header, fp32 tensors), loaded with a fixed
 * 16-token tokenizer.bin beside it.
 * Regression inputs (the seeds and every finding) are in
 * src/test/resources/prunekit/core/io/Llama2cFuzzTestInputs/checkpoint/; {@code JAZZER_FUZZ=1} fuzzes (bench/fuzz/run.sh).
 */
class Llama2cFuzzTest {
    /** The seed corpus's tokenizer (16 tokens), fixed so that only the checkpoint is fuzzed. */
    private static final Path TOKENIZER = FuzzInputs.write("llama2c/tokenizer.bin",
            resource("Llama2cTokenizerFuzzTestInputs/tokenizer/tiny.bin"));

    static byte[] resource(String name) {
        try (var in = Llama2cFuzzTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("test resource prunekit/core/io/" + name + " is missing", e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void checkpoint(byte[] data) {
        Path file = FuzzInputs.write("llama2c/model.bin", data);
        FuzzInputs.loadsOrFailsCleanly(() -> ModelLoader.load(file, TOKENIZER));
    }
}
