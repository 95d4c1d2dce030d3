package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import prunekit.core.engine.Engines;
import prunekit.core.engine.Tolerance;

/**
 * The distillation losses against plain-Java double references over several shapes (odd ones
 * included) and temperatures: full KD and its gradient, top-k KD with the rest bucket, k = V equal
 * to full KD, the relative hidden-state MSE, and the identity student = teacher → zero loss and
 * zero gradient.
 */
class DistillLossesTest {
    private static final Tolerance TOL = new Tolerance(1e-6, 1e-5);

    /** logits (b, t, v) drawn N(0, scale²) from seed, as [b·t][v]. */
    private static double[][] logits(int rows, int v, long seed, double scale) {
        Random r = new Random(seed);
        double[][] x = new double[rows][v];
        for (double[] row : x) {
            for (int j = 0; j < v; j++) {
                row[j] = scale * r.nextGaussian();
            }
        }
        return x;
    }

    private static double[] logSoftmax(double[] x, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v / temperature);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v / temperature - max);
        }
        double lse = max + Math.log(s);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] / temperature - lse;
        }
        return out;
    }

    /** T² · mean_rows Σ p (log p − log q). */
    static double referenceKl(double[][] s, double[][] t, double temperature) {
        double total = 0;
        for (int r = 0; r < s.length; r++) {
            double[] lq = logSoftmax(s[r], temperature);
            double[] lp = logSoftmax(t[r], temperature);
            for (int j = 0; j < lp.length; j++) {
                total += Math.exp(lp[j]) * (lp[j] - lq[j]);
            }
        }
        return temperature * temperature * total / s.length;
    }

    /** T² · mean_rows of the KL between the k + 1 buckets (teacher's top k, the rest). */
    static double referenceTopK(double[][] s, double[][] t, double temperature, int k) {
        double total = 0;
        for (int r = 0; r < s.length; r++) {
            double[] lq = logSoftmax(s[r], temperature);
            double[] lp = logSoftmax(t[r], temperature);
            Integer[] order = new Integer[lp.length];
            for (int j = 0; j < order.length; j++) {
                order[j] = j;
            }
            final double[] lpr = lp;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(lpr[b], lpr[a]));
            double pTop = 0;
            double qTop = 0;
            for (int j = 0; j < k; j++) {
                int i = order[j];
                total += Math.exp(lp[i]) * (lp[i] - lq[i]);
                pTop += Math.exp(lp[i]);
                qTop += Math.exp(lq[i]);
            }
            double pRest = Math.max(0, 1 - pTop);
            double qRest = Math.max(DistillLosses.MIN_REST, 1 - qTop);
            if (pRest > 0) {
                total += pRest * (Math.log(Math.max(pRest, DistillLosses.MIN_REST)) - Math.log(qRest));
            }
        }
        return temperature * temperature * total / s.length;
    }

    private static NDArray array(NDManager m, double[][] x, int b, int t) {
        int v = x[0].length;
        float[] f = new float[x.length * v];
        for (int r = 0; r < x.length; r++) {
            for (int j = 0; j < v; j++) {
                f[r * v + j] = (float) x[r][j];
            }
        }
        try (NDArray w = m.create(f, new Shape(b, t, v))) {
            return w.duplicate();
        }
    }

    /** Loss value and gradient w.r.t. the student logits of {@code loss(student, teacher)}. */
    private static double[] lossAndGrad(NDManager m, NDArray student, NDArray teacher, float[] gradOut,
                                        BiFunction<NDArray, NDArray, NDArray> loss) {
        student.setRequiresGradient(true);
        try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray l = loss.apply(student, teacher);
            gc.backward(l);
            try (NDArray g = student.getGradient()) {
                System.arraycopy(g.toFloatArray(), 0, gradOut, 0, gradOut.length);
            }
            return new double[] {l.getFloat()};
        }
    }

    @ParameterizedTest
    @CsvSource({"2, 3, 7, 1.0", "1, 5, 13, 2.0", "3, 1, 4, 0.5", "2, 2, 64, 4.0"})
    void fullKdAndItsGradientMatchThePlainReference(int b, int t, int v, double temperature) {
        double[][] s = logits(b * t, v, 1, 2.0);
        double[][] te = logits(b * t, v, 2, 3.0);
        try (NDManager m = Engines.newManager()) {
            float[] grad = new float[b * t * v];
            double[] loss = lossAndGrad(m, array(m, s, b, t), array(m, te, b, t), grad,
                    (x, y) -> DistillLosses.kl(x, y, temperature));
            double ref = referenceKl(s, te, temperature);
            TOL.check("KD loss", new double[] {ref}, new float[] {(float) loss[0]});
            // d/ds (T² · mean KL) = T · (q − p) / rows
            double[] refGrad = new double[grad.length];
            for (int r = 0; r < s.length; r++) {
                double[] lq = logSoftmax(s[r], temperature);
                double[] lp = logSoftmax(te[r], temperature);
                for (int j = 0; j < v; j++) {
                    refGrad[r * v + j] = temperature * (Math.exp(lq[j]) - Math.exp(lp[j])) / s.length;
                }
            }
            TOL.check("KD gradient", refGrad, grad);
        }
    }

    @ParameterizedTest
    @CsvSource({"2, 3, 11, 1.0, 3", "1, 4, 16, 2.0, 5", "2, 1, 9, 0.7, 1", "1, 3, 8, 1.5, 8"})
    void topKKdMatchesTheBucketReference(int b, int t, int v, double temperature, int k) {
        double[][] s = logits(b * t, v, 3, 2.0);
        double[][] te = logits(b * t, v, 4, 2.5);
        try (NDManager m = Engines.newManager()) {
            NDArray teacher = array(m, te, b, t);
            TopKCache.Entry e = Teacher.topK(teacher, k, temperature, 0);
            TopKTargets targets = Teacher.arrays(e, m);
            float[] grad = new float[b * t * v];
            double[] loss = lossAndGrad(m, array(m, s, b, t), teacher, grad,
                    (x, y) -> DistillLosses.klTopK(x, targets, temperature));
            TOL.check("top-k KD loss", new double[] {referenceTopK(s, te, temperature, k)}, new float[] {(float) loss[0]});
            if (k == v) {
                TOL.check("top-k KD with k = V is the full KD", new double[] {referenceKl(s, te, temperature)},
                        new float[] {(float) loss[0]});
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"2, 3, 5", "1, 7, 16"})
    void hiddenMseIsRelativeToTheTeachersScale(int b, int t, int h) {
        double[][] s = logits(b * t, h, 6, 1.0);
        double[][] te = logits(b * t, h, 7, 4.0);
        double num = 0;
        double den = 0;
        for (int r = 0; r < s.length; r++) {
            for (int j = 0; j < h; j++) {
                num += (s[r][j] - te[r][j]) * (s[r][j] - te[r][j]);
                den += te[r][j] * te[r][j];
            }
        }
        try (NDManager m = Engines.newManager()) {
            float v = DistillLosses.hiddenMse(array(m, s, b, t), array(m, te, b, t)).getFloat();
            TOL.check("relative hidden MSE", new double[] {num / den}, new float[] {v});
        }
    }

    @ParameterizedTest
    @CsvSource({"1.0", "2.0", "0.5"})
    void studentEqualToTeacherGivesZeroLossAndZeroGradient(double temperature) {
        double[][] x = logits(6, 10, 5, 3.0);
        try (NDManager m = Engines.newManager()) {
            float[] grad = new float[60];
            double[] loss = lossAndGrad(m, array(m, x, 2, 3), array(m, x, 2, 3), grad,
                    (s, t) -> DistillLosses.kl(s, t, temperature));
            assertEquals(0.0, loss[0], 1e-7, "KL(p || p)");
            for (float g : grad) {
                assertTrue(Math.abs(g) < 1e-7, "gradient " + g + " at KL(p || p)");
            }
            TopKTargets all = Teacher.arrays(Teacher.topK(array(m, x, 2, 3), 4, temperature, 0), m);
            loss = lossAndGrad(m, array(m, x, 2, 3), null, grad, (s, t) -> DistillLosses.klTopK(s, all, temperature));
            assertEquals(0.0, loss[0], 1e-6, "top-k KL(p || p)");
            for (float g : grad) {
                assertTrue(Math.abs(g) < 1e-6, "top-k gradient " + g + " at KL(p || p)");
            }
        }
    }
}
