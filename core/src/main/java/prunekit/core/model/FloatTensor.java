package prunekit.core.model;

import java.util.Arrays;

/**
 * A dense fp32 tensor in row-major order. The record does not copy {@code data}: whoever creates a
 * tensor may fill it before handing it on, and code that receives one treats it as read-only (to
 * change values, make a new tensor). {@code shape} is the logical shape, e.g. (out, in) for a linear weight.
 */
public record FloatTensor(int[] shape, float[] data) {
    public FloatTensor {
        shape = shape.clone();
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but data has " + data.length);
        }
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    public static FloatTensor zeros(int... shape) {
        return new FloatTensor(shape, new float[Math.toIntExact(numel(shape))]);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i];
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return data.length;
    }

    /** The values widened to double, in order (a new array). */
    public double[] toDoubles() {
        return toDoubles(data);
    }

    /** {@code a} widened to double, in order (a new array). */
    public static double[] toDoubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** Rows {@code rows} of a matrix (out, in), in the order given. */
    public FloatTensor selectRows(int[] rows) {
        requireRank(2);
        int cols = shape[1];
        float[] out = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(data, rows[i] * cols, out, i * cols, cols);
        }
        return new FloatTensor(new int[] {rows.length, cols}, out);
    }

    /** Columns {@code cols} of a matrix (out, in), in the order given. */
    public FloatTensor selectColumns(int[] cols) {
        requireRank(2);
        int r = shape[0];
        int c = shape[1];
        float[] out = new float[r * cols.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < cols.length; j++) {
                out[i * cols.length + j] = data[i * c + cols[j]];
            }
        }
        return new FloatTensor(new int[] {r, cols.length}, out);
    }

    /** Elements {@code idx} of a vector. */
    public FloatTensor selectElements(int[] idx) {
        requireRank(1);
        float[] out = new float[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = data[idx[i]];
        }
        return new FloatTensor(new int[] {idx.length}, out);
    }

    private void requireRank(int r) {
        if (shape.length != r) {
            throw new IllegalStateException("expected rank " + r + " but shape is " + Arrays.toString(shape));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
