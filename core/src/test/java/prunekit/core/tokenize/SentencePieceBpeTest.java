package prunekit.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import prunekit.core.SharedFiles;
import prunekit.core.io.GgufReader;
import prunekit.core.tokenize.SentencePieceBpe.TokenType;

/** SentencePiece BPE: known ids, round trips, the heap encoder against a slow obvious one, real vectors. */
class SentencePieceBpeTest {
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz     ABCTLO.,!?'\"\n\t0123456789"
            + "àáạảãăắằẳẵặâấầẩẫậđèéẹẻẽêếềểễệôồốơờớưừứ🙂🦙中文";

    private static SentencePieceBpe stories;

    /** The stories260K vocabulary, from the GGUF shipped in the project. */
    static synchronized SentencePieceBpe stories() {
        if (stories == null) {
            stories = (SentencePieceBpe) GgufReader.read(SharedFiles.project("models/stories260K.gguf")).tokenizer();
        }
        return stories;
    }

    static final List<String> ROUND_TRIPS = List.of("Once upon a time", "Xin chào Việt Nam 🙂",
            "line one\nline two\n\nline four\n", "  two leading spaces", " one leading space", "trailing  ",
            "tab\there", "emoji 🦙🙂 and 中文 and \u00e9\u0301", "Lily's mom said, \"Let's go!\"", "a", " ", "\n");

    @Test
    void encodesOnceUponATime() {
        SentencePieceBpe t = stories();
        int[] ids = t.encode("Once upon a time");
        assertArrayEquals(new int[] {403, 407, 261, 378}, ids);
        assertEquals(List.of("\u2581Once", "\u2581upon", "\u2581a", "\u2581time"),
                Arrays.stream(ids).mapToObj(t::piece).toList());
        assertArrayEquals(new int[0], t.encode(""));
        assertEquals("", t.decode(new int[0]));
    }

    @Test
    void roundTripsWithByteFallback() {
        SentencePieceBpe t = stories();
        for (String s : ROUND_TRIPS) {
            assertEquals(s, t.decode(t.encode(s)), s);
        }
        // 'ệ' (U+1EC7) is not in the 512-piece vocab: three byte pieces, E1 BB 87
        int[] ids = t.encode("ệ");
        assertEquals(List.of("\u2581", "<0xE1>", "<0xBB>", "<0x87>"), Arrays.stream(ids).mapToObj(t::piece).toList());
        assertEquals(TokenType.BYTE, t.type(ids[1]));
    }

    @Test
    void decodeSkipsControlTokensAndStripsOneLeadingSpace() {
        SentencePieceBpe t = stories();
        int[] ids = t.encode("Once upon a time");
        int[] withBosEos = new int[ids.length + 2];
        withBosEos[0] = t.bosId();
        System.arraycopy(ids, 0, withBosEos, 1, ids.length);
        withBosEos[ids.length + 1] = t.eosId();
        assertEquals("Once upon a time", t.decode(withBosEos));
        int a = t.idOf("<0xC3>");
        // an invalid byte run gives one U+FFFD per byte, like HF's ByteFallback decoder
        assertEquals("\uFFFD\uFFFDx", t.decode(new int[] {a, a, t.idOf("x")}));
    }

    @Test
    void derivesTypesWhenAbsent() {
        SentencePieceBpe t = SentencePieceBpe.builder()
                .pieces(List.of("<unk>", "<s>", "</s>", "<0xC3>", "<0xA9>", "\u2581", "A", "\u2581A"))
                .scores(new float[] {0, 0, 0, 0, 0, -2, -3, -1}).build();
        assertEquals(List.of(TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL, TokenType.BYTE, TokenType.BYTE,
                TokenType.NORMAL), List.of(t.type(0), t.type(1), t.type(2), t.type(3), t.type(4), t.type(5)));
        assertArrayEquals(new int[] {7, 6}, t.encode("AA"));
        assertArrayEquals(new int[] {7, 3, 4}, t.encode("A\u00e9")); // é = C3 A9: byte fallback
        assertArrayEquals(new int[] {7, 0}, t.encode("A\u00fc\u00fc")); // ü = C3 BC, no <0xBC>: one fused <unk>
        assertEquals("A\u00e9", t.decode(t.encode("A\u00e9")));
    }

    @Test
    void heapEncoderMatchesSlowReferenceOnStories() {
        checkAgainstReference(stories(), ALPHABET, 400, 11);
    }

    /** A vocabulary where every merge ties: the leftmost pair must win each time. */
    @Test
    void heapEncoderBreaksTiesLeftmost() {
        List<String> pieces = new ArrayList<>(List.of("<unk>", "<s>", "</s>", "\u2581", "a", "b"));
        for (String p : List.of("aa", "ab", "ba", "bb", "\u2581a", "\u2581b", "aaa", "aab", "aba", "bab", "abab", "\u2581ab")) {
            pieces.add(p);
        }
        float[] scores = new float[pieces.size()];
        for (int i = 6; i < scores.length; i++) {
            scores[i] = i % 3 == 0 ? -0.0f : 0.0f; // ±0 tie as well
        }
        SentencePieceBpe t = SentencePieceBpe.builder().pieces(pieces).scores(scores).build();
        assertArrayEquals(new int[] {t.idOf("\u2581a"), t.idOf("aa")}, t.encode("aaa"));
        checkAgainstReference(t, "ab ", 500, 12);
    }

    @Test
    void encodesAMegabyteQuickly() {
        SentencePieceBpe t = stories();
        Random r = new Random(5);
        String[] words = {"Once", "upon", "a", "time", "there", "was", "little", "girl", "named", "Lily", "Việt", "🙂"};
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 1_000_000) {
            sb.append(words[r.nextInt(words.length)]).append(r.nextInt(10) == 0 ? ".\n" : " ");
        }
        String text = sb.toString();
        // CPU time of this thread, not wall time: a busy machine must not fail the test; O(n²) would take minutes
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        int[] ids = t.encode(text);
        double seconds = (threads.getCurrentThreadCpuTime() - start) / 1e9;
        assertEquals(text, t.decode(ids));
        assertTrue(seconds < 5, "encoding 1 MB took " + seconds + " s of CPU");
    }

    @Test
    void sharedLlama2MatchesLlamaCppVectors() throws IOException {
        SentencePieceBpe t = SentencePieceModelProto.load(SharedFiles.require("tokenizers/llama2-tokenizer.model"));
        String[] inputs = Files.readString(SharedFiles.require("tokenizers/llama2-vocab-test.inp"), StandardCharsets.UTF_8)
                .split("\n__ggml_vocab_test__\n", -1);
        List<String> expected = Files.readAllLines(SharedFiles.require("tokenizers/llama2-vocab-test.out"));
        assertTrue(expected.size() >= 40, "test vectors missing");
        for (int i = 0; i < expected.size(); i++) {
            int[] want = expected.get(i).isBlank() ? new int[0]
                    : Arrays.stream(expected.get(i).trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(want, t.encode(inputs[i]), "input " + i + ": '" + inputs[i] + "'");
        }
        checkAgainstReference(t, ALPHABET, 150, 13);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tokenizers/vi4k.model", "tokenizers/llama2-tokenizer.model"})
    void sharedRealVocabRoundTrips(String model) {
        SentencePieceBpe t = SentencePieceModelProto.load(SharedFiles.require(model));
        for (String s : ROUND_TRIPS) {
            assertEquals(s, t.decode(t.encode(s)), s);
        }
    }

    /** {@code count} random strings from {@code alphabet} (fixed seed): heap encoder == slow reference. */
    static void checkAgainstReference(SentencePieceBpe t, String alphabet, int count, long seed) {
        SlowBpe slow = new SlowBpe(t);
        Random r = new Random(seed);
        int[] cps = alphabet.codePoints().toArray();
        for (int n = 0; n < count; n++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(60);
            for (int i = 0; i < len; i++) {
                sb.appendCodePoint(cps[r.nextInt(cps.length)]);
            }
            String s = sb.toString();
            assertArrayEquals(slow.encode(s), t.encode(s), "'" + s + "'");
        }
    }

    /** The obvious O(n²) SentencePiece BPE: rescan every adjacent pair, merge the best (leftmost on ties). */
    static final class SlowBpe {
        private final SentencePieceBpe t;
        private final Map<String, Integer> mergeable = new HashMap<>();
        private final Map<Integer, Integer> bytes = new HashMap<>();

        SlowBpe(SentencePieceBpe t) {
            this.t = t;
            for (int i = 0; i < t.vocabSize(); i++) {
                if (t.type(i) == TokenType.NORMAL || t.type(i) == TokenType.USER_DEFINED) {
                    mergeable.putIfAbsent(t.piece(i), i);
                } else if (t.type(i) == TokenType.BYTE) {
                    bytes.putIfAbsent(Integer.parseInt(t.piece(i).substring(3, 5), 16), i);
                }
            }
        }

        int[] encode(String text) {
            if (text.isEmpty()) {
                return new int[0];
            }
            List<Integer> ids = new ArrayList<>();
            String s = "\u2581" + text.replace(' ', '\u2581');
            s.codePoints().forEach(cp -> {
                String ch = new String(Character.toChars(cp));
                if (mergeable.containsKey(ch)) {
                    ids.add(mergeable.get(ch));
                } else {
                    for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
                        ids.add(bytes.get(b & 0xff));
                    }
                }
            });
            while (true) {
                int best = -1;
                float bestScore = 0;
                Integer bestId = null;
                for (int i = 0; i + 1 < ids.size(); i++) {
                    String left = t.piece(ids.get(i));
                    String right = t.piece(ids.get(i + 1));
                    Integer m = mergeable.get(left + right);
                    if (m != null && mergeable.containsKey(left) && mergeable.containsKey(right)
                            && (best < 0 || t.score(m) > bestScore)) {
                        best = i;
                        bestScore = t.score(m);
                        bestId = m;
                    }
                }
                if (best < 0) {
                    return ids.stream().mapToInt(Integer::intValue).toArray();
                }
                ids.set(best, bestId);
                ids.remove(best + 1);
            }
        }
    }
}
