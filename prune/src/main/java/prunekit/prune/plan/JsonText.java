package prunekit.prune.plan;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * JSON as prunekit writes it: objects indented two spaces, arrays of numbers on one line (plans and
 * scores hold thousands of indices), keys in insertion order, so equal content gives equal bytes.
 * Files are written to a temporary name and renamed when complete.
 */
public final class JsonText {
    private JsonText() {
    }

    public static String format(JsonElement e) {
        StringBuilder sb = new StringBuilder();
        write(sb, e, "");
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, JsonElement e, String indent) {
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
                sb.append(inner).append(new com.google.gson.JsonPrimitive(m.getKey())).append(": ");
                write(sb, m.getValue(), inner);
                sb.append(++i < o.size() ? ",\n" : "\n");
            }
            sb.append(indent).append('}');
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            boolean flat = true;
            for (JsonElement x : a) {
                flat &= x.isJsonPrimitive() || x.isJsonNull();
            }
            if (flat) {
                sb.append(a);
                return;
            }
            sb.append("[\n");
            String inner = indent + "  ";
            for (int i = 0; i < a.size(); i++) {
                sb.append(inner);
                write(sb, a.get(i), inner);
                sb.append(i + 1 < a.size() ? ",\n" : "\n");
            }
            sb.append(indent).append(']');
        } else {
            sb.append(e);
        }
    }

    /** Writes {@code e} to {@code file} through a temporary sibling that is renamed when complete. */
    public static void write(Path file, JsonElement e) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(tmp, format(e), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ex) {
            throw new UncheckedIOException(file + ": cannot write (" + ex.getMessage() + ")", ex);
        }
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

    public static double[] toDoubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).isJsonNull() ? Double.NaN : a.get(i).getAsDouble();
        }
        return out;
    }
}
