package prunekit.prune.recon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import prunekit.core.engine.Tolerance;

/**
 * The linear algebra of layer-wise reconstruction against plain loops: the Gram and cross
 * products, the exactness of the refit, and the group OBS cost as the measured increase of the
 * squared output error after removal + refit.
 */
class LeastSquaresTest {
    /** X (rows, cols) ~ N(0, 1) from {@code seed}. */
    private static float[] random(int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** ‖X Wᵀ − Y‖² + λ‖W‖² − ‖Y‖² for W (out, |K|) over columns {@code kept}: the objective up to a constant. */
    private static double objective(NormalEquations ne, double[] w, int[] kept) {
        int n = ne.n();
        int k = kept.length;
        double sum = 0;
        for (int r = 0; r < ne.out(); r++) {
            for (int a = 0; a < k; a++) {
                double wa = w[r * k + a];
                double hw = 0;
                for (int b = 0; b < k; b++) {
                    hw += ne.h()[kept[a] * n + kept[b]] * w[r * k + b];
                }
                sum += wa * hw - 2 * wa * ne.c()[r * n + kept[a]];
            }
        }
        return sum;
    }

    private static int[] all(NormalEquations ne) {
        return java.util.stream.IntStream.range(0, ne.n()).toArray();
    }

    /** [Y, 1?]ᵀ[X, 1?] by plain double loops: the reference for {@link Gemm#cross}. */
    private static double[] crossLoops(float[] y, int yc, float[] x, int xc, int rows, boolean ones) {
        int m = yc + (ones ? 1 : 0);
        int n = xc + (ones ? 1 : 0);
        double[] c = new double[m * n];
        for (int t = 0; t < rows; t++) {
            for (int i = 0; i < m; i++) {
                double a = i < yc ? y[t * yc + i] : 1;
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += a * (j < xc ? x[t * xc + j] : 1);
                }
            }
        }
        return c;
    }

    @ParameterizedTest
    @CsvSource({"37, 5, 3, false", "64, 9, 7, true", "1, 4, 1, true"})
    void gramAndCrossMatchPlainLoops(int rows, int xc, int yc, boolean ones) {
        float[] x = random(rows, xc, 1);
        float[] y = random(rows, yc, 2);
        assertArrayEquals(crossLoops(x, xc, x, xc, rows, ones), Gemm.gram(x, rows, xc, ones), 1e-9);
        double[] want = crossLoops(y, yc, x, xc, rows, false);
        double[] got = Gemm.cross(y, yc, x, xc, rows, false, false);
        assertArrayEquals(want, got, 1e-9);
    }

    /**
     * Input column 3 is 0.5·x0 − 2·x1: OBS finds one of the three dependent channels as the
     * cheapest, and removing it and refitting leaves every output the same.
     */
    @ParameterizedTest
    @CsvSource({"false", "true"})
    void refitIsExactWhenTheRemovedInputIsACombinationOfKeptOnes(boolean intercept) {
        int rows = 80;
        int cols = 6;
        int out = 4;
        float[] x = random(rows, cols, 3);
        for (int t = 0; t < rows; t++) {
            x[t * cols + 3] = 0.5f * x[t * cols] - 2f * x[t * cols + 1];
        }
        float[] w = random(out, cols, 4);
        double[] b = intercept ? new double[] {0.1, -0.2, 0.3, 0.05} : null;
        float[] y = Gemm.linear(x, rows, cols, w, out, b);
        List<int[]> groups = new ArrayList<>();
        for (int j = 0; j < cols; j++) {
            groups.add(new int[] {j});
        }
        ReconOptions o = ReconOptions.defaults().withDamping(1e-10).withIntercept(intercept);
        SubBlockFit.Fit fit = SubBlockFit.fitLevels(x, rows, cols, y, w, b, out, groups, null, new int[] {1}, o, intercept)
                .get(0);
        int removed = java.util.stream.IntStream.range(0, cols).filter(j -> Arrays.binarySearch(fit.keptGroups(), j) < 0)
                .findFirst().orElseThrow();
        assertTrue(removed == 0 || removed == 1 || removed == 3, "OBS removes one of the dependent channels 0, 1, 3 (any"
                + " is a combination of the other two), not " + removed);
        float[] after = Gemm.linear(x, rows, cols, fit.weight(), out, fit.bias());
        new Tolerance(1e-4, 1e-4).check("outputs after removing the redundant channel", Tolerance.toDouble(y), after);
    }

    /** One group's OBS cost = objective(refit without it) − objective(full fit), on a random layer. */
    @ParameterizedTest
    @CsvSource({"false, 0", "true, 0", "false, 0.05"})
    void obsCostIsTheMeasuredIncreaseOfTheError(boolean intercept, double damping) {
        int rows = 60;
        int cols = 8;
        int out = 5;
        float[] x = random(rows, cols, 5);
        float[] y = random(rows, out, 6); // a target no weights reproduce: the error starts above zero
        int n = intercept ? cols + 1 : cols;
        NormalEquations ne = NormalEquations.of(crossLoops(x, cols, x, cols, rows, intercept),
                Gemm.cross(y, out, x, cols, rows, false, intercept), n, out, intercept, damping);
        double[] full = ne.solve(all(ne));
        double base = objective(ne, full, all(ne));
        double[] hinv = Cholesky.of(ne.h(), n).inverse();
        for (int g = 0; g < cols / 2; g++) {
            int[] s = {2 * g, 2 * g + 1};
            int[] kept = java.util.stream.IntStream.range(0, n).filter(j -> j != s[0] && j != s[1]).toArray();
            double measured = objective(ne, ne.solve(kept), kept) - base;
            double cost = GroupObs.cost(hinv, full, out, n, s);
            assertEquals(measured, cost, 1e-9 * Math.max(1, Math.abs(measured)), "group " + g);
        }
    }

    /** Progressive removal ends where the direct refit of the survivors is: downdates are exact. */
    @ParameterizedTest
    @CsvSource({"1", "3"})
    void progressiveRemovalMatchesDirectRefit(int remove) {
        int rows = 50;
        int cols = 6;
        int out = 3;
        float[] x = random(rows, cols, 7);
        float[] y = random(rows, out, 8);
        NormalEquations ne = NormalEquations.of(Gemm.gram(x, rows, cols, false),
                Gemm.cross(y, out, x, cols, rows, false, false), cols, out, false, 0.01);
        List<int[]> groups = new ArrayList<>();
        for (int j = 0; j < cols; j++) {
            groups.add(new int[] {j});
        }
        GroupObs.Removal r = ne.select(groups, null, remove, new int[0]);
        boolean[] gone = new boolean[cols];
        double total = 0;
        for (int k = 0; k < remove; k++) {
            gone[r.order()[k]] = true;
            total += r.costs()[k];
        }
        int[] kept = java.util.stream.IntStream.range(0, cols).filter(j -> !gone[j]).toArray();
        double measured = objective(ne, ne.solve(kept), kept) - objective(ne, ne.solve(all(ne)), all(ne));
        assertEquals(measured, total, 1e-9 * Math.max(1, measured), "sum of step costs = total increase");
    }
}
