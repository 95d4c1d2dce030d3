package prunekit.viz;

import java.util.Arrays;
import org.jfree.chart.JFreeChart;

/**
 * The input of one chart: an immutable record that checks itself when built and knows which chart
 * draws it.
 */
public sealed interface ChartData permits HeadHeatmap.Data, ChannelImportanceChart.Data, KeptFractionChart.Data,
        ScorerScatter.Data, KeepRatioChart.Data, LossCurveChart.Data, RecoveryChart.Data, SpeedQualityChart.Data {

    /** Which chart this is (the {@link ChartKind} whose data type this is); its id is the {@code "chart"} value in JSON. */
    default ChartKind kind() {
        return Arrays.stream(ChartKind.values()).filter(k -> k.dataType() == getClass()).findFirst().orElseThrow();
    }

    /** The chart's title (a default one when the input gave none). */
    String title();

    /** The chart, ready to render. */
    JFreeChart toChart();

    /** The pixel size this chart reads best at. */
    default ChartSize size() {
        return ChartSize.DEFAULT;
    }
}
