package prunekit.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Ranks and correlations against values worked out by hand. */
class StatsTest {
    private static final double EPS = 1e-12;

    @Test
    void tiedValuesShareTheMeanOfTheirRanks() {
        // 10 ×3 take ranks 1,2,3 → 2; 20 ×2 take 4,5 → 4.5; 30 takes 6
        assertArrayEquals(new double[] {2, 4.5, 2, 6, 4.5, 2}, Stats.ranks(new double[] {10, 20, 10, 30, 20, 10}), EPS);
        assertArrayEquals(new double[] {3, 1, 2}, Stats.ranks(new double[] {-1, -5, -2}), EPS);
        assertArrayEquals(new double[] {}, Stats.ranks(new double[] {}), EPS);
    }

    @Test
    void spearmanWithoutTiesMatchesTheTextbookFormula() {
        // ranks equal the values; d = (1, -1, 1, -1, 0), Σd² = 4; ρ = 1 - 6·4 / (5·24) = 0.8
        assertEquals(0.8, Stats.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {2, 1, 4, 3, 5}), EPS);
        // a monotone but non-linear relation has ρ = 1; reversed, -1
        assertEquals(1.0, Stats.spearman(new double[] {1, 2, 3, 4}, new double[] {1, 10, 100, 1000}), EPS);
        assertEquals(-1.0, Stats.spearman(new double[] {1, 2, 3, 4}, new double[] {9, 7, 3, 0.5}), EPS);
    }

    @Test
    void spearmanWithTiesIsPearsonOfAveragedRanks() {
        // x ranks (1, 2.5, 2.5, 4), y ranks (1, 2, 3, 4); deviations (-1.5, 0, 0, 1.5), (-1.5, -.5, .5, 1.5)
        // Σdxdy = 4.5, Σdx² = 4.5, Σdy² = 5 → ρ = 4.5 / √22.5 = √0.9
        assertEquals(Math.sqrt(0.9), Stats.spearman(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4}), EPS);
    }

    @Test
    void pearsonOfAKnownSample() {
        // x̄ = 2, ȳ = 3; dx = (-1, 0, 1), dy = (-2, 1, 1); Σdxdy = 3, Σdx² = 2, Σdy² = 6 → 3/√12
        assertEquals(3 / Math.sqrt(12), Stats.pearson(new double[] {1, 2, 3}, new double[] {1, 4, 4}), EPS);
    }

    @Test
    void aConstantInputHasNoCorrelation() {
        assertTrue(Double.isNaN(Stats.spearman(new double[] {1, 2, 3}, new double[] {5, 5, 5})));
    }

    @Test
    void rejectsUnpairedShortOrNonFiniteInput() {
        assertThrows(IllegalArgumentException.class, () -> Stats.spearman(new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Stats.spearman(new double[] {1}, new double[] {1}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Stats.spearman(new double[] {1, Double.NaN}, new double[] {1, 2}));
        assertTrue(e.getMessage().contains("value[1]"), e.getMessage());
    }
}
