package prunekit.prune.recon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;

/**
 * Sequential block-by-block pruning: the calibration windows are embedded once, then each layer in
 * turn is pruned by {@link LayerPruner} on the states that passed through the already-pruned layers
 * below (and, when the recipe needs it, the dense model's states beside them), and its pruned
 * outputs become the next layer's inputs. Only one layer's tensors and the states at that layer
 * are worked on at a time. Deterministic: the same model, windows and options give the same bytes.
 */
public final class SequentialPruner {
    private SequentialPruner() {
    }

    /**
     * The pruned model, its plan (original indices), calibration tokens used, the time taken, and
     * per layer the sub-block variants asked for with {@link LayerPruner.Sizes} (else empty lists).
     */
    public record Result(Model model, PruningPlan plan, long tokens, double seconds,
                         List<List<BlockVariant>> attentionVariants, List<List<BlockVariant>> mlpVariants) {
    }

    /**
     * Prunes {@code m} to {@code allocation} on the first {@code t} tokens of every window;
     * {@code budget} describes the budget in the plan.
     */
    public static Result prune(Model m, int[][] windows, int t, Allocation allocation, ReconOptions o, String budget,
                               Consumer<String> log) {
        return prune(m, windows, t, allocation, LayerPruner.Sizes.NONE, o, budget, log);
    }

    /** As above, also building every layer's sub-blocks at {@code sizes} (candidates for the search). */
    public static Result prune(Model m, int[][] windows, int t, Allocation allocation, LayerPruner.Sizes sizes,
                               ReconOptions o, String budget, Consumer<String> log) {
        long t0 = System.nanoTime();
        LlamaConfig c = m.config();
        LlamaWeights w = m.weights();
        allocation.config(c, o.attention(), o.intercept()); // checks the allocation against the model
        int n = windows.length;
        float[] h = embed(w, windows, t);
        boolean dense = o.target().needsDenseStream() || !o.sequential();
        LayerPruner.States states = new LayerPruner.States(h, dense ? h : null, n, t);
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        out.put(TensorNames.EMBED, w.get(TensorNames.EMBED));
        List<LayerPlan> plans = new ArrayList<>();
        List<LayerShape> shapes = new ArrayList<>();
        List<List<BlockVariant>> av = new ArrayList<>();
        List<List<BlockVariant>> mv = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            LayerPruner.States in = o.sequential() ? states
                    : new LayerPruner.States(states.dense(), states.dense(), n, t);
            LayerPruner.Result r = LayerPruner.prune(c, LayerTensors.of(w, i), in, allocation.attention()[i],
                    allocation.ffn()[i], sizes, o);
            av.add(r.attentionVariants());
            mv.add(r.mlpVariants());
            r.layer().putInto(out, i);
            shapes.add(r.layer().shape());
            plans.add(new LayerPlan(i, false, r.kvHeads(), r.queryHeads(), r.ffn()));
            states = r.output();
            log.accept(String.format("layer %d: %d heads / %d KV, ffn %d (%.1fs)", i, r.queryHeads().length,
                    r.kvHeads().length, r.ffn().length, (System.nanoTime() - t0) / 1e9));
        }
        out.put(TensorNames.FINAL_NORM, w.get(TensorNames.FINAL_NORM));
        if (!c.tieWordEmbeddings()) {
            out.put(TensorNames.LM_HEAD, w.get(TensorNames.LM_HEAD));
        }
        LlamaConfig nc = c.toBuilder().layers(shapes).attentionBias(c.attentionBias() || o.intercept())
                .mlpBias(c.mlpBias() || o.intercept()).build();
        Model pruned = new Model(nc, new LlamaWeights(nc, out, w.storedDtype()), m.tokenizer(),
                m.source() + " pruned (recon, " + budget + ")");
        PruningPlan plan = new PruningPlan("recon", budget, PruningPlan.range(c.hidden()), plans);
        return new Result(pruned, plan, (long) n * t, (System.nanoTime() - t0) / 1e9, av, mv);
    }

    /** The embedding rows of the windows' first t tokens: (n·t, hidden). */
    static float[] embed(LlamaWeights w, int[][] windows, int t) {
        FloatTensor e = w.get(TensorNames.EMBED);
        int hidden = e.dim(1);
        float[] h = new float[windows.length * t * hidden];
        for (int i = 0; i < windows.length; i++) {
            if (windows[i].length < t) {
                throw new IllegalArgumentException("window " + i + " has " + windows[i].length + " tokens, fewer than "
                        + t);
            }
            for (int j = 0; j < t; j++) {
                System.arraycopy(e.data(), windows[i][j] * hidden, h, (i * t + j) * hidden, hidden);
            }
        }
        return h;
    }
}
