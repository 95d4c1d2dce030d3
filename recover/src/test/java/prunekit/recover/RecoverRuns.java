package prunekit.recover;

import java.nio.file.Path;
import java.util.List;
import prunekit.core.TestModels;
import prunekit.core.model.LayerShape;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.Model;
import prunekit.core.model.TensorNames.Proj;

/** Small recovery runs shared by the tests: a tiny teacher, a narrower student, a fast recipe. */
final class RecoverRuns {
    private RecoverRuns() {
    }

    /** The dense teacher: TinyModels.small() (2 layers, 4 query heads over 2 KV heads, FFN 24). */
    static Model teacher() {
        return new Model(TinyModels.small(), TestModels.random(TinyModels.small(), 17, 0.1), null, "teacher");
    }

    /** A "pruned" student: same hidden size and vocabulary, 2 query heads over 1 KV head, FFN 10. */
    static Model student() {
        LlamaConfig c = TinyModels.small().toBuilder().uniformLayers(2, new LayerShape(2, 1, 10)).build();
        return new Model(c, TestModels.random(c, 23, 0.1), null, "student");
    }

    static LoraSpec lora() {
        return new LoraSpec(2, 4, LoraSpec.parseTargets("q,k,v,o,gate,up,down"), 5);
    }

    /** 4 windows of 9 tokens per step in 2 micro-batches, validation every 4 steps, checkpoints every 3. */
    static TrainRecipe.Builder train(int steps) {
        return TrainRuns.recipe(steps);
    }

    static Recipe recipe(int steps, Recipe.Mode mode, LossSpec loss, int topK) {
        return Recipe.recover(train(steps).build(), mode, mode == Recipe.Mode.LORA ? lora() : null, loss, topK);
    }

    static LossSpec mixWithHidden() {
        return new LossSpec(LossKind.MIX, 0.7, 2.0, 0.5, List.of());
    }

    static Trainer recovery(Recipe recipe, Path out, Path cacheOrNull) {
        return new Trainer(recipe, new RunOptions(cacheOrNull, null), TrainRuns.data(), out, TrainListener.NONE);
    }

    static List<Proj> allProjections() {
        return List.of(Proj.values());
    }
}
