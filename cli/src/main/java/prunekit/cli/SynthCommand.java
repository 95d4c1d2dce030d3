package prunekit.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.io.HfCheckpoint;
import prunekit.core.io.ModelLoader;
import prunekit.core.io.OutputGuard;
import prunekit.core.io.SafetensorsWriter;
import prunekit.core.io.SyntheticWeights;
import prunekit.core.model.DType;
import prunekit.core.model.LlamaConfig;
import prunekit.core.model.LlamaWeights;
import prunekit.core.model.ReferenceShape;
import prunekit.core.tokenize.Tokenizer;

/** {@code prunekit synth --like llama-2-7b --out DIR}: a seeded random checkpoint of a known model's shape. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a seeded random HF checkpoint (weights N(0, 0.02^2), norms 1) shaped like a known model,"
                + " one tensor at a time, sharded: for trying the pipeline at scale without downloading weights.",
        footer = {"", "Examples:", "  prunekit synth --like llama-2-7b --dtype bf16 --seed 0 --out /tmp/llama-2-7b-synth",
            "  prunekit synth --like tinyllama-1.1b --layers 4 --tokenizer ../shared/tokenizers/llama2-tokenizer.json --out /tmp/tl4"})
public final class SynthCommand implements Callable<Integer> {
    @Mixin JsonOutput json;
    @Spec CommandSpec spec;
    @Mixin OverwriteOption overwrite;

    @Option(names = "--like", required = true, paramLabel = "MODEL",
            description = "llama-2-7b, llama-2-13b, llama-3-8b, tinyllama-1.1b, mha-1.26b or tiny")
    ReferenceShape like;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (must not exist or be empty)")
    Path out;

    @Option(names = "--dtype", defaultValue = "BF16", paramLabel = "DTYPE", description = "F32, F16 or BF16 (default BF16)")
    DType dtype;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "random seed (default 0)")
    long seed;

    @Option(names = "--layers", paramLabel = "N", description = "number of layers (default: the model's)")
    Integer layers;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer to put beside the weights (tokenizer.json or a .gguf's vocabulary)")
    Path tokenizer;

    @Option(names = "--max-shard-bytes", defaultValue = "" + SafetensorsWriter.DEFAULT_MAX_SHARD_BYTES, paramLabel = "BYTES",
            description = "largest shard (default 2e9); smaller checkpoints are one model.safetensors")
    long maxShardBytes;

    @Override
    public Integer call() {
        try (OutputGuard g = overwrite.whole(out, tokenizer)) {
            return g.commitIf(write());
        }
    }

    private Integer write() {
        LlamaConfig config = layers == null ? like.config() : like.withLayers(layers);
        Tokenizer tok = tokenizer == null ? null : ModelLoader.loadTokenizer(tokenizer);
        if (tok != null && tok.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException(tokenizer + " has " + tok.vocabSize() + " tokens but --like " + like
                    + " has a vocabulary of " + config.vocabSize() + "; give the tokenizer of that model");
        }
        long t0 = System.nanoTime();
        Progress bar = new Progress("synth", LlamaWeights.expectedShapes(config).size(), "tensors");
        int[] done = {0};
        try (SyntheticWeights w = new SyntheticWeights(config, dtype, seed)) {
            SafetensorsWriter.Tensors tensors = new SafetensorsWriter.Tensors(w.shapes(), name -> {
                bar.update(done[0]++, "");
                return w.read(name);
            });
            HfCheckpoint.write(config, tensors, tok, out, HfCheckpoint.WriteOptions.defaults().withDtype(dtype)
                    .withMaxShardBytes(maxShardBytes));
        }
        bar.finish(done[0], "");
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("out", out.toString());
        res.put("like", like.cliName);
        res.put("layers", config.numLayers());
        res.put("dtype", dtype.name());
        res.put("seed", seed);
        res.put("parameters", config.parameterCount());
        res.put("seconds", (System.nanoTime() - t0) / 1e9);
        json.print(spec.commandLine().getOut(), res, () -> String.format("wrote %s: %s, %d layers, %,d parameters, %s, %.1fs",
                out, like.cliName, config.numLayers(), config.parameterCount(), dtype, (double) res.get("seconds")));
        return 0;
    }
}
