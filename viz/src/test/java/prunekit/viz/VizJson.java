package prunekit.viz;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map.Entry;
import prunekit.core.io.AtomicFiles;
import prunekit.core.io.Json;

/**
 * Chart inputs to and from JSON. A chart JSON is one object: {@code "chart"} (see
 * {@link ChartKind#ids()}) plus the fields of that chart's {@code Data} record in snake_case,
 * documented in each chart class. Parsing is strict: no comments, NaN or trailing data; unknown fields (usually typos)
 * and ill-typed values are errors naming their path ({@link JsonShape}), and each record checks its
 * own values. Every problem surfaces as a {@link ChartJsonException} naming the file.
 */
public final class VizJson {
    static final String CHART = "chart";
    /** Record components as snake_case keys ({@code densePerplexity} ↔ {@code dense_perplexity}), like every file we write. */
    static final FieldNamingPolicy NAMING = FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES;
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().setFieldNamingPolicy(NAMING).create();

    private VizJson() {
    }

    /** Reads and checks a chart JSON file. */
    public static ChartData read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Parses chart JSON text.
     *
     * @param source the name used in error messages, normally the file's path
     */
    public static ChartData parse(String json, String source) {
        JsonObject object = parseObject(json, source);
        JsonElement chart = object.remove(CHART);
        if (chart == null || !chart.isJsonPrimitive() || !chart.getAsJsonPrimitive().isString()) {
            throw new ChartJsonException(source, "the \"chart\" field is missing or not a string; expected one of "
                    + ChartKind.ids(), null);
        }
        ChartKind kind;
        try {
            kind = ChartKind.fromId(chart.getAsString());
        } catch (IllegalArgumentException e) {
            throw new ChartJsonException(source, e.getMessage(), e);
        }
        try {
            JsonShape.check(object, kind.dataType(), kind.id());
        } catch (IllegalArgumentException e) {
            throw new ChartJsonException(source, e.getMessage(), e);
        }
        try {
            ChartData data = GSON.fromJson(object, kind.dataType());
            if (data == null) {
                throw new IllegalArgumentException("no data");
            }
            return data;
        } catch (RuntimeException e) {
            throw new ChartJsonException(source, kind.id() + ": " + problem(e), e);
        }
    }

    /** The chart's JSON text, {@code "chart"} first. */
    public static String toJson(ChartData data) {
        JsonObject out = new JsonObject();
        out.add(CHART, new JsonPrimitive(data.kind().id()));
        for (Entry<String, JsonElement> field : GSON.toJsonTree(data).getAsJsonObject().entrySet()) {
            out.add(field.getKey(), field.getValue());
        }
        return Json.format(out, Json.Layout.EXPANDED);
    }

    /** Writes the chart's JSON (temp file + rename). */
    public static void write(ChartData data, Path file) throws IOException {
        AtomicFiles.writeString(file, toJson(data));
    }

    /** A strict parse of one JSON object (no comments, NaN or trailing data), for every viz input file. */
    static JsonObject parseObject(String json, String source) {
        if (json == null) {
            throw new ChartJsonException(source, "no text", null);
        }
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = GSON.getAdapter(JsonElement.class).read(reader);
            if (element == null || !element.isJsonObject()) {
                throw new ChartJsonException(source, "expected a JSON object {\"chart\": ..., ...}", null);
            }
            String end = reader.toString(); // "JsonReader at line L column C path $"
            boolean trailing;
            try {
                trailing = reader.peek() != JsonToken.END_DOCUMENT;
            } catch (IOException e) {
                trailing = true;
            }
            if (trailing) {
                throw new ChartJsonException(source, "unexpected data after the JSON object ("
                        + end.replace("JsonReader at ", "after ") + ")", null);
            }
            return element.getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new ChartJsonException(source, "not valid JSON: " + gsonMessage(e), e);
        }
    }

    /** Gson's message without its advice to parse leniently and its troubleshooting link. */
    private static String gsonMessage(Exception e) {
        String message = String.valueOf(e.getMessage());
        int see = message.indexOf("\nSee https://");
        if (see >= 0) {
            message = message.substring(0, see);
        }
        return message.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "malformed JSON")
                .strip();
    }

    /** The useful message of a Gson or validation failure. */
    private static String problem(RuntimeException e) {
        if (e instanceof JsonParseException) {
            return gsonMessage(e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.toString();
    }
}
