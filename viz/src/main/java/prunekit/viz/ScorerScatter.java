package prunekit.viz;

import java.awt.geom.Ellipse2D;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * How well each importance scorer predicts what pruning a group really costs: one panel per scorer,
 * side by side and sharing the y axis, with each coupling group's score (x) against its oracle, the
 * measured loss increase when that group alone is removed (y). The legend and subtitle give
 * Spearman's ρ (ties averaged, computed on all points; panels draw at most 5000 of them).
 *
 * <p>JSON:
 * <pre>{@code
 * {
 *   "chart": "scorer-scatter",
 *   "title": "Scorer vs oracle",                         // optional
 *   "oracle_label": "loss increase when removed (nats)",  // optional: the y axis label
 *   "log_score": false,                                   // optional: log x axes (scores <= 0 not drawn)
 *   "scorers": [
 *     {"name": "wanda", "score": [0.1, 0.4, 0.3], "oracle": [0.01, 0.09, 0.02]},
 *     {"name": "magnitude", "score": [2.0, 1.1, 3.5], "oracle": [0.01, 0.09, 0.02]}
 *   ]
 * }
 * }</pre>
 */
public final class ScorerScatter {
    static final int MAX_POINTS = 5000;

    private ScorerScatter() {
    }

    /** One scorer's scores and the oracle values of the same groups, in the same order. */
    public record Scorer(String name, List<Double> score, List<Double> oracle) {
        public Scorer {
            name = Checks.text(name, "scorer name");
            score = Checks.finite(score, "scorer '" + name + "': score");
            oracle = Checks.finite(oracle, "scorer '" + name + "': oracle");
            Checks.sameSize(score, "scorer '" + name + "': score", oracle, "scorer '" + name + "': oracle");
            if (score.size() < 2) {
                throw new IllegalArgumentException("scorer '" + name + "' needs at least 2 groups, found " + score.size());
            }
        }

        /** Spearman's ρ between score and oracle; NaN when either is constant. */
        public double spearman() {
            return Stats.spearman(Checks.toArray(score), Checks.toArray(oracle));
        }
    }

    /** The scorers to compare; names must be distinct. */
    public record Data(String title, String oracleLabel, boolean logScore, List<Scorer> scorers) implements ChartData {
        public Data {
            title = Checks.textOr(title, "Scorer score vs measured loss increase");
            oracleLabel = Checks.textOr(oracleLabel, "loss increase when removed (nats/token)");
            scorers = Checks.nonEmpty(scorers, "scorers", "give at least one scorer");
            if (scorers.stream().map(Scorer::name).distinct().count() != scorers.size()) {
                throw new IllegalArgumentException("scorer names must be distinct");
            }
        }

        @Override
        public JFreeChart toChart() {
            return build(this);
        }

        /** About 300 px per panel, at least the default width. */
        @Override
        public ChartSize size() {
            return new ChartSize(Math.max(900, Math.min(2400, 60 + 300 * scorers.size())), 560);
        }
    }

    /** The panels as a JFreeChart. */
    public static JFreeChart build(Data data) {
        NumberAxis oracle = ChartStyle.numberAxis(data.oracleLabel());
        oracle.setAutoRangeIncludesZero(true);
        CombinedRangeXYPlot combined = new CombinedRangeXYPlot(oracle);
        combined.setGap(16);
        StringBuilder subtitle = new StringBuilder("Spearman ρ (score, oracle):");
        for (int i = 0; i < data.scorers().size(); i++) {
            Scorer scorer = data.scorers().get(i);
            double rho = scorer.spearman();
            combined.add(panel(scorer, rho, i, data.logScore()), 1);
            subtitle.append(i == 0 ? " " : ", ").append(scorer.name()).append(" ").append(ChartStyle.rho(rho));
        }
        JFreeChart chart = ChartStyle.chart(data.title(), combined, true);
        ChartStyle.subtitle(chart, subtitle.toString());
        return chart;
    }

    private static XYPlot panel(Scorer scorer, double rho, int index, boolean logScore) {
        String key = String.format(Locale.ROOT, "%s (ρ = %s, n = %d)", scorer.name(), ChartStyle.rho(rho),
                scorer.score().size());
        XYSeries series = new XYSeries(key, false, true);
        for (int k : Downsample.indices(scorer.score().size(), MAX_POINTS)) {
            double score = scorer.score().get(k);
            if (!logScore || score > 0) {
                series.add(score, scorer.oracle().get(k));
            }
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        renderer.setSeriesShape(0, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        renderer.setSeriesPaint(0, Palette.translucent(Palette.categorical(index), 170));
        renderer.setSeriesOutlinePaint(0, Palette.categorical(index));
        renderer.setUseOutlinePaint(true);
        renderer.setDrawOutlines(true);
        ValueAxis x = logScore
                ? ChartStyle.logAxis(scorer.name() + " score (log)")
                : ChartStyle.numberAxis(scorer.name() + " score");
        XYPlot plot = new XYPlot(new XYSeriesCollection(series), x, null, renderer);
        ChartStyle.styleXYPlot(plot);
        return plot;
    }
}
