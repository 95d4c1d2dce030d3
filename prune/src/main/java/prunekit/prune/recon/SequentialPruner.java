package prunekit.prune.recon;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import prunekit.core.io.SafetensorsWriter;
import prunekit.core.io.TensorSource;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;

/**
 * Sequential block-by-block pruning on weights that stay on disk: the calibration windows are
 * embedded once, then each layer in turn is read from its {@link TensorSource}, pruned by
 * {@link LayerPruner} on the states that passed through the already-pruned layers below (and, when
 * the recipe needs it, the dense model's states beside them), and freed; its pruned outputs become
 * the next layer's inputs. The pruned checkpoint is produced as {@link SafetensorsWriter.Tensors}:
 * a layer is pruned when the writer first asks for one of its tensors (layers in order), so one
 * source layer and one pruned layer are resident, plus the hidden states of every window.
 * Deterministic: the same weights, windows and options give the same bytes.
 */
public final class SequentialPruner {
    private SequentialPruner() {
    }

    /**
     * The plan (original indices), calibration tokens used, the time taken, and per layer the
     * sub-block variants asked for with {@link LayerPruner.Sizes} (else empty lists).
     */
    public record Result(PruningPlan plan, long tokens, double seconds, List<List<BlockVariant>> attentionVariants,
                         List<List<BlockVariant>> mlpVariants) {
    }

    /** A pruned model in memory with its {@link Result}. */
    public record InMemory(Model model, Result result) {
    }

    /**
     * Starts pruning {@code w} to {@code allocation} on the first {@code t} tokens of every window,
     * also building every layer's sub-blocks at {@code sizes} (candidates for the search);
     * {@code budget} describes the budget in the plan. Nothing runs until tensors are asked for.
     */
    public static Run start(TensorSource w, int[][] windows, int t, Allocation allocation, LayerPruner.Sizes sizes,
                            ReconOptions o, String budget, Consumer<String> log) {
        return new Run(w, windows, t, allocation, sizes, o, budget, log);
    }

    /** One sequential pass: the pruned config up front, then layers pruned as their tensors are asked for. */
    public static final class Run {
        private final TensorSource w;
        private final int[][] windows;
        private final int t;
        private final Allocation allocation;
        private final LayerPruner.Sizes sizes;
        private final ReconOptions o;
        private final String budget;
        private final Consumer<String> log;
        private final LlamaConfig config;
        private final Map<String, Integer> layerOf = new HashMap<>();
        private final List<LayerPlan> plans = new ArrayList<>();
        private final List<List<BlockVariant>> av = new ArrayList<>();
        private final List<List<BlockVariant>> mv = new ArrayList<>();
        private LayerPruner.States states;
        private Map<String, FloatTensor> current = Map.of();
        private long t0;
        private double seconds;

        private Run(TensorSource w, int[][] windows, int t, Allocation allocation, LayerPruner.Sizes sizes,
                    ReconOptions o, String budget, Consumer<String> log) {
            this.w = w;
            this.windows = windows;
            this.t = t;
            this.allocation = allocation;
            this.sizes = sizes;
            this.o = o;
            this.budget = budget;
            this.log = log;
            this.config = allocation.config(w.config(), o.attention(), o.intercept()); // checks it against the model
            for (String name : LlamaWeights.expectedShapes(config).keySet()) {
                for (int i = 0; i < config.numLayers() && !layerOf.containsKey(name); i++) {
                    if (name.startsWith(TensorNames.layer(i))) {
                        layerOf.put(name, i);
                    }
                }
            }
        }

        /** The pruned model's config (from the allocation). */
        public LlamaConfig config() {
            return config;
        }

        /** The pruned tensors in checkpoint order; a layer's tensors must be asked for after the layers below. */
        public SafetensorsWriter.Tensors tensors() {
            return new SafetensorsWriter.Tensors(LlamaWeights.expectedShapes(config), this::tensor);
        }

        /** Prunes every layer not yet pruned (the search's candidates), keeping none of the pruned tensors. */
        public Result drain() {
            while (plans.size() < config.numLayers()) {
                next();
            }
            current = Map.of();
            return result();
        }

        /** Every pruned tensor in memory, as weights of {@link #config()}. */
        LlamaWeights collect() {
            Map<String, FloatTensor> out = new LinkedHashMap<>();
            tensors().shapes().keySet().forEach(n -> out.put(n, tensor(n)));
            return new LlamaWeights(config, out, w.storedDtype());
        }

        /** What the pass did; every layer must have been pruned. */
        public Result result() {
            if (plans.size() < config.numLayers()) {
                throw new IllegalStateException("only " + plans.size() + " of " + config.numLayers()
                        + " layers are pruned yet: write (or drain) every tensor first");
            }
            PruningPlan plan = new PruningPlan("recon", budget, PruningPlan.range(w.config().hidden()), plans);
            return new Result(plan, (long) windows.length * t, seconds, av, mv);
        }

        private FloatTensor tensor(String name) {
            Integer layer = layerOf.get(name);
            if (layer == null) { // embedding, final norm, head: unchanged
                FloatTensor f = w.read(name);
                w.release(name);
                return f;
            }
            if (layer < plans.size() - 1) {
                throw new IllegalStateException(name + " asked for after layer " + (plans.size() - 1)
                        + " was pruned: ask for the layers' tensors in order");
            }
            while (plans.size() <= layer) {
                next();
            }
            return current.get(name);
        }

        private void next() {
            int i = plans.size();
            if (i == 0) {
                t0 = System.nanoTime();
                states = embedded(); // no local keeps them: the pruner drops them after layer 0's attention
            }
            current = Map.of(); // the previous pruned layer is written by now
            // held by none here; the MLP's weights are read once the attention block is pruned
            LayerPruner.Result r = LayerPruner.prune(w.config(), LayerTensors.readAttention(w, i), a -> a.readMlp(w, i),
                    takeInput(), allocation.attention()[i], allocation.ffn()[i], sizes, o);
            LayerTensors.release(w, i);
            Map<String, FloatTensor> m = new HashMap<>();
            r.layer().putInto(m, i);
            current = m;
            av.add(r.attentionVariants());
            mv.add(r.mlpVariants());
            plans.add(new LayerPlan(i, false, r.kvHeads(), r.queryHeads(), r.ffn()));
            states = i + 1 < config.numLayers() ? r.output() : null; // the last layer's outputs go unused
            seconds = (System.nanoTime() - t0) / 1e9;
            log.accept(String.format("layer %d: %d heads / %d KV, ffn %d (%.1fs)", i, r.queryHeads().length,
                    r.kvHeads().length, r.ffn().length, seconds));
        }

        /** Layer 0's input states: the windows' embeddings, on both streams when the recipe has two. */
        private LayerPruner.States embedded() {
            float[] h = embed(w, windows, t);
            boolean dense = o.target().needsDenseStream() || !o.sequential();
            return new LayerPruner.States(h, dense ? h : null, windows.length, t);
        }

        /**
         * The next layer's input states, no longer held here (the pruner drops them after the attention
         * block): the sequential stream, or the dense one on both sides.
         */
        private LayerPruner.States takeInput() {
            LayerPruner.States in = o.sequential() ? states
                    : new LayerPruner.States(states.dense(), states.dense(), windows.length, t);
            states = null;
            return in;
        }
    }

    /** The embedding rows of the windows' first t tokens: (n·t, hidden); the embedding is read and released. */
    static float[] embed(TensorSource w, int[][] windows, int t) {
        FloatTensor e = w.read(TensorNames.EMBED);
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
        w.release(TensorNames.EMBED);
        return h;
    }
}
