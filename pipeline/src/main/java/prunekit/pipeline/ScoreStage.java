package prunekit.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.io.LazyModel;
import prunekit.prune.score.ImportanceScores;
import prunekit.prune.score.ScorerName;
import prunekit.prune.score.Scoring;
import prunekit.prune.score.ScoringOptions;
import prunekit.prune.score.ScoresJson;

/** Importance scores of a model's groups on calibration text, written to OUT/scores.json. */
public final class ScoreStage {
    private ScoreStage() {
    }

    public record Options(Calibration calibration, List<ScorerName> scorers, ScoringOptions scoring, Path out) {
        public Options {
            if (calibration == null || scorers == null || scorers.isEmpty() || scoring == null || out == null) {
                throw new IllegalArgumentException("score needs calibration text, at least one --scorer and --out DIR");
            }
            scorers = List.copyOf(scorers);
        }
    }

    public record Result(Path file, ImportanceScores scores) {
    }

    /** On a model opened lazily (one layer resident at a time); {@code log} gets the scoring progress lines. */
    public static Result run(LazyModel m, Options o, Consumer<String> log) {
        CalibrationSet set = o.calibration().loadIfGiven(m);
        if (set == null) {
            throw new IllegalArgumentException("scoring needs calibration text: pass --calib FILE...");
        }
        ScoringOptions so = o.scoring().withStats(o.scoring().stats().withSpillDir(o.out()));
        ImportanceScores s = Scoring.runStreamed(m.weights(), set, o.scorers(), so, log).scores();
        Path file = o.out().resolve(PruneStage.SCORES);
        ScoresJson.write(s, file);
        return new Result(file, s);
    }
}
