package prunekit.recover;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import prunekit.core.engine.Params;
import prunekit.core.engine.Transformer;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaWeights;

/**
 * The model being trained: its weights as {@link Params}, either trained in place (full
 * fine-tuning of a {@link ParamSelection}) or frozen under {@link LoraAdapters}; and which arrays
 * train. {@link #apply} runs code on a forward pass of the current weights (for LoRA, effective
 * weights made at that moment, so that called inside a gradient collector, autograd reaches the
 * adapters).
 */
final class Student implements AutoCloseable {
    static final String ADAPTER_PREFIX = "adapter.";

    private final Params base;
    private final LoraAdapters lora;
    private final TrainableParams trainable;

    private Student(Params base, LoraAdapters lora, TrainableParams trainable) {
        this.base = base;
        this.lora = lora;
        this.trainable = trainable;
    }

    /** Full fine-tuning of the {@code selection} of {@code weights}. */
    static Student full(LlamaWeights weights, ParamSelection selection) {
        Params p = new Params(weights);
        return new Student(p, null, new TrainableParams(p, selection));
    }

    /** LoRA on frozen {@code weights}: fresh adapters, or those of {@code extraState} from a checkpoint. */
    static Student lora(LlamaWeights weights, LoraSpec spec, Map<String, FloatTensor> extraStateOrNull) {
        Params p = new Params(weights);
        LoraAdapters a;
        if (extraStateOrNull == null) {
            a = LoraAdapters.create(p, spec);
        } else {
            Map<String, FloatTensor> values = new LinkedHashMap<>();
            extraStateOrNull.forEach((k, v) -> {
                if (k.startsWith(ADAPTER_PREFIX)) {
                    values.put(k.substring(ADAPTER_PREFIX.length()), v);
                }
            });
            a = LoraAdapters.of(p, spec, values);
        }
        return new Student(p, a, new TrainableParams(a.adapters(), ParamSelection.ALL));
    }

    Params base() {
        return base;
    }

    TrainableParams trainable() {
        return trainable;
    }

    /** Runs {@code fn} on a transformer over the current weights; everything made for it is closed after. */
    <R> R apply(Function<Transformer, R> fn) {
        if (lora == null) {
            try (Transformer t = new Transformer(base)) {
                return fn.apply(t);
            }
        }
        try (Params eff = lora.effective(); Transformer t = new Transformer(eff)) {
            return fn.apply(t);
        }
    }

    /** The weights as they are now (LoRA merged), stored as {@code dtype}. */
    LlamaWeights weights(DType dtype) {
        return lora == null ? base.toWeights(dtype) : lora.merge(dtype);
    }

    /** What a checkpoint needs to resume: the base weights (full: the trained weights) in fp32. */
    LlamaWeights checkpointWeights() {
        return base.toWeights(DType.F32);
    }

    /** Tensors a checkpoint keeps beside the optimizer's moments: the LoRA adapters, prefixed. */
    Map<String, FloatTensor> extraState() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        if (lora != null) {
            lora.state().forEach((k, v) -> out.put(ADAPTER_PREFIX + k, v));
        }
        return out;
    }

    @Override
    public void close() {
        if (lora != null) {
            lora.close();
        }
        base.close();
    }
}
