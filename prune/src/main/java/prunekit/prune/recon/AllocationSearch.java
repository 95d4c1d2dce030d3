package prunekit.prune.recon;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.engine.Transformer;
import prunekit.core.io.TensorSource;
import prunekit.core.model.FloatTensor;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames;
import prunekit.core.model.TensorNames.Proj;
import prunekit.core.eval.WindowBatch;
import prunekit.prune.budget.AttentionUnit;

/**
 * A searched per-module allocation (Týr-the-Pruner's idea, small): every sub-block is first pruned
 * at every size along the uniform sequential path (attention: 0..all units; MLP: 0, steps of
 * f0/ffnSteps, f0), then an evolutionary search over the sizes — mutations move one level from
 * one module to another and are kept only within the budget — ranks candidates by
 * KL(dense ‖ pruned) on held-out windows disjoint from the pruning windows. The winner's FFN
 * widths are then topped up channel by channel to the budget. Seeded: the same inputs give the
 * same allocation.
 */
public final class AllocationSearch {
    private AllocationSearch() {
    }

    /** A candidate: level indices (attention level = units; FFN level into {@code ffnSizes}). */
    private record Candidate(int[] attn, int[] ffn) {
        String key() {
            return Arrays.toString(attn) + Arrays.toString(ffn);
        }
    }

    public static Allocation search(Model m, CalibrationSet cal, Allocation uniform, long target, ReconOptions o,
                                    SearchOptions so, Consumer<String> log) {
        LlamaConfig c = m.config();
        int a0 = Allocation.units(c.layer(0), o.attention());
        int f0 = c.layer(0).ffn();
        int[] ffnSizes = ffnSizes(f0, so.ffnSteps());
        int[] attnSizes = IntStream.rangeClosed(0, a0).toArray();
        SequentialPruner.Result supernet = SequentialPruner.start(TensorSource.of(m.weights(), m.source()),
                cal.calibration(), cal.seqLen(), uniform, new LayerPruner.Sizes(attnSizes, ffnSizes), o,
                "search candidates", s -> log.accept("candidates: " + s)).drain();
        int[][] windows = Arrays.copyOf(cal.heldOut(), Math.min(so.searchWindows(), cal.heldOut().length));
        Map<String, Double> cache = new HashMap<>();
        try (Kl kl = new Kl(m, windows, cal.seqLen())) {
            Random r = new Random(so.seed());
            Candidate start = new Candidate(uniform.attention(), levelsBelow(uniform.ffn(), ffnSizes));
            List<Candidate> pop = new ArrayList<>(List.of(start));
            while (pop.size() < so.population()) {
                pop.add(mutate(start, 1 + r.nextInt(3), r, c, o, target, attnSizes.length - 1, ffnSizes));
            }
            for (int gen = 0; gen <= so.generations(); gen++) {
                for (Candidate k : pop) {
                    cache.computeIfAbsent(k.key(), x -> kl.of(assemble(m, supernet, k, o)));
                }
                pop.sort(Comparator.comparingDouble((Candidate k) -> cache.get(k.key())).thenComparing(Candidate::key));
                log.accept(String.format("search generation %d/%d: best KL %.5f %s", gen, so.generations(),
                        cache.get(pop.get(0).key()), pop.get(0).key()));
                if (gen == so.generations()) {
                    break;
                }
                List<Candidate> next = new ArrayList<>(pop.subList(0, so.population() / 2));
                for (int i = 0; next.size() < so.population(); i++) {
                    next.add(mutate(next.get(i % (so.population() / 2)), 1 + r.nextInt(3), r, c, o, target, a0,
                            ffnSizes));
                }
                pop = next;
            }
            Candidate best = pop.get(0);
            return topUp(new Allocation(best.attn(), sizes(best.ffn(), ffnSizes)), c, o, target);
        }
    }

    /**
     * Bytes the search holds, estimated from the config: the model in memory (its Java copy and a
     * candidate's native one), every candidate sub-block (attention at 0..all units, the MLP at each
     * FFN level) in fp32, and the dense model's probabilities on the search windows.
     */
    static long memoryBytes(LlamaConfig c, ReconOptions o, SearchOptions so, int seqLen) {
        LayerShape s = c.layer(0);
        int a0 = Allocation.units(s, o.attention());
        boolean kvGroups = o.attention() == AttentionUnit.KV_GROUPS;
        long qo = 2L * s.queryHeads() * c.headDim() * c.hidden(); // q and o shrink with every unit
        long kv = 2L * s.kvHeads() * c.headDim() * c.hidden();    // k and v with KV groups only
        long attn = 0;
        for (int a = 1; a <= a0; a++) {
            attn += kvGroups ? (qo + kv) * a / a0 : qo * a / a0 + kv;
        }
        long ffn = IntStream.of(ffnSizes(s.ffn(), so.ffnSteps())).asLongStream().sum() * 3L * c.hidden();
        long probs = (long) so.searchWindows() * seqLen * c.vocabSize() * 4 * 3;
        return MemoryCheck.wholeModel(c, MemoryCheck.INFERENCE_BYTES_PER_PARAM) + 4L * c.numLayers() * (attn + ffn) + probs;
    }

    static int[] ffnSizes(int f0, int steps) {
        int step = Math.max(1, f0 / steps);
        return IntStream.concat(IntStream.iterate(0, f -> f < f0, f -> f + step), IntStream.of(f0)).toArray();
    }

    private static int[] levelsBelow(int[] ffn, int[] sizes) {
        int[] l = new int[ffn.length];
        for (int i = 0; i < ffn.length; i++) {
            int k = 0;
            while (k + 1 < sizes.length && sizes[k + 1] <= ffn[i]) {
                k++;
            }
            l[i] = k;
        }
        return l;
    }

    /** {@code swaps} level moves from one module to another, each kept only if the budget still holds. */
    private static Candidate mutate(Candidate k, int swaps, Random r, LlamaConfig c, ReconOptions o, long target,
                                    int maxAttn, int[] ffnSizes) {
        int[] attn = k.attn().clone();
        int[] ffn = k.ffn().clone();
        int layers = attn.length;
        for (int s = 0; s < swaps; s++) {
            for (int tries = 0; tries < 50; tries++) {
                int up = r.nextInt(2 * layers);
                int down = r.nextInt(2 * layers);
                if (up == down || level(attn, ffn, up) == (up < layers ? maxAttn : ffnSizes.length - 1)
                        || level(attn, ffn, down) == 0) {
                    continue;
                }
                int[] a2 = attn.clone();
                int[] f2 = ffn.clone();
                shift(a2, f2, up, 1);
                shift(a2, f2, down, -1);
                if (params(a2, f2, ffnSizes, c, o) <= target) {
                    attn = a2;
                    ffn = f2;
                    break;
                }
            }
        }
        return new Candidate(attn, ffn);
    }

    private static int level(int[] attn, int[] ffn, int module) {
        return module < attn.length ? attn[module] : ffn[module - attn.length];
    }

    private static void shift(int[] attn, int[] ffn, int module, int d) {
        if (module < attn.length) {
            attn[module] += d;
        } else {
            ffn[module - attn.length] += d;
        }
    }

    private static long params(int[] attn, int[] ffnLevels, int[] ffnSizes, LlamaConfig c, ReconOptions o) {
        return new Allocation(attn, sizes(ffnLevels, ffnSizes)).parameters(c, o.attention(), o.intercept());
    }

    /** The FFN widths of FFN levels. */
    private static int[] sizes(int[] levels, int[] ffnSizes) {
        return Arrays.stream(levels).map(l -> ffnSizes[l]).toArray();
    }

    /** Adds FFN channels one layer at a time (round robin over layers that have an MLP) while the budget holds. */
    static Allocation topUp(Allocation a, LlamaConfig c, ReconOptions o, long target) {
        int[] ffn = a.ffn();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (int i = 0; i < ffn.length; i++) {
                if (ffn[i] == 0 || ffn[i] == c.layer(i).ffn()) {
                    continue;
                }
                ffn[i]++;
                if (new Allocation(a.attention(), ffn).parameters(c, o.attention(), o.intercept()) <= target) {
                    grew = true;
                } else {
                    ffn[i]--;
                }
            }
        }
        return new Allocation(a.attention(), ffn);
    }

    /** The model a candidate describes, from the precomputed sub-block variants. */
    private static Model assemble(Model m, SequentialPruner.Result net, Candidate k, ReconOptions o) {
        LlamaConfig c = m.config();
        LlamaWeights w = m.weights();
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        out.put(TensorNames.EMBED, w.get(TensorNames.EMBED));
        List<LayerShape> shapes = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            BlockVariant a = net.attentionVariants().get(i).get(k.attn()[i]);
            BlockVariant f = net.mlpVariants().get(i).get(k.ffn()[i]);
            Map<Proj, FloatTensor> ws = new EnumMap<>(Proj.class);
            Map<Proj, FloatTensor> bs = new EnumMap<>(Proj.class);
            ws.putAll(a.weights());
            ws.putAll(f.weights());
            bs.putAll(a.biases());
            bs.putAll(f.biases());
            LayerShape s = Allocation.shape(c.layer(i), o.attention(), a.size(), f.size());
            new LayerTensors(s, w.get(TensorNames.inputNorm(i)), w.get(TensorNames.postAttentionNorm(i)), ws, bs)
                    .putInto(out, i);
            shapes.add(s);
        }
        out.put(TensorNames.FINAL_NORM, w.get(TensorNames.FINAL_NORM));
        if (!c.tieWordEmbeddings()) {
            out.put(TensorNames.LM_HEAD, w.get(TensorNames.LM_HEAD));
        }
        LlamaConfig nc = c.toBuilder().layers(shapes).attentionBias(c.attentionBias() || o.intercept())
                .mlpBias(c.mlpBias() || o.intercept()).build();
        return new Model(nc, new LlamaWeights(nc, out, w.storedDtype()), m.tokenizer(), "search candidate");
    }

    /** Mean KL(dense ‖ pruned) per token over fixed windows; the dense distribution is computed once. */
    private static final class Kl implements AutoCloseable {
        private final NDManager manager = prunekit.core.engine.Engines.newManager();
        private final long[] ids;
        private final Shape shape;
        private final NDArray denseProbs; // p: (n, t, vocab)
        private final double negEntropy;  // Σ p log p

        Kl(Model dense, int[][] windows, int t) {
            shape = new Shape(windows.length, t);
            ids = WindowBatch.of(windows, 0, windows.length, t).inputs();
            try (Transformer tf = new Transformer(dense.weights()); NDScope scope = new NDScope()) {
                NDArray lp = logProbs(tf);
                denseProbs = lp.exp();
                NDScope.unregister(denseProbs);
                denseProbs.attach(manager);
                negEntropy = denseProbs.mul(lp).sum().getFloat();
            }
        }

        private NDArray logProbs(Transformer tf) {
            NDArray in = tf.manager().create(ids, shape);
            return tf.forward(in, null, null).logSoftmax(-1);
        }

        /** (Σ p log p − Σ p log q) / tokens. */
        double of(Model pruned) {
            try (Transformer tf = new Transformer(pruned.weights()); NDScope scope = new NDScope()) {
                double cross = denseProbs.mul(logProbs(tf)).sum().getFloat();
                return (negEntropy - cross) / (shape.get(0) * shape.get(1));
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
