package prunekit.export.onnx;

/** A node attribute: one of the few attribute kinds prunekit's graphs use. */
public sealed interface Attribute {
    String name();

    /** onnx.proto {@code AttributeProto.AttributeType} numbers. */
    int FLOAT = 1, INT = 2, TENSOR = 4, INTS = 7;

    record Int(String name, long value) implements Attribute {
    }

    record Float(String name, float value) implements Attribute {
    }

    record Ints(String name, long[] values) implements Attribute {
        public Ints {
            values = values.clone();
        }
    }

    /** A small constant tensor (e.g. ConstantOfShape's {@code value}); its data is written inline. */
    record TensorValue(String name, Initializer value) implements Attribute {
    }

    static Attribute of(String name, long value) {
        return new Int(name, value);
    }

    static Attribute of(String name, float value) {
        return new Float(name, value);
    }

    static Attribute ints(String name, long... values) {
        return new Ints(name, values);
    }
}
