package prunekit.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import prunekit.core.eval.TokenStream;
import prunekit.core.model.Model;
import prunekit.recover.Recipe;
import prunekit.recover.RunOptions;
import prunekit.recover.TrainData;
import prunekit.recover.TrainListener;
import prunekit.recover.TrainLog;
import prunekit.recover.TrainResult;
import prunekit.recover.Trainer;
import prunekit.viz.Charts;

/**
 * Heals a pruned model: the {@link Trainer} on a recover {@link Recipe}, the training text and
 * validation on held-out text, then the recovery chart (OUT/recovery.png|svg) when validation ran.
 * Writes OUT/recovered, OUT/recover.json and OUT/checkpoints/.
 */
public final class RecoverStage {
    private RecoverStage() {
    }

    /** {@code valid} may be empty (no validation, no chart); {@code teacher} is needed by kd and mix. */
    public record Options(Recipe recipe, RunOptions run, List<Path> data, List<Path> valid, Path out, boolean resume) {
        public Options {
            if (recipe == null || data == null || data.isEmpty() || out == null) {
                throw new IllegalArgumentException("recover needs a recipe, --data FILE... and --out DIR");
            }
            if (!recipe.heals()) {
                throw new IllegalArgumentException("RecoverStage runs recover recipes, not " + recipe.kind());
            }
            data = List.copyOf(data);
            valid = valid == null ? List.of() : List.copyOf(valid);
        }
    }

    /** The recovered checkpoint's directory and the run's typed outcome. */
    public record Result(Path recovered, TrainResult run) {
    }

    public static Result run(Model student, Model teacher, Options o, ProgressBars bars, Consumer<String> log)
            throws IOException {
        TokenStream train = TokenStream.of(o.data(), Models.requireTokenizer(student));
        TokenStream held = o.valid().isEmpty() ? null : TokenStream.of(o.valid(), Models.requireTokenizer(student));
        Trainer trainer = new Trainer(o.recipe(), o.run(), TrainData.of(train, held), o.out(),
                listener(o.recipe(), bars, log));
        TrainResult r = trainer.run(student, teacher, o.resume());
        if (held != null) {
            // the chart reads the curve and its reference lines from recover.json, as it does for several runs
            Charts.write(RecoveryChartData.of(List.of(o.out()), null, null), o.out().resolve("recovery"));
        }
        return new Result(o.out().resolve(Trainer.RECOVERED_DIR), r);
    }

    /** A progress bar over the steps: loss, tokens/s and the latest validation perplexity. */
    static TrainListener listener(Recipe recipe, ProgressBars bars, Consumer<String> log) {
        ProgressBars.Bar bar = bars.start("recover", recipe.train().steps(), "steps");
        return new TrainListener() {
            private double lastValid = Double.NaN;

            @Override
            public void onStep(TrainLog.Entry e, int total, double tokensPerSecond, double eta) {
                String extra = String.format(Locale.ROOT, "loss %.4f  %.0f tok/s%s", e.loss(), tokensPerSecond,
                        Double.isNaN(lastValid) ? "" : String.format(Locale.ROOT, "  valid ppl %.2f", Math.exp(lastValid)));
                if (e.step() == total) {
                    bar.finish(e.step(), extra);
                } else {
                    bar.update(e.step(), extra);
                }
            }

            @Override
            public void onValidation(int step, double loss) {
                lastValid = loss;
            }

            @Override
            public void onResume(int step, Path dir) {
                log.accept("recover: resuming after step " + step + " from " + dir);
            }
        };
    }
}
