package prunekit.core.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import prunekit.core.io.SafetensorsFile.Entry;
import prunekit.core.model.DType;
import prunekit.core.model.FloatTensor;

/**
 * The JSON header of a safetensors file, both ways: one tensor entry parsed and checked
 * ({@code dtype}, {@code shape}, {@code data_offsets}), and a header built for the writer, padded
 * with spaces so that the data region starts at a multiple of 8.
 */
final class SafetensorsHeader {
    /** dtypes the safetensors format defines that prunekit does not read. */
    private static final List<String> OTHER_DTYPES = List.of("F64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3",
            "F6_E3M2", "F4", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL", "C64");

    private SafetensorsHeader() {
    }

    static Entry parseEntry(Path file, String name, JsonElement value) {
        if (!value.isJsonObject()) {
            throw new FormatException(file, "tensor " + name + ": expected an object with dtype, shape and"
                    + " data_offsets but found " + value);
        }
        JsonObject o = value.getAsJsonObject();
        DType dtype = parseDtype(file, name, o.get("dtype"));
        int[] shape = parseShape(file, name, o.get("shape"));
        long[] offsets = parseOffsets(file, name, o.get("data_offsets"));
        long numel = FloatTensor.numel(shape);
        long span = offsets[1] - offsets[0];
        if (numel > Long.MAX_VALUE / dtype.bytes || numel * dtype.bytes != span) {
            throw new FormatException(file, "tensor " + name + ": shape " + Arrays.toString(shape) + " in " + dtype
                    + " needs " + numel + " x " + dtype.bytes + " bytes but data_offsets [" + offsets[0] + ", "
                    + offsets[1] + "] span " + span + " bytes; the header is damaged, write the file again");
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static DType parseDtype(Path file, String name, JsonElement v) {
        if (v == null || !v.isJsonPrimitive()) {
            throw new FormatException(file, "tensor " + name + ": expected a dtype string but found " + v);
        }
        String s = v.getAsString();
        switch (s) {
            case "F32":
                return DType.F32;
            case "F16":
                return DType.F16;
            case "BF16":
                return DType.BF16;
            default:
                String kind = OTHER_DTYPES.contains(s.toUpperCase(Locale.ROOT)) ? "unsupported" : "unknown";
                throw new FormatException(file, "tensor " + name + " has " + kind + " dtype '" + s
                        + "'; prunekit reads F32, F16 and BF16 only: convert the checkpoint first, e.g. load it in"
                        + " transformers and save_pretrained() it with torch_dtype=torch.bfloat16");
        }
    }

    private static int[] parseShape(Path file, String name, JsonElement v) {
        if (v == null || !v.isJsonArray()) {
            throw new FormatException(file, "tensor " + name + ": expected shape to be an array of sizes but found " + v);
        }
        JsonArray a = v.getAsJsonArray();
        int[] shape = new int[a.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = nonNegativeLong(file, name, "shape", a.get(i));
            if (d > Integer.MAX_VALUE) {
                throw new FormatException(file, "tensor " + name + ": dimension " + d + " in shape " + a
                        + " is larger than prunekit supports (" + Integer.MAX_VALUE + ")");
            }
            shape[i] = (int) d;
        }
        return shape;
    }

    private static long[] parseOffsets(Path file, String name, JsonElement v) {
        if (v == null || !v.isJsonArray() || v.getAsJsonArray().size() != 2) {
            throw new FormatException(file, "tensor " + name + ": expected data_offsets [begin, end] but found " + v);
        }
        JsonArray a = v.getAsJsonArray();
        long begin = nonNegativeLong(file, name, "data_offsets", a.get(0));
        long end = nonNegativeLong(file, name, "data_offsets", a.get(1));
        if (end < begin) {
            throw new FormatException(file, "tensor " + name + ": data_offsets " + a + " end before they begin");
        }
        return new long[] {begin, end};
    }

    private static long nonNegativeLong(Path file, String name, String field, JsonElement e) {
        try {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                java.math.BigDecimal d = e.getAsBigDecimal();
                long l = d.longValueExact();
                if (l >= 0) {
                    return l;
                }
            }
        } catch (ArithmeticException | NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new FormatException(file, "tensor " + name + ": " + field + " holds " + e
                + " where a non-negative integer is expected");
    }

    /**
     * The header bytes (without the length prefix) for tensors written back to back in the given
     * order; padded with spaces to a multiple of 8.
     */
    static byte[] build(List<String> names, List<int[]> shapes, DType dtype) {
        JsonObject root = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("format", "pt");
        root.add("__metadata__", meta);
        long offset = 0;
        for (int i = 0; i < names.size(); i++) {
            int[] shape = shapes.get(i);
            long bytes = FloatTensor.numel(shape) * dtype.bytes;
            JsonObject t = new JsonObject();
            t.addProperty("dtype", dtype.safetensorsName());
            JsonArray s = new JsonArray();
            for (int d : shape) {
                s.add(d);
            }
            t.add("shape", s);
            JsonArray off = new JsonArray();
            off.add(offset);
            off.add(offset + bytes);
            t.add("data_offsets", off);
            root.add(names.get(i), t);
            offset += bytes;
        }
        String json = new GsonBuilder().disableHtmlEscaping().create().toJson(root);
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(raw, padded);
        Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }
}
