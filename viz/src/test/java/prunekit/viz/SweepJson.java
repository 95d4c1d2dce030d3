package prunekit.viz;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A strict {@link SweepTable} reader for the tests' sweep.json fixtures: no comments, NaN or
 * trailing data; unknown keys and ill-typed values fail with their path
 * ({@code sweep.configurations[2].speedup_ort}); every record checks its values.
 */
final class SweepJson {
    private SweepJson() {
    }

    /** Reads and checks a sweep.json. */
    static SweepTable read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses sweep.json text; {@code source} names it in errors. */
    static SweepTable parse(String json, String source) {
        JsonObject object = VizJson.parseObject(json, source);
        try {
            JsonShape.check(object, SweepTable.class, "sweep");
            SweepTable table = VizJson.GSON.fromJson(object, SweepTable.class);
            if (table == null) {
                throw new IllegalArgumentException("no data");
            }
            return table;
        } catch (RuntimeException e) {
            throw new ChartJsonException(source, message(e), e);
        }
    }

    private static String message(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.toString();
    }
}
