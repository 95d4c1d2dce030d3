package prunekit.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.io.LazyModel;
import prunekit.core.io.OutputGuard;
import prunekit.core.model.DType;
import prunekit.core.io.GgmlType;
import prunekit.core.io.GgufWriter;
import prunekit.export.ExportFormat;
import prunekit.export.OnnxFlavour;
import prunekit.export.OnnxWriter;
import prunekit.export.onnx.OnnxFile;
import prunekit.pipeline.ExportStage;

/**
 * {@code prunekit export MODEL OUT.onnx [--verify]}: an ONNX decoder with a KV cache; {@code OUT.gguf}
 * (or {@code --format gguf}): a GGUF file for llama.cpp; {@code --format onnx-folder}: the HF ONNX
 * folder that transformers.js and onnxruntime-genai load.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model as an ONNX decoder (input_ids, attention_mask, position_ids, past_key_values.N.* → "
                + "logits, present.N.*) and optionally check it against prunekit's forward in ONNX Runtime, "
                + "or as a GGUF file for llama.cpp / ollama, or as an ONNX model folder for transformers.js / onnxruntime-genai.",
        footer = {"", "Examples:", "  prunekit export models/stories260K.gguf out/stories.onnx --verify",
            "  prunekit export runs/pruned out/pruned.onnx --flavour optimized --dtype f16",
            "  prunekit export runs/pruned out/pruned.gguf --dtype q8_0",
            "  prunekit export runs/pruned out/pruned-onnx --format onnx-folder"})
public final class ExportCommand implements Callable<Integer> {
    @Mixin ModelArg modelArg;
    @Mixin JsonOutput json;
    @Mixin ThreadsOption threads;
    @Spec CommandSpec spec;
    @Mixin OverwriteOption overwrite;

    @Parameters(index = "1", paramLabel = "OUT.onnx") Path out;

    @Option(names = "--format", paramLabel = "F",
            description = "onnx, gguf or onnx-folder (default: from OUT: .gguf → gguf, .onnx → onnx, else onnx-folder)")
    ExportFormat format;

    @Option(names = "--flavour", defaultValue = "standard", paramLabel = "F",
            description = "standard (opset-17 ops only) or optimized (ONNX Runtime com.microsoft ops): ${COMPLETION-CANDIDATES}")
    OnnxFlavour flavour;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "D", converter = WeightTypeConverter.class,
            description = "weight dtype: f32 or f16 (GGUF: also bf16 and q8_0)")
    WeightType dtype;

    /** {@code --dtype}: one of the {@link DType} spellings, or q8_0 (GGUF only). */
    record WeightType(DType dtype, boolean q80) {
        static WeightType parse(String s) {
            String t = s.trim().toLowerCase(java.util.Locale.ROOT);
            if (t.equals("q8_0") || t.equals("q8")) {
                return new WeightType(null, true);
            }
            try {
                return new WeightType(DType.parse(t), false);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + " (or q8_0 for GGUF)");
            }
        }

        GgmlType gguf() {
            return q80 ? GgmlType.Q8_0 : GgmlType.valueOf(dtype.name());
        }

        /** The ONNX writer's weight dtype; q8_0 is GGUF's alone. */
        DType onnx() {
            if (q80) {
                throw new IllegalArgumentException("--dtype q8_0 is a GGUF tensor type; ONNX weights are f32 or f16");
            }
            return dtype;
        }
    }

    static final class WeightTypeConverter implements picocli.CommandLine.ITypeConverter<WeightType> {
        @Override
        public WeightType convert(String value) {
            return WeightType.parse(value);
        }
    }

    @Option(names = "--external-data", defaultValue = "auto", paramLabel = "E",
            description = "weights in OUT.onnx.data: auto (above 2 GB), always, never")
    OnnxFile.ExternalData externalData;

    @Option(names = "--verify", description = "run ORT and prunekit's forward on the same prompts: prefill logits and "
            + "32 cached decode steps within 1e-4 + 1e-4·|ref|, greedy tokens identical")
    boolean verify;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "prompt(s) for --verify (default: two built-in ones)")
    List<String> prompts;

    @Override
    public Integer call() throws Exception {
        ExportFormat f = format != null ? format : ExportFormat.fromPath(out);
        try (OutputGuard g = f == ExportFormat.ONNX_FOLDER ? overwrite.whole(out, modelArg.path())
                : overwrite.file(out, modelArg.path())) {
            return g.commitIf(write(f));
        }
    }

    private Integer write(ExportFormat f) throws Exception {
        if (f == ExportFormat.GGUF) {
            try (LazyModel lm = modelArg.open()) {
                return writeGguf(lm);
            }
        }
        OnnxWriter.Options opts = OnnxWriter.Options.defaults().withFlavour(flavour).withWeightDtype(dtype.onnx())
                .withExternalData(externalData);
        ExportStage.Result r;
        try (LazyModel lm = modelArg.open()) {
            r = ExportStage.run(lm, out, new ExportStage.Options(opts, verify, prompts, threads.count()), f == ExportFormat.ONNX_FOLDER);
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("model", r.written().model().toString());
        res.put("data", r.written().data() == null ? null : r.written().data().toString());
        res.put("format", f.label);
        res.put("flavour", flavour.name().toLowerCase(java.util.Locale.ROOT));
        res.put("weight_dtype", opts.weightDtype().name());
        res.put("nodes", r.written().nodes());
        if (r.parity() != null) {
            res.put("parity", r.parity());
            res.put("parity_passed", r.parity().passed());
        }
        json.print(spec.commandLine().getOut(), res, () -> "wrote " + r.written().model() + " (" + r.written().nodes() + " nodes)"
                + (r.parity() == null ? "" : "\n" + r.parity().summary()));
        return r.passed() ? 0 : PrunekitCli.EXIT_FAILURE;
    }

    private int writeGguf(LazyModel m) {
        GgufWriter.Result r = GgufWriter.write(m, out, GgufWriter.Options.of(dtype.gguf(), name(m.source()))
                .withProvenance("prunekit export of " + m.source()));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("model", r.file().toString());
        res.put("format", ExportFormat.GGUF.label);
        res.put("bytes", r.bytes());
        res.put("tensor_types", r.tensorTypes().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue, (a, b) -> a,
                        java.util.TreeMap::new)));
        json.print(spec.commandLine().getOut(), res, () -> "wrote " + r.file() + " (" + r.bytes() + " bytes, "
                + r.tensorTypes() + ")");
        return 0;
    }

    /** general.name: the model folder's or file's name. */
    private static String name(String source) {
        Path p = Path.of(source).getFileName();
        String n = p == null ? "model" : p.toString().replaceFirst("\\.(gguf|bin|safetensors)$", "");
        return n.isBlank() ? "model" : n;
    }
}
