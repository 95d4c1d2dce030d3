package prunekit.prune.surgery;

import java.util.LinkedHashMap;
import java.util.Map;
import prunekit.calibrate.ChannelStats;
import prunekit.core.engine.ForwardHooks.Site;
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
 */
public final class Surgery {
    private Surgery() {
    }

    public static Model apply(Model model, PruningPlan plan, SurgeryOptions options) {
        LlamaConfig c = model.config();
        LlamaWeights w = model.weights();
        boolean comp = options.biasCompensation();
        if (comp && !options.stats().config().equals(c)) {
            throw new IllegalArgumentException("bias compensation needs statistics of this model; these were taken"
                    + " on a model of another shape");
        }
        ModelTensors tensors = comp ? ModelTensors.of(c).withEveryBias() : ModelTensors.of(c);
        Cut cut = tensors.cut(plan.removed(c));
        Map<String, FloatTensor> full = new LinkedHashMap<>();
        tensors.shapes().forEach((name, shape) -> {
            FloatTensor t = w.getOrNull(name);
            full.put(name, t != null ? t : FloatTensor.zeros(shape));
        });
        if (comp) {
            for (int i = 0; i < c.numLayers(); i++) {
                compensate(full, cut, options, i, Proj.O, Site.O_PROJ_INPUT);
                compensate(full, cut, options, i, Proj.DOWN, Site.DOWN_PROJ_INPUT);
            }
        }
        LlamaWeights nw = cut.apply(full, w.storedDtype());
        return new Model(nw.config(), nw, model.tokenizer(),
                model.source() + " pruned (" + plan.scorer() + ", " + plan.budget() + ")");
    }

    /**
     * Adds W[:, r] · mean(x_r) to the bias of projection {@code p} of layer {@code layer} (full
     * hidden size, original basis), for every input channel r of W (out, in) that the cut removes.
     */
    private static void compensate(Map<String, FloatTensor> full, Cut cut, SurgeryOptions o, int layer, Proj p,
                                   Site site) {
        String wName = TensorNames.weight(layer, p);
        if (!full.containsKey(wName) || !cut.keeps(wName)) {
            return;
        }
        FloatTensor weight = full.get(wName);
        FloatTensor old = full.get(TensorNames.bias(layer, p));
        int rows = weight.dim(0);
        int cols = weight.dim(1);
        double[] b = new double[rows];
        for (int r = 0; r < rows; r++) {
            b[r] = old.data()[r];
        }
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
        float[] f = new float[rows];
        for (int r = 0; r < rows; r++) {
            f[r] = (float) b[r];
        }
        full.put(TensorNames.bias(layer, p), new FloatTensor(new int[] {rows}, f));
    }
}
