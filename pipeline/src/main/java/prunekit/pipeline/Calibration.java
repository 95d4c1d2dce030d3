package prunekit.pipeline;

import java.nio.file.Path;
import java.util.List;
import prunekit.calibrate.CalibrationOptions;
import prunekit.calibrate.CalibrationSet;
import prunekit.core.io.LazyModel;

/** Calibration text files (possibly none) and how windows are drawn from them. */
public record Calibration(List<Path> files, CalibrationOptions options) {
    public Calibration {
        files = files == null ? List.of() : List.copyOf(files);
        if (options == null) {
            throw new IllegalArgumentException("calibration options are required");
        }
    }

    public boolean given() {
        return !files.isEmpty();
    }

    /** The calibration set of a model opened lazily, or null when no file is given. */
    public CalibrationSet loadIfGiven(LazyModel m) {
        if (!given()) {
            return null;
        }
        return CalibrationSet.from(files, Models.requireTokenizer(m), options);
    }
}
