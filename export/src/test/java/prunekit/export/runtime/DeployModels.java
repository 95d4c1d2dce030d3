package prunekit.export.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import prunekit.core.SharedFiles;
import prunekit.core.io.GgufReader;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.prune.plan.LayerPlan;
import prunekit.prune.plan.PruningPlan;
import prunekit.prune.surgery.Surgery;
import prunekit.prune.surgery.SurgeryOptions;

/**
 * The models whose deployment files the runtime tests check: stories260K and mini-vina as shipped in
 * {@code models/}, and mini-vina cut by {@link Surgery} to a uniform shape (6 of 8 heads, 75% of the
 * FFN in every layer), to a per-layer shape (8, 6, 4, 6, 8, 5 heads; FFN 688 down to 368) and with
 * a whole block removed (layer 2 without attention; a 'deci' GGUF).
 * The kept indices are fixed, spread over the range, so the files are the same on every run.
 */
enum DeployModels {
    STORIES,
    MINI_VINA,
    MINI_VINA_UNIFORM,
    MINI_VINA_ADAPTIVE,
    MINI_VINA_BLOCKS;

    private Model cached;

    synchronized Model model() {
        if (cached == null) {
            cached = switch (this) {
                case STORIES -> GgufReader.read(SharedFiles.project("models/stories260K.gguf"));
                case MINI_VINA -> miniVina();
                case MINI_VINA_UNIFORM -> cut(miniVina(), new int[] {6, 6, 6, 6, 6, 6}, new int[] {516, 516, 516, 516, 516, 516});
                case MINI_VINA_ADAPTIVE -> cut(miniVina(), new int[] {8, 6, 4, 6, 8, 5}, new int[] {688, 600, 368, 512, 640, 432});
                case MINI_VINA_BLOCKS -> cut(miniVina(), new int[] {8, 8, 0, 8, 6, 8}, new int[] {688, 688, 688, 688, 512, 688});
            };
        }
        return cached;
    }

    /** Prompts in the model's language. */
    List<String> prompts() {
        return this == STORIES ? List.of("Once upon a time", "The cat")
                : List.of("Việt Nam là một quốc gia", "Điều 1. Phạm vi điều chỉnh");
    }

    private static Model miniVina() {
        return HfCheckpoint.read(SharedFiles.project("models/mini-vina"));
    }

    /** Keeps {@code heads[i]} heads (MHA: as many KV heads) and {@code ffn[i]} channels of layer i. */
    private static Model cut(Model m, int[] heads, int[] ffn) {
        LlamaConfig c = m.config();
        List<LayerPlan> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            LayerShape s = c.layer(i);
            int[] h = spread(s.queryHeads(), heads[i]);
            layers.add(new LayerPlan(i, false, h, h, spread(s.ffn(), ffn[i])));
        }
        PruningPlan plan = new PruningPlan("fixed", "runtime test", PruningPlan.range(c.hidden()), layers);
        return Surgery.apply(m, plan, SurgeryOptions.plain());
    }

    /** {@code k} ascending indices spread evenly over 0..n-1. */
    private static int[] spread(int n, int k) {
        return IntStream.range(0, k).map(j -> (int) ((long) j * n / k)).toArray();
    }
}
