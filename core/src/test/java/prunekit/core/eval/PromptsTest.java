package prunekit.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import prunekit.core.tokenize.Tokenizer;

class PromptsTest {
    @Test
    void promptsStartWithTheTokenizersBos() {
        Tokenizer tok = new Tokenizer() {
            public int[] encode(String text) {
                return text.chars().toArray();
            }

            public String decode(int[] ids) {
                throw new UnsupportedOperationException();
            }

            public int vocabSize() {
                return 256;
            }

            public int bosId() {
                return 7;
            }

            public int eosId() {
                return 8;
            }

            public String toHuggingFaceJson() {
                throw new UnsupportedOperationException();
            }
        };
        assertArrayEquals(new int[] {7, 'h', 'i'}, Prompts.withBos(tok, "hi"));
        assertArrayEquals(new int[] {7}, Prompts.withBos(tok, ""));
    }
}
