package prunekit.core.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import prunekit.core.FuzzInputs;
import prunekit.core.tokenize.HfTokenizer;

/**
 * Fuzz target: a Hugging Face tokenizer.json (our checks, then DJL's tokenizers
 * library), loaded and used on a short text.
 * Regression inputs (the seeds and every finding) are in
 * src/test/resources/prunekit/core/io/HfTokenizerFuzzTestInputs/tokenizer/; {@code JAZZER_FUZZ=1} fuzzes (bench/fuzz/run.sh).
 */
class HfTokenizerFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void tokenizer(byte[] data) {
        Path file = FuzzInputs.write("hf-tokenizer/tokenizer.json", data);
        FuzzInputs.loadsOrFailsCleanly(() -> {
            try (HfTokenizer t = HfTokenizer.load(file)) {
                t.decode(t.encode("ab c"));
            }
        });
    }
}
