package prunekit.core.eval.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Packing: choices whose inputs are prefixes of another's share its row; budgets cut batches; too long is refused. */
class PackedRowsTest {
    static final CodePointTokenizer TOK = new CodePointTokenizer();

    @Test
    void choicesOfOneContextShareTheLongestChoicesRow() {
        // inputs: BOS a b | BOS a b | BOS a b ␣ e  → one row, the last; a different context gets its own.
        List<Continuation> req = List.of(Continuation.encode(TOK, "ab", "c"), Continuation.encode(TOK, "ab", "d"),
                Continuation.encode(TOK, "ab", " ef"), Continuation.encode(TOK, "xy", "z"));
        PackedRows p = new PackedRows(req, 100, 16);
        assertEquals(2, p.rowCount());
        assertEquals(1, p.batches().size());
        int[][] b = p.batches().get(0);
        assertArrayEquals(new int[] {1, 'a' + 3, 'b' + 3, ' ' + 3, 'e' + 3}, b[0]);
        assertArrayEquals(new int[] {1, 'x' + 3, 'y' + 3, PackedRows.PAD, PackedRows.PAD}, b[1], "right-padded");
        long[][] t = p.targets(0, 1000);
        // request 0 reads row 0, position 2, target 'c'; request 3 reads row 1, position 2, target 'z'.
        assertTrue(contains(t, (0 * 5 + 2) * 1000L + 'c' + 3, 0));
        assertTrue(contains(t, (1 * 5 + 2) * 1000L + 'z' + 3, 3));
        assertEquals(1 + 1 + 3 + 1, t[0].length, "one target per continuation token");
    }

    @Test
    void theTokenBudgetCutsBatchesAndTooLongRequestsAreRefused() {
        List<Continuation> req = List.of(Continuation.encode(TOK, "a", "b"), Continuation.encode(TOK, "c", "d"),
                Continuation.encode(TOK, "e", "f"));
        assertEquals(2, new PackedRows(req, 4, 16).batches().size(), "2 rows of 2 tokens per batch of 4");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PackedRows(req, 4, 1));
        assertTrue(e.getMessage().contains("more than the model's 1"), e.getMessage());
    }

    private static boolean contains(long[][] t, long index, int request) {
        for (int k = 0; k < t[0].length; k++) {
            if (t[0][k] == index && t[1][k] == request) {
                return true;
            }
        }
        return false;
    }
}
