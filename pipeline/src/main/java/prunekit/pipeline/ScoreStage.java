package prunekit.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import prunekit.core.model.Model;
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

    /** {@code log} gets the scoring progress lines. */
    public static Result run(Model m, Options o, Consumer<String> log) {
        ImportanceScores s = Scoring.runWithStats(m, o.calibration().load(m, "scoring"), o.scorers(), o.scoring(), log).scores();
        Path file = o.out().resolve(PruneStage.SCORES);
        ScoresJson.write(s, file);
        return new Result(file, s);
    }
}
