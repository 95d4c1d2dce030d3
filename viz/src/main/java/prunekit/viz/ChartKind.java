package prunekit.viz;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The charts prunekit draws, with the id each has in a chart JSON's {@code "chart"} field. */
public enum ChartKind {
    HEAD_HEATMAP("head-heatmap", HeadHeatmap.Data.class),
    CHANNEL_IMPORTANCE("channel-importance", ChannelImportanceChart.Data.class),
    KEPT_FRACTION("kept-fraction", KeptFractionChart.Data.class),
    SCORER_SCATTER("scorer-scatter", ScorerScatter.Data.class),
    KEEP_RATIO("keep-ratio", KeepRatioChart.Data.class),
    LOSS_CURVE("loss-curve", LossCurveChart.Data.class),
    RECOVERY("recovery", RecoveryChart.Data.class),
    SPEED_QUALITY("speed-quality", SpeedQualityChart.Data.class);

    private final String id;
    private final Class<? extends ChartData> dataType;

    ChartKind(String id, Class<? extends ChartData> dataType) {
        this.id = id;
        this.dataType = dataType;
    }

    public String id() {
        return id;
    }

    public Class<? extends ChartData> dataType() {
        return dataType;
    }

    /** The kind with this id; the exception lists the valid ids. */
    public static ChartKind fromId(String id) {
        for (ChartKind kind : values()) {
            if (kind.id.equals(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown chart \"" + id + "\"; expected one of " + ids());
    }

    /** {@code "head-heatmap", "channel-importance", ...} for messages. */
    public static String ids() {
        return Arrays.stream(values()).map(k -> "\"" + k.id + "\"").collect(Collectors.joining(", "));
    }
}
