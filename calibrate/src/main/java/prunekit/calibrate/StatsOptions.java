package prunekit.calibrate;

/**
 * What one statistics pass collects: activation moments always; with {@code gradients} also the
 * gradient of the mean calibration loss w.r.t. every weight. {@code batch} windows per forward.
 */
public record StatsOptions(int batch, boolean gradients) {
    public StatsOptions {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
    }

    public static StatsOptions activations() {
        return new StatsOptions(8, false);
    }

    public StatsOptions withGradients(boolean g) {
        return new StatsOptions(batch, g);
    }
}
