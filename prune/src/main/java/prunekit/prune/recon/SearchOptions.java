package prunekit.prune.recon;

/**
 * The allocation search: {@code generations} rounds of an evolutionary search over per-module
 * sizes with a population of {@code population}, mutations drawn from {@code seed}; FFN widths in
 * {@code ffnSteps} equal steps (plus the full width); {@code searchWindows} held-out windows of
 * the calibration text measure KL(dense ‖ pruned). Zero generations: the uniform allocation.
 */
public record SearchOptions(int generations, int population, long seed, int ffnSteps, int searchWindows) {
    public SearchOptions {
        if (generations < 0 || population < 2 || ffnSteps < 1 || searchWindows < 1) {
            throw new IllegalArgumentException("search needs generations >= 0, population >= 2, ffn steps >= 1 and at"
                    + " least one search window; got generations " + generations + ", population " + population
                    + ", ffn steps " + ffnSteps + ", search windows " + searchWindows);
        }
    }

    public static SearchOptions defaults() {
        return new SearchOptions(30, 12, 0, 16, 8);
    }

    public SearchOptions withGenerations(int g) {
        return new SearchOptions(g, population, seed, ffnSteps, searchWindows);
    }
}
