package prunekit.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import prunekit.core.SharedFiles;

/**
 * llama.cpp's tokenizer vectors for the LLaMA-2 vocabulary through the LLaMA-2 tokenizer.json
 * (read from ../shared: its license keeps it out of the repo). Inputs are separated by
 * "\n__ggml_vocab_test__\n"; each output line holds the expected ids, no BOS.
 */
class Llama2VocabVectorsTest {
    @Test
    void sharedEveryVectorTokenizesToTheExpectedIds() throws Exception {
        Path json = SharedFiles.require("tokenizers/llama2-tokenizer.json");
        String inp = Files.readString(SharedFiles.require("tokenizers/llama2-vocab-test.inp"), StandardCharsets.UTF_8);
        List<String> out = Files.readAllLines(SharedFiles.require("tokenizers/llama2-vocab-test.out"), StandardCharsets.UTF_8);
        String[] inputs = inp.split("\n__ggml_vocab_test__\n", -1);
        int cases = inputs.length - 1; // the file ends with a separator
        assertEquals(out.size(), cases, "one output line per input");
        try (HfTokenizer tok = HfTokenizer.load(json)) {
            assertEquals(32000, tok.vocabSize());
            for (int i = 0; i < cases; i++) {
                String line = out.get(i).strip();
                int[] expected = line.isEmpty() ? new int[0] : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
                assertArrayEquals(expected, tok.encode(inputs[i]), "case " + i + ": '" + inputs[i] + "'");
            }
        }
    }
}
