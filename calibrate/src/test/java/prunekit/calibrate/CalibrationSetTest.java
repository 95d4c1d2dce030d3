package prunekit.calibrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.eval.TokenStream;
import prunekit.core.io.FormatException;
import prunekit.core.tokenize.Tokenizer;

class CalibrationSetTest {
    /** One token per character (code point mod 200, + 3), BOS 1: enough to test stream handling. */
    static final Tokenizer CHARS = new Tokenizer() {
        public int[] encode(String text) {
            return text.codePoints().map(c -> 3 + c % 200).toArray();
        }
        public String decode(int[] ids) {
            return "";
        }
        public int vocabSize() {
            return 256;
        }
        public int bosId() {
            return 1;
        }
        public int eosId() {
            return 2;
        }
        public String toHuggingFaceJson() {
            return "{}";
        }
    };

    @Test
    void sameSeedSameWindowsAndHeldOutNeverOverlaps() {
        int[] stream = new int[5000];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = i; // token = position, so a window tells where it came from
        }
        CalibrationOptions o = new CalibrationOptions(40, 63, 7, 8);
        CalibrationSet a = CalibrationSet.fromStream(stream, "s", o);
        CalibrationSet b = CalibrationSet.fromStream(stream, "s", o);
        assertArrayEquals(a.calibration(), b.calibration());
        assertEquals(8, a.heldOut().length);
        int heldStart = a.heldOut()[0][0];
        assertEquals(5000 - 8 * 64, heldStart);
        for (int[] w : a.calibration()) {
            assertTrue(w[63] < heldStart, "calibration window ends at " + w[63] + " inside the held-out region");
            assertEquals(w[0] + 63, w[63]);
        }
        CalibrationSet other = CalibrationSet.fromStream(stream, "s", new CalibrationOptions(40, 63, 8, 8));
        assertFalse(java.util.Arrays.deepEquals(a.calibration(), other.calibration()));
    }

    @Test
    void textShorterThanOneSampleNamesTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tiny.txt");
        Files.writeString(f, "short text");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CalibrationSet.from(List.of(f), CHARS, CalibrationOptions.of(4, 128, 0)));
        assertTrue(e.getMessage().contains("tiny.txt"), e.getMessage());
        assertTrue(e.getMessage().contains("--seq-len"), e.getMessage());
    }

    @Test
    void jsonlTextAndPromptResponseBecomeBlocks(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.jsonl");
        Files.writeString(f, "{\"text\": \"ab\"}\n\n{\"prompt\": \"c\", \"response\": \"d\"}\n");
        TokenStream s = CorpusReader.read(List.of(f), CHARS);
        int[] expected = {1, 3 + 'a', 3 + 'b', 1, 3 + 'c', 3 + '\n', 3 + 'd'};
        assertArrayEquals(expected, s.ids());
        assertEquals(2, s.blocks());
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"question\": 1}\n");
        FormatException e = assertThrows(FormatException.class, () -> CorpusReader.read(List.of(bad), CHARS));
        assertTrue(e.getMessage().contains("bad.jsonl") && e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void textFilesFollowTheProtocol(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.txt");
        Files.writeString(f, "ab\n\ncd");
        assertArrayEquals(new int[] {1, 3 + 'a', 3 + 'b', 1, 3 + 'c', 3 + 'd'}, CorpusReader.read(List.of(f), CHARS).ids());
    }

    @Test
    void badOptionsSayWhatToGive() {
        assertThrows(IllegalArgumentException.class, () -> CalibrationOptions.of(0, 128, 0));
        assertThrows(IllegalArgumentException.class, () -> CalibrationOptions.of(4, 0, 0));
    }
}
