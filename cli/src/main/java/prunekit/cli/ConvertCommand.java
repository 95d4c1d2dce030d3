package prunekit.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.LazyModel;
import prunekit.core.io.OutputGuard;
import prunekit.core.model.DType;

/** {@code prunekit convert MODEL --to hf OUT}: write any loaded model as an HF checkpoint. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Write a model as a Hugging Face checkpoint (safetensors + config.json + tokenizer), atomically.",
        footer = {"", "Examples:", "  prunekit convert models/stories260K.gguf --to hf out/stories260K-hf",
            "  prunekit convert model.bin --tokenizer tokenizer.bin --to hf out/model --dtype bf16"})
public final class ConvertCommand implements Callable<Integer> {
    /** Target formats. */
    enum Target { hf }

    @Mixin ModelArg modelArg;
    @Mixin JsonOutput json;
    @Spec CommandSpec spec;
    @Mixin OverwriteOption overwrite;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "target format: ${COMPLETION-CANDIDATES}")
    Target to;

    @Parameters(index = "1", paramLabel = "OUT", description = "output directory (must not exist or be empty)")
    Path out;

    @Option(names = "--dtype", paramLabel = "DTYPE", description = "f32, f16 or bf16 (default: keep the source dtype)")
    String dtype;

    @Override
    public Integer call() {
        try (OutputGuard g = overwrite.whole(out, modelArg.path())) {
            return g.commitIf(write());
        }
    }

    private Integer write() {
        DType d = dtype == null ? null : DType.parse(dtype);
        Map<String, Object> res = new LinkedHashMap<>();
        try (LazyModel m = modelArg.open()) { // one tensor in memory at a time
            HfCheckpoint.write(m.weights(), m.tokenizer(), out, HfCheckpoint.WriteOptions.defaults().withDtype(d));
            res.put("out", out.toString());
            res.put("dtype", (d == null ? m.weights().storedDtype() : d).name());
            res.put("parameters", m.weights().parameterCount());
        }
        json.print(spec.commandLine().getOut(), res, () -> "wrote " + out + " (" + res.get("dtype") + ")");
        return 0;
    }
}
