package prunekit.viz;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The entry points the CLI uses: draw a chart input to PNG + SVG, or do the whole of
 * {@code prunekit plot FILE.json --out DIR}.
 */
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

    /**
     * Reads a chart JSON file and writes {@code OUTDIR/NAME.png} and {@code OUTDIR/NAME.svg}, NAME
     * being the JSON file's name without {@code .json}.
     *
     * @throws ChartJsonException when the file is not a valid chart JSON
     */
    public static WrittenChart plot(Path jsonFile, Path outDir) throws IOException {
        ChartData data = VizJson.read(jsonFile);
        String name = jsonFile.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".json")) {
            name = name.substring(0, name.length() - ".json".length());
        }
        if (name.isEmpty()) {
            name = data.kind().id();
        }
        return write(data, outDir.resolve(name));
    }
}
