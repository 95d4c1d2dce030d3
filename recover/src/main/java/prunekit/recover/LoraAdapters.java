package prunekit.recover;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import prunekit.core.PrunekitException;
import prunekit.core.engine.Params;
import prunekit.core.engine.Tensors;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;

/**
 * The LoRA adapters of a frozen model: for each targeted projection weight W (out, in) of every
 * layer, A (rank, in) named {@code ….lora_A.weight} and B (out, rank) named {@code ….lora_B.weight}
 * (PEFT's names without its prefix), held in their own {@link Params} so that
 * {@link TrainableParams} and {@link AdamW} train them like any weights.
 *
 * <p>The forward pass sees the adapters through {@link #effective()}: the base arrays with every
 * target replaced by W + s·(B·A), computed afresh each time, so that when autograd records, the
 * gradient of the loss reaches A and B and never W (W does not require a gradient). Merging
 * ({@link #merge}) computes the very same arrays without recording and copies them out, which is
 * why a merged model's logits equal the adapted model's.
 */
public final class LoraAdapters implements AutoCloseable {
    private final Params base;
    private final Params adapters;
    private final List<String> targets;
    private final NDArray scale;

    private LoraAdapters(Params base, Params adapters, List<String> targets, NDArray scale) {
        this.base = base;
        this.adapters = adapters;
        this.targets = targets;
        this.scale = scale;
    }

    /** Fresh adapters: A uniform in ±1/√in from (seed, name), B zero. */
    public static LoraAdapters create(Params base, LoraSpec spec) {
        requireRankFits(base, spec);
        Map<String, FloatTensor> init = new LinkedHashMap<>();
        for (String w : targetWeights(base, spec)) {
            long[] s = base.get(w).getShape().getShape(); // (out, in)
            int out = Math.toIntExact(s[0]);
            int in = Math.toIntExact(s[1]);
            float[] a = new float[spec.rank() * in];
            SplittableRandom r = new SplittableRandom(WindowSampler.mix(spec.seed(), w.hashCode()));
            double bound = 1.0 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((2 * r.nextDouble() - 1) * bound);
            }
            init.put(aName(w), new FloatTensor(new int[] {spec.rank(), in}, a));
            init.put(bName(w), FloatTensor.zeros(out, spec.rank()));
        }
        return of(base, spec, init);
    }

    /** Refuses, before any adapter is allocated, a rank above min(in, out) of a targeted projection. */
    private static void requireRankFits(Params base, LoraSpec spec) {
        for (String w : targetWeights(base, spec)) {
            long[] s = base.get(w).getShape().getShape(); // (out, in)
            long limit = Math.min(s[0], s[1]);
            if (spec.rank() > limit) {
                throw new PrunekitException("--lora-rank " + spec.rank() + " exceeds min(in, out) = " + limit + " of "
                        + w + "; pass --lora-rank " + limit + " or less");
            }
        }
    }

    /** Adapters with the given values (from {@link #state()} of a checkpoint, or a test). */
    public static LoraAdapters of(Params base, LoraSpec spec, Map<String, FloatTensor> values) {
        List<String> targets = targetWeights(base, spec);
        if (values.size() != 2 * targets.size()) {
            throw new IllegalArgumentException("LoRA state holds " + values.size() + " tensors but " + spec.targetNames()
                    + " need " + 2 * targets.size() + " in this model: was it saved with other targets?");
        }
        NDManager m = base.manager().newSubManager();
        try {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (String w : targets) {
                long[] s = base.get(w).getShape().getShape();
                arrays.put(aName(w), array(m, values, aName(w), new Shape(spec.rank(), s[1]), base.dtype()));
                arrays.put(bName(w), array(m, values, bName(w), new Shape(s[0], spec.rank()), base.dtype()));
            }
            NDArray scale = m.full(new Shape(), (float) spec.scale(), base.dtype()); // PyTorch-allocated (autograd keeps it)
            return new LoraAdapters(base, Params.wrap(base.config(), m, arrays), targets, scale);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The weight names the spec targets in {@code base}, in checkpoint order (layers without the block are skipped). */
    static List<String> targetWeights(Params base, LoraSpec spec) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < base.config().numLayers(); i++) {
            for (Proj p : Proj.values()) {
                String w = TensorNames.weight(i, p);
                if (spec.targets().contains(p) && base.getOrNull(w) != null) {
                    out.add(w);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the model has none of the LoRA targets " + spec.targetNames());
        }
        return out;
    }

    public static String aName(String weight) {
        return stem(weight) + ".lora_A.weight";
    }

    public static String bName(String weight) {
        return stem(weight) + ".lora_B.weight";
    }

    private static String stem(String weight) {
        if (!weight.endsWith(".weight")) {
            throw new IllegalArgumentException("not a weight name: " + weight);
        }
        return weight.substring(0, weight.length() - ".weight".length());
    }

    private static NDArray array(NDManager m, Map<String, FloatTensor> values, String name, Shape shape, DataType dtype) {
        FloatTensor t = values.get(name);
        if (t == null) {
            throw new IllegalArgumentException("LoRA state has no " + name + " " + shape);
        }
        if (t.numel() != shape.size() || t.rank() != 2 || t.dim(0) != shape.get(0)) {
            throw new IllegalArgumentException("LoRA tensor " + name + " has shape " + java.util.Arrays.toString(t.shape())
                    + " but this model's adapter needs " + shape + "; was it saved with another rank?");
        }
        // a copy in memory PyTorch owns, never a view of a Java buffer (the optimizer updates it in place)
        try (NDArray wrapped = m.create(t.data(), shape)) {
            NDArray a = dtype == DataType.FLOAT32 ? wrapped.duplicate() : wrapped.toType(dtype, true);
            a.setName(name);
            return a;
        }
    }

    /** The adapter arrays (A and B of every target), for {@link TrainableParams}. */
    public Params adapters() {
        return adapters;
    }

    /**
     * The base params with every target W replaced by W + s·(B·A) (out, in), in a new sub-manager
     * that the returned view owns: the caller closes it. Called while autograd records (inside a
     * GradientCollector), the replaced arrays carry the history that leads to A and B.
     */
    public Params effective() {
        NDManager m = base.manager().newSubManager();
        Map<String, NDArray> arrays = new LinkedHashMap<>(base.arrays());
        for (String w : targets) {
            NDArray a = adapters.get(aName(w)); // (r, in)
            NDArray b = adapters.get(bName(w)); // (out, r)
            try (NDArray ba = b.matMul(a); NDArray scaled = ba.mul(scale)) { // (out, in)
                NDArray eff = base.get(w).add(scaled);
                eff.attach(m);
                arrays.put(w, eff);
            }
        }
        return Params.wrap(base.config(), m, arrays);
    }

    /** The merged weights W + s·B·A of every target (the other tensors unchanged), stored as {@code dtype}. */
    public LlamaWeights merge(DType dtype) {
        try (Params eff = effective()) {
            return eff.toWeights(dtype);
        }
    }

    /** A and B of every target as fp32 tensors under their names, for a checkpoint. */
    public Map<String, FloatTensor> state() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        adapters.arrays().forEach((name, a) -> out.put(name, Tensors.toFloatTensor(a)));
        return out;
    }

    /** Elements in the adapters. */
    public long count() {
        return adapters.arrays().values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    @Override
    public void close() {
        adapters.close();
    }
}
