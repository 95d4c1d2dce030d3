package prunekit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
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
import prunekit.core.io.LazyModel;
import prunekit.core.model.DType;
import prunekit.core.model.Model;
import prunekit.export.OnnxFlavour;
import prunekit.export.OnnxModel;
import prunekit.export.OnnxWriter;
import prunekit.export.ParityCheck;
import prunekit.export.ParityReport;
import prunekit.export.onnx.OnnxFile;

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
    String dtype;

    @Option(names = "--external-data", defaultValue = "auto", paramLabel = "E",
            description = "weights in OUT.onnx.data: auto (above 2 GB), always, never")
    String externalData;

    @Option(names = "--verify", description = "run ORT and prunekit's forward on the same prompts: prefill logits and "
            + "32 cached decode steps within 1e-4 + 1e-4·|ref|, greedy tokens identical")
    boolean verify;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "prompt(s) for --verify (default: two built-in ones)")
    List<String> prompts;

    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads for --verify") int threads;

    @Override
    public Integer call() throws Exception {
        OnnxWriter.Options opts = OnnxWriter.Options.defaults().withFlavour(flavour).withWeightDtype(DType.parse(dtype))
                .withExternalData(OnnxFile.ExternalData.valueOf(externalData.toUpperCase(java.util.Locale.ROOT)));
        OnnxWriter.Result r;
        Model m = null;
        try (LazyModel lm = modelArg.open()) {
            r = OnnxWriter.write(lm.weights(), out, opts); // one tensor in memory at a time
            if (verify) {
                m = lm.load();
            }
        }
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("model", r.model().toString());
        res.put("data", r.data() == null ? null : r.data().toString());
        res.put("flavour", flavour.name().toLowerCase(java.util.Locale.ROOT));
        res.put("weight_dtype", opts.weightDtype().name());
        res.put("nodes", r.nodes());
        ParityReport parity = m != null ? verify(m, r.model()) : null;
        if (parity != null) {
            res.put("parity", parity);
            res.put("parity_passed", parity.passed());
        }
        json.print(spec.commandLine().getOut(), res, () -> "wrote " + r.model() + " (" + r.nodes() + " nodes)"
                + (parity == null ? "" : "\n" + parity.summary()));
        return parity == null || parity.passed() ? 0 : PrunekitCli.EXIT_FAILURE;
    }

    private ParityReport verify(Model m, Path onnxFile) throws Exception {
        var tok = GenerateCommand.requireTokenizer(m);
        List<String> texts = prompts != null ? prompts : List.of("Once upon a time", "Việt Nam là một quốc gia");
        List<int[]> ids = new ArrayList<>();
        for (String t : texts) {
            int[] body = tok.encode(t);
            int[] withBos = new int[body.length + 1];
            withBos[0] = tok.bosId();
            System.arraycopy(body, 0, withBos, 1, body.length);
            ids.add(withBos);
        }
        try (Transformer ref = new Transformer(m.weights());
             OnnxModel onnx = OnnxModel.load(onnxFile, OnnxModel.RunOptions.defaults().withThreads(threads))) {
            return ParityCheck.run(ref, onnx, ids, ParityCheck.Options.defaults());
        }
    }
}
