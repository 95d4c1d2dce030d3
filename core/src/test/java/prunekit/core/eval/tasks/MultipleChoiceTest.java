package prunekit.core.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scoring against a hand-computed example: a code-point tokenizer and a table of known log-likelihoods. */
class MultipleChoiceTest {
    static final CodePointTokenizer TOK = new CodePointTokenizer();

    /** Log-likelihood of each continuation text, looked up from the request's tokens. */
    static LogLikelihood table(Map<String, Double> ll) {
        return (requests, progress) -> requests.stream().mapToDouble(c -> {
            String cont = TOK.decode(Arrays.copyOfRange(c.tokens(), c.start(), c.tokens().length));
            Double v = ll.get(cont);
            if (v == null) {
                throw new AssertionError("no log-likelihood for continuation \"" + cont + "\"");
            }
            return v;
        }).toArray();
    }

    @Test
    void accuraciesAndStandardErrorsMatchAHandComputation() {
        TaskFile task = new TaskFile("hand", Path.of("hand.jsonl"), List.of(
                // acc picks " abcd" (-4.0 > -4.2); per UTF-8 byte " ộộ" is 7 bytes: -0.6 > -4.0/5 = -0.8, the gold.
                // (Per code point it would be -4.2/3 = -1.4 < -0.8: the wrong answer.)
                new TaskItem("x", List.of(" ộộ", " abcd"), 0),
                // Both pick the gold " b": -1 beats -3 and -2; per byte -0.5 beats -1.5 and -0.667.
                new TaskItem("y", List.of(" a", " b", " ccc"), 1),
                // Both wrong: " Huế" (6 bytes) -3.0 → -0.5 beats " Hà Nội" (10 bytes) -6.0 → -0.6.
                new TaskItem("z", List.of(" Hà Nội", " Huế"), 0)));
        LogLikelihood ll = table(Map.of(" ộộ", -4.2, " abcd", -4.0, " a", -3.0, " b", -1.0, " ccc", -2.0,
                " Hà Nội", -6.0, " Huế", -3.0));
        TaskScore s = MultipleChoice.score(task, ll.score(MultipleChoice.requests(task, TOK), null));
        assertEquals(3, s.n());
        assertEquals(1.0 / 3, s.acc(), 1e-12);
        assertEquals(2.0 / 3, s.accNorm(), 1e-12);
        // hits (0,1,0): Σ(x - 1/3)² = 6/9; / (n - 1) = 1/3; sqrt / sqrt(3) = 1/3. The same for (1,1,0).
        assertEquals(1.0 / 3, s.accStderr(), 1e-12);
        assertEquals(1.0 / 3, s.accNormStderr(), 1e-12);
        assertEquals((0.5 + 1.0 / 3 + 0.5) / 3, s.chance(), 1e-12);
    }

    @Test
    void tiesGoToTheFirstChoiceAsNumpysArgmax() {
        TaskFile task = new TaskFile("tie", Path.of("tie.jsonl"), List.of(new TaskItem("", List.of("ab", "cd"), 1)));
        TaskScore s = MultipleChoice.score(task,
                table(Map.of("ab", -2.0, "cd", -2.0)).score(MultipleChoice.requests(task, TOK), null));
        assertEquals(0.0, s.acc());
        assertTrue(Double.isNaN(s.accStderr()), "one item has no sample standard deviation");
    }

    @Test
    void continuationFollowsBosAndContextWithTheContextsTrailingSpaceMoved() {
        Continuation c = Continuation.encode(TOK, "ab ", "c");
        assertArrayEquals(new int[] {1, 'a' + 3, 'b' + 3, ' ' + 3, 'c' + 3}, c.tokens());
        assertEquals(3, c.start(), "the continuation is \" c\": the context's trailing space moved to it");
        Continuation empty = Continuation.encode(TOK, "", "ab");
        assertArrayEquals(new int[] {1, 'a' + 3, 'b' + 3}, empty.tokens());
        assertEquals(1, empty.start(), "an empty context scores the whole choice after BOS");
    }

    @Test
    void aWrongNumberOfLogLikelihoodsIsRefused() {
        TaskFile task = new TaskFile("t", Path.of("t.jsonl"), List.of(new TaskItem("", List.of("a", "b"), 0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MultipleChoice.score(task, new double[] {-1}));
        assertTrue(e.getMessage().contains("1 log-likelihoods for 2 choices"), e.getMessage());
    }
}
