package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import prunekit.core.engine.Params;

/**
 * The trainable subset of a model's {@link Params} and their gradients. Selected arrays get
 * {@code requiresGradient}; the rest stay frozen (no gradient is computed for them).
 *
 * <p>Three DJL traps are handled here and nowhere else: PyTorch <em>accumulates</em> into
 * {@code .grad} and DJL's GradientCollector does not clear it, so {@link #zeroGradients()} runs
 * every step; DJL's own {@code GradientCollector.zeroGradients()} computes {@code g - g}, which
 * turns an inf into a NaN that then stays forever, so we call PyTorch's {@code grad.zero_()}
 * instead; and {@code NDArray.getGradient()} returns a new handle on every call that must be
 * closed, which {@link #forEachGradient} does.
 */
public final class TrainableParams {
    /** Receives one trainable array and a handle on its gradient (closed after the call). */
    @FunctionalInterface
    public interface GradientVisitor {
        void visit(String name, NDArray param, NDArray grad);
    }

    /** Global gradient statistics: L2 norm over all trainable arrays and whether all are finite. */
    public record GradientStats(double norm, boolean finite) {
    }

    private final Params params;
    private final Map<String, NDArray> trainable;

    public TrainableParams(Params params, ParamSelection selection) {
        this.params = params;
        Map<String, NDArray> m = new LinkedHashMap<>();
        for (String name : selection.select(params.arrays().keySet())) {
            NDArray a = params.get(name);
            a.setRequiresGradient(true);
            m.put(name, a);
        }
        this.trainable = m;
    }

    public Params params() {
        return params;
    }

    /** Trainable names in checkpoint order. */
    public List<String> names() {
        return List.copyOf(trainable.keySet());
    }

    public NDArray get(String name) {
        NDArray a = trainable.get(name);
        if (a == null) {
            throw new IllegalArgumentException(name + " is not a trainable parameter");
        }
        return a;
    }

    /** Number of trainable elements. */
    public long count() {
        return trainable.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /** Sets every gradient to exactly zero (also clearing NaN/inf left by a skipped step). */
    public void zeroGradients() {
        for (NDArray a : trainable.values()) {
            JniUtils.zeroGrad((PtNDArray) a);
        }
    }

    /** Calls {@code v} for each trainable array with its gradient; the gradient handle is closed after. */
    public void forEachGradient(GradientVisitor v) {
        for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
            try (NDArray g = e.getValue().getGradient()) {
                v.visit(e.getKey(), e.getValue(), g);
            }
        }
    }

    /** The global L2 norm of all gradients (per-array norms combined in double) and finiteness. */
    public GradientStats gradientStats() {
        double[] sumSq = {0};
        forEachGradient((name, p, g) -> {
            try (NDArray n = g.norm()) {
                double v = scalar(n);
                sumSq[0] += v * v;
            }
        });
        double norm = Math.sqrt(sumSq[0]);
        return new GradientStats(norm, Double.isFinite(norm));
    }

    /** The value of a 0-dim fp32 or fp64 array, in double. */
    static double scalar(NDArray a) {
        return a.getDataType() == DataType.FLOAT64 ? a.getDouble() : a.getFloat();
    }

    /** Multiplies every gradient by {@code factor} in place. */
    public void scaleGradients(double factor) {
        forEachGradient((name, p, g) -> g.muli(factor));
    }
}
