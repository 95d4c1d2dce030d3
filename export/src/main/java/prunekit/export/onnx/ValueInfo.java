package prunekit.export.onnx;

import java.util.List;

/**
 * A graph input or output: name, element type and shape. Each dimension is a {@link Long} (fixed
 * size) or a {@link String} (a symbolic dimension such as {@code "batch_size"}).
 */
public record ValueInfo(String name, DataType type, List<Object> dims) {
    public ValueInfo {
        dims = List.copyOf(dims);
        for (Object d : dims) {
            if (!(d instanceof Long) && !(d instanceof String)) {
                throw new IllegalArgumentException("dimension of " + name + " must be a Long or a String: " + d);
            }
        }
    }

    /** Shorthand: ints and longs become fixed dimensions, strings symbolic ones. */
    public static ValueInfo of(String name, DataType type, Object... dims) {
        Object[] norm = new Object[dims.length];
        for (int i = 0; i < dims.length; i++) {
            norm[i] = dims[i] instanceof Integer n ? Long.valueOf(n) : dims[i];
        }
        return new ValueInfo(name, type, List.of(norm));
    }
}
