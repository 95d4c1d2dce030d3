package prunekit.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.io.LazyModel;
import prunekit.core.model.Model;

/** The calibration options shared by {@code score} and {@code prune}: text files and how windows are drawn. */
public final class CalibrationArgs {
    @Option(names = "--calib", arity = "1..*", paramLabel = "FILE",
            description = "calibration text: plain text (blocks at blank lines) or .jsonl ({\"text\"} or {\"prompt\",\"response\"})")
    List<Path> files;

    @Option(names = "--samples", defaultValue = "64", paramLabel = "N", description = "calibration windows (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--seq-len", defaultValue = "128", paramLabel = "L", description = "tokens per window (default ${DEFAULT-VALUE})")
    int seqLen;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "seed of the window offsets (default ${DEFAULT-VALUE})")
    long seed;

    boolean given() {
        return files != null && !files.isEmpty();
    }

    /** The calibration set of {@code m}'s tokenizer; fails saying what to pass when --calib is missing. */
    CalibrationSet load(Model m, String why) {
        if (!given()) {
            throw new IllegalArgumentException(why + " needs calibration text: pass --calib FILE...");
        }
        return CalibrationSet.from(files, GenerateCommand.requireTokenizer(m),
                new CalibrationOptions(samples, seqLen, seed, CalibrationOptions.DEFAULT_HELD_OUT));
    }

    /** The calibration set of a model opened lazily, or null when --calib is not given. */
    CalibrationSet loadIfGiven(LazyModel m) {
        if (!given()) {
            return null;
        }
        if (m.tokenizer() == null) {
            throw new IllegalArgumentException(m.source() + ": the model has no tokenizer; pass --tokenizer FILE");
        }
        return CalibrationSet.from(files, m.tokenizer(),
                new CalibrationOptions(samples, seqLen, seed, CalibrationOptions.DEFAULT_HELD_OUT));
    }
}
