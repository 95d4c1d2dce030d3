package prunekit.viz;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import com.google.gson.annotations.SerializedName;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;

/**
 * Checks a JSON tree against a chart record's shape before Gson builds it: every field exists in
 * the record, lists are arrays, numbers are numbers (integers where the record wants one), texts
 * are strings and enum values are among the allowed ones. Problems name their path, e.g.
 * {@code recovery.runs[0].tokens[2]}. JSON null is left to the record's own checks.
 */
final class JsonShape {
    private JsonShape() {
    }

    static void check(JsonElement json, Type type, String path) {
        if (json == null || json.isJsonNull()) {
            return;
        }
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (raw.isRecord()) {
            checkRecord(json, raw, path);
        } else if (List.class.isAssignableFrom(raw)) {
            if (!json.isJsonArray()) {
                throw mismatch("a list [...]", json, path);
            }
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            for (int i = 0; i < json.getAsJsonArray().size(); i++) {
                check(json.getAsJsonArray().get(i), element, path + "[" + i + "]");
            }
        } else if (raw.isEnum()) {
            checkEnum(json, raw, path);
        } else {
            checkScalar(json, raw, path);
        }
    }

    private static void checkRecord(JsonElement json, Class<?> raw, String path) {
        if (!json.isJsonObject()) {
            throw mismatch("an object {...}", json, path);
        }
        Map<String, Type> fields = new LinkedHashMap<>();
        for (RecordComponent component : raw.getRecordComponents()) {
            fields.put(jsonName(raw, component.getName()), component.getGenericType());
        }
        for (Entry<String, JsonElement> entry : json.getAsJsonObject().entrySet()) {
            Type fieldType = fields.get(entry.getKey());
            if (fieldType == null) {
                throw new IllegalArgumentException("unknown field \"" + entry.getKey() + "\" in " + path
                        + "; expected " + String.join(", ", fields.keySet()));
            }
            check(entry.getValue(), fieldType, path + "." + entry.getKey());
        }
    }

    /** The component's JSON name: snake_case ({@link VizJson#NAMING}), as Gson reads it. */
    private static String jsonName(Class<?> record, String component) {
        try {
            return VizJson.NAMING.translateName(record.getDeclaredField(component));
        } catch (NoSuchFieldException e) {
            return component;
        }
    }

    private static void checkEnum(JsonElement json, Class<?> raw, String path) {
        List<String> names = new ArrayList<>();
        for (Object constant : raw.getEnumConstants()) {
            String name = ((Enum<?>) constant).name();
            try {
                SerializedName serialized = raw.getField(name).getAnnotation(SerializedName.class);
                names.add(serialized == null ? name : serialized.value());
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException("enum constant without a field: " + name, e);
            }
        }
        if (!isString(json) || !names.contains(json.getAsString())) {
            throw new IllegalArgumentException(path + " must be one of \"" + String.join("\", \"", names)
                    + "\", found " + json);
        }
    }

    private static void checkScalar(JsonElement json, Class<?> raw, String path) {
        if (raw == String.class) {
            if (!isString(json)) {
                throw mismatch("a string", json, path);
            }
        } else if (raw == boolean.class || raw == Boolean.class) {
            if (!(json.isJsonPrimitive() && json.getAsJsonPrimitive().isBoolean())) {
                throw mismatch("true or false", json, path);
            }
        } else if (raw == double.class || raw == Double.class) {
            if (!isNumber(json)) {
                throw mismatch("a number", json, path);
            }
        } else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            if (!isNumber(json) || !isIntegral(json.getAsBigDecimal(), raw)) {
                throw mismatch(raw == int.class || raw == Integer.class ? "a 32-bit integer" : "an integer", json, path);
            }
        }
    }

    private static boolean isIntegral(BigDecimal value, Class<?> raw) {
        try {
            if (raw == int.class || raw == Integer.class) {
                value.intValueExact();
            } else {
                value.longValueExact();
            }
            return true;
        } catch (ArithmeticException e) {
            return false;
        }
    }

    private static boolean isString(JsonElement json) {
        return json.isJsonPrimitive() && json.getAsJsonPrimitive().isString();
    }

    private static boolean isNumber(JsonElement json) {
        return json.isJsonPrimitive() && json.getAsJsonPrimitive().isNumber();
    }

    private static IllegalArgumentException mismatch(String expected, JsonElement found, String path) {
        String text = found.toString();
        if (text.length() > 40) {
            text = text.substring(0, 37) + "...";
        }
        String kind = found.isJsonArray() ? "a list " : found.isJsonObject() ? "an object "
                : found instanceof JsonPrimitive p && p.isString() ? "the string " : "";
        return new IllegalArgumentException(path + " must be " + expected + ", found " + kind + text);
    }
}
