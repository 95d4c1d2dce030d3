package prunekit.export.onnx;

/** The ONNX element types prunekit writes, with their {@code TensorProto.DataType} numbers. */
public enum DataType {
    FLOAT(1, 4), INT32(6, 4), INT64(7, 8), BOOL(9, 1), FLOAT16(10, 2);

    /** The number in onnx.proto's {@code TensorProto.DataType}. */
    public final int onnxCode;
    /** Bytes per element. */
    public final int bytes;

    DataType(int onnxCode, int bytes) {
        this.onnxCode = onnxCode;
        this.bytes = bytes;
    }
}
