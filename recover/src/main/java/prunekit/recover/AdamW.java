package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.core.engine.Engines;
import prunekit.core.model.FloatTensor;
import prunekit.core.engine.Tensors;

/**
 * AdamW (Loshchilov and Hutter) as PyTorch's {@code torch.optim.AdamW} computes it, with in-place
 * NDArray ops on the parameters and on the moment buffers m and v:
 * <pre>
 *   p ← p·(1 − lr·wd)                      (only tensors of rank ≥ 2: no decay on norms and biases)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 * where t counts the updates applied (a skipped step does not count). The moments start at exact
 * zeros ({@code zeros}, never the uninitialized {@code create(Shape)}).
 */
public final class AdamW implements AutoCloseable {
    /** β1, β2, ε and the decoupled weight decay. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW needs 0 <= beta < 1, eps > 0 and weight decay >= 0; got betas "
                        + beta1 + "/" + beta2 + ", eps " + eps + ", weight decay " + weightDecay);
            }
        }
    }

    private final Settings settings;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long updates;

    /** Zero moments for every trainable array of {@code params}. */
    public AdamW(TrainableParams params, Settings settings) {
        this.settings = settings;
        this.manager = params.params().manager().newSubManager();
        for (String name : params.names()) {
            NDArray p = params.get(name);
            m.put(name, manager.zeros(p.getShape(), p.getDataType()));
            v.put(name, manager.zeros(p.getShape(), p.getDataType()));
        }
    }

    public Settings settings() {
        return settings;
    }

    /** Updates applied so far (t of the bias corrections). */
    public long updates() {
        return updates;
    }

    /** True for tensors that are decayed: matrices (embedding, projections, lm_head), not vectors. */
    public static boolean decays(NDArray p) {
        return p.getShape().dimension() >= 2;
    }

    /** One update of every trainable array from its current gradient, at learning rate {@code lr}. */
    public void step(TrainableParams params, double lr) {
        updates++;
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        double stepSize = lr / (1 - Math.pow(b1, updates));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(b2, updates));
        double decay = 1 - lr * settings.weightDecay();
        Engines.withoutGrad(() -> params.forEachGradient((name, p, g) -> {
            NDArray mt = m.get(name);
            NDArray vt = v.get(name);
            if (decays(p) && settings.weightDecay() != 0) {
                p.muli(decay);
            }
            mt.muli(b1);
            try (NDArray t = g.mul(1 - b1)) {
                mt.addi(t);
            }
            vt.muli(b2);
            try (NDArray t = g.square()) {
                t.muli(1 - b2);
                vt.addi(t);
            }
            try (NDArray denom = vt.sqrt()) {
                denom.divi(bc2Sqrt).addi(settings.eps());
                try (NDArray update = mt.div(denom)) {
                    update.muli(stepSize);
                    p.subi(update);
                }
            }
        }));
    }

    /** The moments as fp32 tensors named {@code m.<param>} and {@code v.<param>}, for a checkpoint. */
    public Map<String, FloatTensor> state() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        m.forEach((name, a) -> out.put("m." + name, Tensors.toFloatTensor(a)));
        v.forEach((name, a) -> out.put("v." + name, Tensors.toFloatTensor(a)));
        return out;
    }

    /** Restores moments written by {@link #state()} and the update count. */
    public void load(Map<String, FloatTensor> state, long updateCount) {
        if (updateCount < 0) {
            throw new IllegalArgumentException("negative update count " + updateCount);
        }
        restore(m, "m.", state);
        restore(v, "v.", state);
        updates = updateCount;
    }

    private static void restore(Map<String, NDArray> target, String prefix, Map<String, FloatTensor> state) {
        for (Map.Entry<String, NDArray> e : target.entrySet()) {
            FloatTensor t = state.get(prefix + e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("optimizer state has no " + prefix + e.getKey()
                        + "; was the checkpoint written for another parameter selection?");
            }
            if (t.numel() != e.getValue().getShape().size()) {
                throw new IllegalArgumentException("optimizer state " + prefix + e.getKey() + " has " + t.numel()
                        + " elements but the parameter has " + e.getValue().getShape());
            }
            if (e.getValue().getDataType() == DataType.FLOAT32) {
                e.getValue().set(t.data());
            } else {
                e.getValue().set(t.toDoubles());
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
