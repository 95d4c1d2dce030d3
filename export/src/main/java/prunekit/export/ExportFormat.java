package prunekit.export;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where an exported model runs: {@code onnx} (one ONNX decoder file), {@code gguf} (llama.cpp,
 * ollama) or {@code onnx-folder} (the HF ONNX layout that transformers.js and onnxruntime-genai load).
 */
public enum ExportFormat {
    ONNX("onnx"), GGUF("gguf"), ONNX_FOLDER("onnx-folder");

    public final String label;

    ExportFormat(String label) {
        this.label = label;
    }

    /** The format a target names by its extension: {@code .gguf} → GGUF, {@code .onnx} → ONNX, else an ONNX folder. */
    public static ExportFormat fromPath(Path out) {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".gguf") ? GGUF : name.endsWith(".onnx") ? ONNX : ONNX_FOLDER;
    }

    /** "gguf", "onnx", "onnx-folder" (any case; '_' for '-' too). */
    public static ExportFormat parse(String s) {
        String k = s.toLowerCase(Locale.ROOT).replace('_', '-');
        return Arrays.stream(values()).filter(f -> f.label.equals(k)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("export format '" + s + "'; expected one of "
                        + Arrays.stream(values()).map(f -> f.label).collect(Collectors.joining(", "))));
    }
}
