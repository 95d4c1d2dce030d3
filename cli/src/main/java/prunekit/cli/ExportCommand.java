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
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Prompts;
import prunekit.core.model.DType;
import prunekit.export.OnnxFlavour;
import prunekit.export.OnnxWriter;
import prunekit.export.onnx.OnnxFile;
import prunekit.pipeline.ExportStage;

/** {@code prunekit export MODEL OUT.onnx [--verify]}: an ONNX decoder with a KV cache. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model as an ONNX decoder (input_ids, attention_mask, position_ids, past_key_values.N.* → "
                + "logits, present.N.*) and optionally check it against prunekit's forward in ONNX Runtime.",
        footer = {"", "Examples:", "  prunekit export models/stories260K.gguf out/stories.onnx --verify",
            "  prunekit export runs/pruned out/pruned.onnx --flavour optimized --dtype f16"})
public final class ExportCommand implements Callable<Integer> {
    @Mixin ModelArg modelArg;
    @Mixin JsonOutput json;
    @Spec CommandSpec spec;

    @Parameters(index = "1", paramLabel = "OUT.onnx") Path out;

    @Option(names = "--flavour", defaultValue = "standard", paramLabel = "F",
            description = "standard (opset-17 ops only) or optimized (ONNX Runtime com.microsoft ops): ${COMPLETION-CANDIDATES}")
    OnnxFlavour flavour;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "D", description = "weight dtype: f32 or f16")
    DType dtype;

    @Option(names = "--external-data", defaultValue = "auto", paramLabel = "E",
            description = "weights in OUT.onnx.data: auto (above 2 GB), always, never")
    OnnxFile.ExternalData externalData;

    @Option(names = "--verify", description = "run ORT and prunekit's forward on the same prompts: prefill logits and "
            + "32 cached decode steps within 1e-4 + 1e-4·|ref|, greedy tokens identical")
    boolean verify;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "prompt(s) for --verify (default: two built-in ones)")
    List<String> prompts;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads for --verify") int threads;

    @Override
    public Integer call() throws Exception {
        OnnxWriter.Options opts = OnnxWriter.Options.defaults().withFlavour(flavour).withWeightDtype(dtype)
                .withExternalData(externalData);
        ExportStage.Result r = ExportStage.run(modelArg.load(), out, new ExportStage.Options(opts, verify, prompts, threads));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("model", r.written().model().toString());
        res.put("data", r.written().data() == null ? null : r.written().data().toString());
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
}
