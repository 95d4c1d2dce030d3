package prunekit.core.io;

import com.google.gson.Gson;
import com.google.gson.FieldNamingPolicy;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.file.Path;
import java.util.Map;

/**
 * JSON as prunekit writes it, in every file: objects indented two spaces, keys in insertion order
 * (snake_case: record components are renamed from camelCase), nulls written, no HTML escaping, numbers as Gson prints them, a trailing newline;
 * so equal content gives equal bytes. Two layouts of arrays: {@link Layout#FLAT_ARRAYS} for our
 * own files (plans and scores hold thousands of indices) and {@link Layout#EXPANDED} for the files
 * of other ecosystems (Hugging Face's {@code config.json}: Python's {@code json.dumps(indent=2)}).
 * Files are written through {@link AtomicFiles}.
 */
public final class Json {
    /** How arrays are laid out. */
    public enum Layout {
        /** Arrays of primitives on one line ({@code [1,2,3]}); other arrays one element per line. */
        FLAT_ARRAYS,
        /** Every array one element per line. */
        EXPANDED
    }

    /**
     * Turns records, lists and maps into a tree (null fields left out; NaN and infinities allowed);
     * record components named in camelCase come out in snake_case, like every key we write.
     */
    private static final Gson TREE = new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    private Json() {
    }

    /**
     * {@code value} (a record, map, list...) as a JSON tree, fields in declaration order, record
     * components in snake_case ({@code tokensPerSecond} → {@code tokens_per_second}); map keys as they are.
     */
    public static JsonElement tree(Object value) {
        return TREE.toJsonTree(value);
    }

    public static String format(JsonElement e) {
        return format(e, Layout.FLAT_ARRAYS);
    }

    public static String format(JsonElement e, Layout layout) {
        StringBuilder sb = new StringBuilder();
        append(sb, e, "", layout);
        return sb.append('\n').toString();
    }

    /**
     * Reads one of prunekit's own files: a JSON object whose {@code "format"} is {@code format} and whose
     * {@code "version"} is {@code version}; anything else is a {@link FormatException} naming the file, where
     * {@code what} (e.g. "a prunekit plan") says what was expected.
     */
    public static JsonObject readOwn(Path file, String format, int version, String what) {
        JsonObject o = JsonFields.readObject(file);
        JsonElement f = o.get("format");
        if (f == null || !f.isJsonPrimitive() || !format.equals(f.getAsString())) {
            throw new FormatException(file, "not " + what + " (\"format\" is not \"" + format + "\")");
        }
        JsonElement v = o.get("version");
        if (v == null || !v.isJsonPrimitive() || !String.valueOf(version).equals(v.getAsString())) {
            throw new FormatException(file, what + " of version " + v + "; this prunekit reads version " + version);
        }
        return o;
    }

    /** Writes {@code e} to {@code file} (temporary sibling, fsync, rename). */
    public static void write(Path file, JsonElement e) {
        write(file, e, Layout.FLAT_ARRAYS);
    }

    public static void write(Path file, JsonElement e, Layout layout) {
        AtomicFiles.writeString(file, format(e, layout));
    }

    private static void append(StringBuilder sb, JsonElement e, String indent, Layout layout) {
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.size() == 0) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            String inner = indent + "  ";
            int i = 0;
            for (Map.Entry<String, JsonElement> m : o.entrySet()) {
                sb.append(inner).append(new JsonPrimitive(m.getKey())).append(": ");
                append(sb, m.getValue(), inner, layout);
                sb.append(++i < o.size() ? ",\n" : "\n");
            }
            sb.append(indent).append('}');
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            if (a.isEmpty() || (layout == Layout.FLAT_ARRAYS && isFlat(a))) {
                sb.append(a);
                return;
            }
            sb.append("[\n");
            String inner = indent + "  ";
            for (int i = 0; i < a.size(); i++) {
                sb.append(inner);
                append(sb, a.get(i), inner, layout);
                sb.append(i + 1 < a.size() ? ",\n" : "\n");
            }
            sb.append(indent).append(']');
        } else {
            sb.append(e);
        }
    }

    private static boolean isFlat(JsonArray a) {
        for (JsonElement x : a) {
            if (!x.isJsonPrimitive() && !x.isJsonNull()) {
                return false;
            }
        }
        return true;
    }

    public static JsonArray ints(int[] a) {
        JsonArray out = new JsonArray(a.length);
        for (int v : a) {
            out.add(v);
        }
        return out;
    }

    public static JsonArray doubles(double[] a) {
        JsonArray out = new JsonArray(a.length);
        for (double v : a) {
            out.add(v);
        }
        return out;
    }

    public static int[] toInts(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    /** A finite number as itself, NaN and the infinities as {@code null} (JSON has no NaN). */
    public static JsonElement finiteOrNull(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    /** The reverse of {@link #finiteOrNull}: {@code null} (or no element) read as NaN. */
    public static double toDouble(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    /** Doubles, with {@code null} read as NaN. */
    public static double[] toDoubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).isJsonNull() ? Double.NaN : a.get(i).getAsDouble();
        }
        return out;
    }
}
