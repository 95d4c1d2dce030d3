package prunekit.core.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Typed reads of JSON fields that fail with a {@link FormatException} naming the file, the key,
 * what was expected and what was found. A key holding JSON {@code null} counts as absent.
 */
final class JsonFields {
    private final Path file;
    private final JsonObject obj;
    private final String where;

    JsonFields(Path file, JsonObject obj, String where) {
        this.file = file;
        this.obj = obj;
        this.where = where;
    }

    /** Reads {@code file} as one JSON object. */
    static JsonObject readObject(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "file not found", e);
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "not UTF-8 text; expected a JSON file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            JsonElement root = JsonParser.parseString(text);
            if (!root.isJsonObject()) {
                throw new IllegalStateException("expected a JSON object but found " + abbreviate(root));
            }
            return root.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new FormatException(file, "not a JSON object (" + e.getMessage() + ")", e);
        }
    }

    boolean has(String key) {
        return obj.has(key) && !obj.get(key).isJsonNull();
    }

    JsonElement get(String key) {
        return has(key) ? obj.get(key) : null;
    }

    int requireInt(String key) {
        return toInt(key, require(key));
    }

    int optInt(String key, int fallback) {
        return has(key) ? toInt(key, obj.get(key)) : fallback;
    }

    double requireDouble(String key) {
        return toDouble(key, require(key));
    }

    double optDouble(String key, double fallback) {
        return has(key) ? toDouble(key, obj.get(key)) : fallback;
    }

    boolean optBool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = obj.get(key);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
            return e.getAsBoolean();
        }
        throw wrongType(key, "true or false", e);
    }

    String optString(String key, String fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement e = obj.get(key);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        throw wrongType(key, "a string", e);
    }

    JsonElement require(String key) {
        if (!has(key)) {
            throw new FormatException(file, "required key '" + key + "' is missing" + where
                    + "; add it (see the model's original config.json)");
        }
        return obj.get(key);
    }

    int toInt(String key, JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                return new BigDecimal(e.getAsString()).intValueExact();
            } catch (ArithmeticException | NumberFormatException ignored) {
                // reported below
            }
        }
        throw wrongType(key, "an integer", e);
    }

    private double toDouble(String key, JsonElement e) {
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            if (p.isNumber()) {
                return p.getAsDouble();
            }
        }
        throw wrongType(key, "a number", e);
    }

    FormatException wrongType(String key, String expected, JsonElement found) {
        return new FormatException(file, "key '" + key + "'" + where + " should be " + expected + " but is "
                + abbreviate(found));
    }

    static String abbreviate(JsonElement e) {
        String s = String.valueOf(e);
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
