package prunekit.calibrate;

import java.nio.file.Path;

/**
 * What one statistics pass collects: activation moments always; with {@code gradients} also the
 * gradient of the mean calibration loss w.r.t. every weight. {@code batch} windows per forward.
 * {@code spillDir}: where the layer-wise backward may spill the layers' inputs when they are large
 * (the run's output folder; null: java.io.tmpdir).
 */
public record StatsOptions(int batch, boolean gradients, Path spillDir) {
    public StatsOptions {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
    }

    public StatsOptions(int batch, boolean gradients) {
        this(batch, gradients, null);
    }

    public static StatsOptions activations() {
        return new StatsOptions(8, false);
    }

    public StatsOptions withGradients(boolean g) {
        return new StatsOptions(batch, g, spillDir);
    }

    public StatsOptions withSpillDir(Path dir) {
        return new StatsOptions(batch, gradients, dir);
    }
}
