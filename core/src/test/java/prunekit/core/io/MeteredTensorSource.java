package prunekit.core.io;

import java.util.Map;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;

/**
 * A {@link TensorSource} that counts the fp32 bytes its callers hold: a read adds the tensor's
 * bytes, {@link #release} takes them off, and {@link #peakBytes} is the most held at once. The
 * streamed stages release what they read (the layer streamer when a layer's arrays are freed), so
 * the peak is a deterministic measure of the weights resident at once; a stage that keeps every
 * tensor (the oracle) shows the whole model.
 */
public final class MeteredTensorSource implements TensorSource {
    private final TensorSource inner;
    private long held;
    private long peak;

    public MeteredTensorSource(TensorSource inner) {
        this.inner = inner;
    }

    /** The most fp32 bytes held at once so far. */
    public synchronized long peakBytes() {
        return peak;
    }

    @Override
    public synchronized FloatTensor read(String name) {
        FloatTensor t = inner.read(name);
        held += 4 * t.numel();
        peak = Math.max(peak, held);
        return t;
    }

    @Override
    public synchronized void release(String name) {
        held -= 4 * FloatTensor.numel(shapes().get(name));
    }

    @Override
    public LlamaConfig config() {
        return inner.config();
    }

    @Override
    public DType storedDtype() {
        return inner.storedDtype();
    }

    @Override
    public String source() {
        return inner.source();
    }

    @Override
    public Map<String, int[]> shapes() {
        return inner.shapes();
    }

    @Override
    public void close() {
        inner.close();
    }
}
