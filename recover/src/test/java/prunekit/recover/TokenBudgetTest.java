package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Token budgets: K/M/B suffixes, and whole steps that cover at least the budget. */
class TokenBudgetTest {
    @ParameterizedTest
    @CsvSource({"2M, 2000000", "0.25m, 250000", "500K, 500000", "1.5B, 1500000000", "250000, 250000", "4_096, 4096"})
    void parsesSuffixes(String text, long tokens) {
        assertEquals(tokens, TokenBudget.parseTokens(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2X", "M", "-3M", "0"})
    void rejectsNonsense(String text) {
        assertThrows(IllegalArgumentException.class, () -> TokenBudget.parseTokens(text));
    }

    @ParameterizedTest
    @CsvSource({"2000000, 4096, 489", "4096, 4096, 1", "4097, 4096, 2", "1, 4096, 1", "250000, 2048, 123"})
    void stepsCoverTheBudget(long tokens, long perStep, int steps) {
        assertEquals(steps, TokenBudget.steps(tokens, perStep));
        assertEquals(true, (long) steps * perStep >= tokens && (long) (steps - 1) * perStep < tokens);
    }
}
