package prunekit.viz;

import java.io.IOException;
import java.nio.file.Path;

/** The entry point the CLI uses: draw a chart input to PNG + SVG. */
public final class Charts {
    private Charts() {
    }

    /** Renders {@code data} to {@code STEM.png} and {@code STEM.svg} at the chart's size. */
    public static WrittenChart write(ChartData data, Path stem) throws IOException {
        if (data == null) {
            throw new IllegalArgumentException("chart data is required");
        }
        return ChartWriter.write(data.toChart(), stem, data.size());
    }
}
