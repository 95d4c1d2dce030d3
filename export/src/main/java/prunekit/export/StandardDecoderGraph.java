package prunekit.export;

import java.util.List;
import prunekit.core.io.TensorSource;
import prunekit.export.onnx.Attribute;
import prunekit.export.onnx.DataType;

/**
 * The {@link OnnxFlavour#STANDARD} decoder: only default-domain opset-17 operators.
 * RMSNorm = x / sqrt(mean(x²) + eps) * w, the residual add as its own Add, and attention, RoPE
 * and the cache as in {@link StandardAttention}.
 */
final class StandardDecoderGraph extends DecoderGraph {
    private StandardAttention attention;

    StandardDecoderGraph(TensorSource source, DataType weightType) {
        super(source, weightType);
    }

    @Override
    protected void prepare() {
        attention = new StandardAttention(ops, config, this::additiveMask);
    }

    @Override
    protected String rmsNorm(String path, String x, String gamma) {
        String sq = ops.op(path + "/Mul", "Mul", x, x);
        String mean = ops.op(path + "/ReduceMean", "ReduceMean", List.of(sq), Attribute.ints("axes", -1),
                Attribute.of("keepdims", 1L));                                                // (B, T, 1)
        String eps = ops.floatScalar((float) config.rmsNormEps());
        String rms = ops.op(path + "/Sqrt", "Sqrt", ops.op(path + "/Add", "Add", mean, eps));
        String normed = ops.op(path + "/Div", "Div", x, rms);
        return ops.op(path + "/Mul_weight", "Mul", normed, gamma);
    }

    @Override
    protected String[] addAndNorm(String path, String residual, String delta, String gamma) {
        String sum = ops.op(path + "/residual/Add", "Add", residual, delta);
        return new String[] {rmsNorm(path, sum, gamma), sum};
    }

    @Override
    protected String attentionCore(String path, int layer, String q, String k, String v) {
        return attention.core(path, layer, q, k, v);
    }
}
