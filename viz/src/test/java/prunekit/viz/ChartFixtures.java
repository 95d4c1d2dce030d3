package prunekit.viz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Small fixed inputs for every chart (and a few variants that take other code paths). */
final class ChartFixtures {
    private ChartFixtures() {
    }

    /** Ragged: layer 1 has 3 of 4 heads, layer 3 has lost its attention. */
    static HeadHeatmap.Data heatmap() {
        return new HeadHeatmap.Data("Head importance (wanda)", "importance (wanda)", false,
                List.of(List.of(0.05, 0.9, 0.5, 0.7), List.of(0.3, 0.2, 0.8), List.of(0.6, 0.1, 0.4, 0.95), List.of()),
                List.of(List.of(0), List.of(1), List.of(1, 2), List.of()));
    }

    /** 32 layers × 32 heads: a 7B-sized map, taller than the default size. */
    static HeadHeatmap.Data bigHeatmap() {
        Random random = new Random(7);
        List<List<Double>> scores = new ArrayList<>();
        for (int layer = 0; layer < 32; layer++) {
            List<Double> row = new ArrayList<>();
            int heads = layer % 5 == 4 ? 24 : 32;
            for (int head = 0; head < heads; head++) {
                row.add(Math.exp(random.nextGaussian()) * (1 + layer / 8.0));
            }
            scores.add(row);
        }
        return new HeadHeatmap.Data(null, null, true, scores, null);
    }

    static ChannelImportanceChart.Data channels(int layers, boolean logY) {
        Random random = new Random(11);
        List<List<Double>> scores = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            List<Double> row = new ArrayList<>();
            int width = 600 + 37 * layer;
            for (int c = 0; c < width; c++) {
                row.add(Math.exp(1.5 * random.nextGaussian()) * (1 + layer));
            }
            if (layer == 0) {
                row.set(0, 0.0); // dropped on a log axis
            }
            scores.add(row);
        }
        return new ChannelImportanceChart.Data("MLP channel importance (" + layers + " layers)", "wanda score", logY,
                scores);
    }

    static KeptFractionChart.Data kept() {
        return new KeptFractionChart.Data("Kept fraction per layer",
                List.of(1.0, 0.75, 0.5, 0.5, 0.75, 1.0),
                List.of(0.9, 0.6, 0.45, 0.4, 0.55, 0.85));
    }

    static ScorerScatter.Data scatter() {
        List<Double> oracle = List.of(0.01, 0.09, 0.02, 0.15, 0.05, 0.05, 0.30, 0.12);
        return new ScorerScatter.Data("Scorer vs oracle", null, false, List.of(
                new ScorerScatter.Scorer("wanda", List.of(0.1, 0.4, 0.3, 0.8, 0.35, 0.2, 1.2, 0.5), oracle),
                new ScorerScatter.Scorer("magnitude", List.of(2.0, 1.1, 3.5, 2.2, 0.9, 1.7, 2.8, 3.0), oracle),
                new ScorerScatter.Scorer("taylor", List.of(0.02, 0.07, 0.03, 0.2, 0.04, 0.06, 0.33, 0.1), oracle)));
    }

    static KeepRatioChart.Data keepRatio() {
        List<Double> ratios = List.of(0.9, 0.8, 0.7, 0.6, 0.5);
        return new KeepRatioChart.Data("Perplexity vs keep ratio (uniform & adaptive)", 8.9, List.of(
                curve("wanda", KeepRatioChart.Allocation.UNIFORM, ratios, List.of(9.4, 10.9, 12.8, 17.5, 25.1)),
                curve("wanda", KeepRatioChart.Allocation.ADAPTIVE, ratios, List.of(9.2, 10.1, 11.5, 14.6, 19.9)),
                curve("magnitude", KeepRatioChart.Allocation.UNIFORM, ratios, List.of(10.4, 14.9, 24.8, 57.5, 160.0)),
                curve("magnitude", KeepRatioChart.Allocation.ADAPTIVE, ratios, List.of(10.0, 13.1, 19.0, 38.2, 95.0))));
    }

    private static KeepRatioChart.Curve curve(String scorer, KeepRatioChart.Allocation allocation, List<Double> x,
            List<Double> y) {
        return new KeepRatioChart.Curve(scorer, allocation, x, y);
    }

    static LossCurveChart.Data loss() {
        return new LossCurveChart.Data("Recovery loss: ours vs reference", null, List.of(
                run("ours", 0.0, 3.9), run("reference", 0.15, 4.0)));
    }

    private static LossCurveChart.Run run(String name, double offset, double start) {
        List<Double> tokens = new ArrayList<>();
        List<Double> train = new ArrayList<>();
        List<Double> valTokens = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        Random random = new Random(name.hashCode());
        for (int step = 0; step <= 200; step++) {
            double t = step * 5e6;
            tokens.add(t);
            train.add(2.4 + offset + (start - 2.4) * Math.exp(-t / 2e8) + 0.05 * random.nextGaussian());
            if (step % 25 == 0) {
                valTokens.add(t);
                val.add(2.5 + offset + (start - 2.5) * Math.exp(-t / 2e8));
            }
        }
        return new LossCurveChart.Run(name, tokens, train, valTokens, val);
    }

    static RecoveryChart.Data recovery() {
        List<Double> tokens = List.of(0.0, 1e7, 5e7, 1e8, 5e8, 1e9);
        return new RecoveryChart.Data("Recovery of the 2.7B model", 8.9, 41.0, true, List.of(
                new RecoveryChart.Run("LoRA r=64, distill", tokens, List.of(41.0, 20.1, 14.2, 12.6, 11.4, 11.0)),
                new RecoveryChart.Run("full, cross-entropy", tokens, List.of(41.0, 17.3, 12.9, 11.5, 10.3, 9.9))));
    }

    static SpeedQualityChart.Data speedQuality() {
        return new SpeedQualityChart.Data("Quality vs speed", false, List.of(
                new SpeedQualityChart.Point("dense 7B", 1.0, 8.9),
                new SpeedQualityChart.Point("pruned 2.7B", 2.3, 41.0),
                new SpeedQualityChart.Point("pruned 2.7B + recovery", 2.3, 11.4),
                new SpeedQualityChart.Point("pruned 4B + recovery", 1.6, 9.8)));
    }

    /** Every fixture, named for test reports. */
    static Stream<Arguments> all() {
        return Stream.of(
                Arguments.of("head-heatmap", heatmap()),
                Arguments.of("head-heatmap 32x32", bigHeatmap()),
                Arguments.of("channel-importance log", channels(3, true)),
                Arguments.of("channel-importance 16 layers", channels(16, false)),
                Arguments.of("kept-fraction", kept()),
                Arguments.of("scorer-scatter", scatter()),
                Arguments.of("keep-ratio", keepRatio()),
                Arguments.of("loss-curve", loss()),
                Arguments.of("recovery", recovery()),
                Arguments.of("speed-quality", speedQuality()));
    }
}
