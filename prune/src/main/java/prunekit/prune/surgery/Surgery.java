package prunekit.prune.surgery;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.calibrate.ChannelStats;
import prunekit.core.engine.ForwardHooks.Site;
import prunekit.core.io.SafetensorsWriter;
import prunekit.core.io.TensorSource;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.prune.group.Cut;
import prunekit.prune.group.ModelTensors;
import prunekit.prune.plan.PruningPlan;

/**
 * Builds the smaller model a {@link PruningPlan} describes: the plan's removed coupling groups
 * ({@link PruningPlan#removed}) are cut out of every tensor by their slices ({@link Cut}), giving
 * real smaller matrices; dropped layers are removed and the rest renumbered, the vocabulary stays,
 * and the new config is computed from the new tensors' shapes. With bias compensation (FLAP) every
 * projection first gets a bias (zeros where it had none), and o_proj / down_proj get
 * b = b_old + W[:, removed] · mean(x[removed]) over the input channels cut from them. A whole
 * removed block has nowhere to put a bias and is not compensated.
 *
 * <p>{@link #stream} produces the pruned tensors one at a time from a {@link TensorSource} (what
 * the streaming checkpoint writer takes); {@link #apply} is the same, gathered in memory.
 */
public final class Surgery {
    private Surgery() {
    }

    /** The pruned model's config and its tensors, each cut from the source when it is asked for. */
    public record Pruned(LlamaConfig config, SafetensorsWriter.Tensors tensors) {
    }

    public static Model apply(Model model, PruningPlan plan, SurgeryOptions options) {
        LlamaWeights w = model.weights();
        Pruned p = stream(TensorSource.of(w, model.source()), plan, options);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        p.tensors().shapes().keySet().forEach(n -> out.put(n, p.tensors().producer().apply(n)));
        LlamaWeights nw = new LlamaWeights(p.config(), out, w.storedDtype());
        return new Model(nw.config(), nw, model.tokenizer(),
                model.source() + " pruned (" + plan.scorer() + ", " + plan.budget() + ")");
    }

    /** The pruned model of {@code weights}, produced tensor by tensor (one source tensor resident, two for a compensated bias). */
    public static Pruned stream(TensorSource weights, PruningPlan plan, SurgeryOptions options) {
        LlamaConfig c = weights.config();
        boolean comp = options.biasCompensation();
        if (comp && !options.stats().config().equals(c)) {
            throw new IllegalArgumentException("bias compensation needs statistics of this model; these were taken"
                    + " on a model of another shape");
        }
        ModelTensors tensors = comp ? ModelTensors.of(c).withEveryBias() : ModelTensors.of(c);
        Cut cut = tensors.cut(plan.removed(c));
        Map<String, Output> compensated = new HashMap<>(); // the biases that take the removed channels' mean
        if (comp) {
            for (int i = 0; i < c.numLayers(); i++) {
                compensated.put(TensorNames.bias(i, Proj.O), new Output(i, Proj.O));
                compensated.put(TensorNames.bias(i, Proj.DOWN), new Output(i, Proj.DOWN));
            }
        }
        Map<String, String> sources = cut.sources();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        sources.forEach((name, old) -> shapes.put(name, cut.keptShape(old)));
        return new Pruned(cut.config(), new SafetensorsWriter.Tensors(shapes, name -> {
            String old = sources.get(name);
            FloatTensor t = full(weights, tensors, old);
            Output at = compensated.get(old);
            if (at != null) {
                t = compensate(weights, tensors, cut, options, at.layer(), at.proj(), t);
            }
            FloatTensor out = cut.apply(old, t);
            done(weights, old);
            return out;
        }));
    }

    /** An output projection (o_proj or down_proj) of one layer. */
    private record Output(int layer, Proj proj) {
    }

    /** Surgery no longer holds its read of {@code name} (nothing was read for an added bias). */
    private static void done(TensorSource weights, String name) {
        if (weights.shapes().containsKey(name)) {
            weights.release(name);
        }
    }

    /** A tensor of the model before the cut: read, or zeros for a bias it gets for compensation. */
    private static FloatTensor full(TensorSource weights, ModelTensors tensors, String name) {
        return weights.shapes().containsKey(name) ? weights.read(name) : FloatTensor.zeros(tensors.shapes().get(name));
    }

    /**
     * {@code old} (the bias of projection {@code p} of layer {@code layer}, full hidden size,
     * original basis) plus W[:, r] · mean(x_r) for every input channel r of W (out, in) the cut removes.
     */
    private static FloatTensor compensate(TensorSource weights, ModelTensors tensors, Cut cut, SurgeryOptions o,
                                          int layer, Proj p, FloatTensor old) {
        String wName = TensorNames.weight(layer, p);
        if (!tensors.shapes().containsKey(wName) || !cut.keeps(wName)) {
            return old;
        }
        FloatTensor weight = full(weights, tensors, wName);
        Site site = p == Proj.O ? Site.O_PROJ_INPUT : Site.DOWN_PROJ_INPUT;
        int rows = weight.dim(0);
        int cols = weight.dim(1);
        double[] b = old.toDoubles(); // (rows)
        ChannelStats x = o.stats().channel(layer, site);
        float[] d = weight.data();
        for (int col = 0; col < cols; col++) {
            if (cut.removes(wName, 1, col)) {
                double mean = x.mean(col);
                for (int r = 0; r < rows; r++) {
                    b[r] += d[r * cols + col] * mean;
                }
            }
        }
        done(weights, wName);
        float[] f = new float[rows];
        for (int r = 0; r < rows; r++) {
            f[r] = (float) b[r];
        }
        return new FloatTensor(new int[] {rows}, f);
    }
}
