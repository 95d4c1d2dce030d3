package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import prunekit.core.TestModels;
import prunekit.core.model.Model;

/** With one possible window, training must memorize it: the loss falls from ~ln(vocab) to near zero. */
class OverfitTest {

    @Test
    void tinyModelMemorizesOneBatch(@TempDir Path tmp) {
        int[] stream = TinyModels.randomStream(17, TrainRuns.CONFIG.vocabSize(), 11); // seq 16: a single window
        TrainRecipe recipe = TrainRecipe.builder().steps(80).batch(2).seq(16).lr(1e-2).minLr(1e-3).warmup(5)
                .weightDecay(0).evalEvery(0).checkpointEvery(0).seed(3).build();
        TrainResult r = new Trainer(Recipe.train(recipe), RunOptions.defaults(), new TrainData(stream, null), tmp,
                TrainListener.NONE).run(new Model(TrainRuns.CONFIG, TestModels.random(TrainRuns.CONFIG, 4, 0.1), null, "init"),
                null, false);
        List<TrainLog.Entry> log = r.log().entries();
        double first = log.get(0).loss();
        double last = log.get(log.size() - 1).loss();
        assertTrue(first > 3.0, "starts near ln(32) = 3.47, got " + first);
        assertTrue(last < 0.3, "ends memorized, got " + last + " (from " + first + ")");
    }
}
