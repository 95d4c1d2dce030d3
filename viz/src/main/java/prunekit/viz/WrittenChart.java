package prunekit.viz;

import java.nio.file.Path;

/** The two files of one rendered chart: a PNG for viewing and an SVG for papers and zooming. */
public record WrittenChart(Path png, Path svg) {
    public WrittenChart {
        if (png == null || svg == null) {
            throw new IllegalArgumentException("both png and svg paths are required");
        }
    }
}
