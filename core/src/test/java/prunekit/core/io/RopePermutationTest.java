package prunekit.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import prunekit.core.model.FloatTensor;

/**
 * The q/k row permutation from interleaved RoPE pairs (GGUF, llama2.c, Meta) to HF's rotate-half:
 * checked on a hand-made example and by showing that both RoPE conventions then compute the same
 * rotated vectors (plain loops, double precision).
 */
class RopePermutationTest {
    @Test
    void oneHeadByHand() {
        // one head of size 8, 2 columns; row r holds (10r, 10r + 1)
        float[] data = new float[16];
        for (int r = 0; r < 8; r++) {
            data[2 * r] = 10 * r;
            data[2 * r + 1] = 10 * r + 1;
        }
        FloatTensor hf = GgufReader.interleavedToRotateHalf(new FloatTensor(new int[] {8, 2}, data), 1);
        // HF row k·4 + j = original row 2j + k: first halves of the pairs (0, 2, 4, 6), then the second (1, 3, 5, 7)
        int[] expectedRows = {0, 2, 4, 6, 1, 3, 5, 7};
        for (int r = 0; r < 8; r++) {
            assertEquals(10 * expectedRows[r], hf.data()[2 * r]);
            assertEquals(10 * expectedRows[r] + 1, hf.data()[2 * r + 1]);
        }
    }

    @ParameterizedTest
    @CsvSource({"1,8,3", "4,2,5", "2,16,1", "8,6,7"})
    void bothRopeConventionsAgreeAfterPermutation(int heads, int hd, int in) {
        Random r = new Random(heads * 100 + hd);
        float[] w = new float[heads * hd * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        FloatTensor original = new FloatTensor(new int[] {heads * hd, in}, w);
        FloatTensor hf = GgufReader.interleavedToRotateHalf(original, heads);
        double[] x = new double[in];
        for (int i = 0; i < in; i++) {
            x[i] = r.nextGaussian();
        }
        for (int pos : new int[] {0, 1, 7, 100}) {
            double[] a = ropeInterleaved(matVec(original, x), heads, hd, pos);
            double[] b = ropeRotateHalf(matVec(hf, x), heads, hd, pos);
            // the same rotated values, in HF order: b[h, k·hd/2 + j] = a[h, 2j + k]
            double[] aInHfOrder = new double[a.length];
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < hd / 2; j++) {
                    aInHfOrder[h * hd + j] = a[h * hd + 2 * j];
                    aInHfOrder[h * hd + hd / 2 + j] = a[h * hd + 2 * j + 1];
                }
            }
            assertArrayEquals(aInHfOrder, b, 1e-12);
        }
    }

    private static double[] matVec(FloatTensor w, double[] x) {
        double[] y = new double[w.dim(0)];
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < x.length; j++) {
                y[i] += w.data()[i * x.length + j] * x[j];
            }
        }
        return y;
    }

    /** Meta / llama2.c RoPE: pair (2j, 2j+1) rotated by pos·θ^(−2j/hd). */
    private static double[] ropeInterleaved(double[] v, int heads, int hd, int pos) {
        double[] out = v.clone();
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < hd / 2; j++) {
                double angle = pos * Math.pow(10000, -2.0 * j / hd);
                int a = h * hd + 2 * j, b = a + 1;
                out[a] = v[a] * Math.cos(angle) - v[b] * Math.sin(angle);
                out[b] = v[a] * Math.sin(angle) + v[b] * Math.cos(angle);
            }
        }
        return out;
    }

    /** HF RoPE (rotate_half): pair (j, j + hd/2) rotated by pos·θ^(−2j/hd). */
    private static double[] ropeRotateHalf(double[] v, int heads, int hd, int pos) {
        double[] out = v.clone();
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < hd / 2; j++) {
                double angle = pos * Math.pow(10000, -2.0 * j / hd);
                int a = h * hd + j, b = a + hd / 2;
                out[a] = v[a] * Math.cos(angle) - v[b] * Math.sin(angle);
                out[b] = v[a] * Math.sin(angle) + v[b] * Math.cos(angle);
            }
        }
        return out;
    }
}
