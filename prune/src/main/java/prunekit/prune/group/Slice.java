package prunekit.prune.group;

import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.TensorNames.Proj;

/**
 * A contiguous part of one tensor that belongs to a coupling group: rows {@code [start, start+length)}
 * of a weight (out, in), columns of it, or elements of a vector (norm weight, bias).
 * {@code proj} is the projection the tensor belongs to (null for embedding, norms, lm_head), which
 * tells which activation site feeds its input channels.
 */
public record Slice(String tensor, int layer, Proj proj, Axis axis, int start, int length) {
    public enum Axis { ROW, COLUMN, ELEMENT }

    /** What a scorer computes for one element: {@code w} = t.data()[flat], input channel {@code in} (−1 if none). */
    @FunctionalInterface
    public interface ElementFunction {
        double apply(float w, int flat, int in);
    }

    public Slice {
        if (start < 0 || length < 0) {
            throw new IllegalArgumentException("invalid slice " + start + "+" + length + " of " + tensor);
        }
    }

    /** The tensor dimension the slice runs along: 0 for rows and vector elements, 1 for columns. */
    public int dim() {
        return axis == Axis.COLUMN ? 1 : 0;
    }

    /** Parameters the slice covers in a tensor of shape {@code shape}: its length times the other dimension. */
    public long parameters(int[] shape) {
        return switch (axis) {
            case ELEMENT -> length;
            case ROW -> (long) length * shape[1];
            case COLUMN -> (long) length * shape[0];
        };
    }

    /** The activation site entering this slice's tensor, or null (vectors, embedding, lm_head). */
    public Site inputSite() {
        if (proj == null || axis == Axis.ELEMENT) {
            return null;
        }
        return switch (proj) {
            case Q, K, V -> Site.ATTN_INPUT;
            case O -> Site.O_PROJ_INPUT;
            case GATE, UP -> Site.MLP_INPUT;
            case DOWN -> Site.DOWN_PROJ_INPUT;
        };
    }

    /** Σ f over the slice's elements of {@code t} (checked against its shape), in double. */
    public double sum(FloatTensor t, ElementFunction f) {
        float[] d = t.data();
        double s = 0;
        switch (axis) {
            case ELEMENT -> {
                check(t, 1, 0);
                for (int i = start; i < start + length; i++) {
                    s += f.apply(d[i], i, -1);
                }
            }
            case ROW -> {
                check(t, 2, 0);
                int cols = t.dim(1);
                for (int r = start; r < start + length; r++) {
                    for (int c = 0, at = r * cols; c < cols; c++, at++) {
                        s += f.apply(d[at], at, c);
                    }
                }
            }
            case COLUMN -> {
                check(t, 2, 1);
                int rows = t.dim(0);
                int cols = t.dim(1);
                for (int r = 0; r < rows; r++) {
                    for (int c = start, at = r * cols + start; c < start + length; c++, at++) {
                        s += f.apply(d[at], at, c);
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
        return s;
    }

    private void check(FloatTensor t, int rank, int dim) {
        if (t.rank() != rank || start + length > t.dim(dim)) {
            throw new IllegalArgumentException("slice " + this + " does not fit tensor " + tensor + " " + t);
        }
    }
}
