package prunekit.core.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import prunekit.core.FuzzInputs;

/**
 * Fuzz target: a llama2.c tokenizer.bin, read as a SentencePiece vocabulary.
 * Regression inputs (the seeds and every finding) are in
 * src/test/resources/prunekit/core/io/Llama2cTokenizerFuzzTestInputs/tokenizer/; {@code JAZZER_FUZZ=1} fuzzes (bench/fuzz/run.sh).
 */
class Llama2cTokenizerFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void tokenizer(byte[] data) {
        Path file = FuzzInputs.write("llama2c-tokenizer/tokenizer.bin", data);
        FuzzInputs.loadsOrFailsCleanly(() -> Llama2cReader.readTokenizer(file, 1 << 16));
    }
}
