package prunekit.recover;

import java.nio.file.Path;
import prunekit.core.TestModels;
import prunekit.core.eval.TokenStream;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.Model;

/** Small training runs shared by the tests: a tiny model, a random stream, a fast recipe. */
final class TrainRuns {
    private TrainRuns() {
    }

    static final LlamaConfig CONFIG = TinyModels.small();

    static LlamaWeights initial() {
        return TestModels.random(CONFIG, 17, 0.1);
    }

    /** {@link #initial()} as the model a train run starts from. */
    static Model start() {
        return new Model(CONFIG, initial(), null, "initial");
    }

    static TrainData data() {
        int[] train = TinyModels.randomStream(4000, CONFIG.vocabSize(), 1);
        int[] valid = TinyModels.randomStream(300, CONFIG.vocabSize(), 2);
        return new TrainData(train, new TokenStream(valid, valid.length, 1));
    }

    /** 4 windows of 9 tokens per step (2 micro-batches), short warmup, validation and checkpoints on. */
    static TrainRecipe.Builder recipe(int steps) {
        return TrainRecipe.builder().steps(steps).batch(4).seq(8).accumulation(2).lr(1e-2).minLr(1e-3).warmup(2)
                .seed(7).evalEvery(4).evalWindows(4).checkpointEvery(3).keepCheckpoints(2);
    }

    static Trainer trainer(TrainRecipe recipe, Path out) {
        return new Trainer(Recipe.train(recipe), RunOptions.defaults(), data(), out, TrainListener.NONE);
    }
}
