package prunekit.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import prunekit.calibrate.CalibrationOptions;
import prunekit.pipeline.Calibration;

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

    /** The files and window options as the pipeline takes them (files may be none). */
    Calibration calibration() {
        return new Calibration(files, new CalibrationOptions(samples, seqLen, seed, CalibrationOptions.DEFAULT_HELD_OUT));
    }
}
