package prunekit.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import prunekit.core.engine.MemoryCheck;
import prunekit.core.eval.Generator;
import prunekit.core.io.LazyModel;
import prunekit.core.model.Model;
import prunekit.pipeline.Generation;

/** {@code prunekit generate MODEL --prompt P}: greedy or sampled continuation with the KV cache. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt: BOS + prompt, then greedy (temperature 0) or sampled tokens.",
        footer = {"", "Examples:",
            "  prunekit generate --prompt \"Once upon a time\" --max-positions 120 --temperature 0",
            "  prunekit generate ../shared/models/mini-vina --prompt \"Việt Nam là\" --max-new-tokens 64"})
public final class GenerateCommand implements Callable<Integer> {
    @Mixin ModelArg modelArg;
    @Mixin JsonOutput json;
    @Mixin ThreadsOption threads;
    @Spec CommandSpec spec;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT") String prompt;

    @Option(names = "--max-positions", paramLabel = "N",
            description = "positions run in total, BOS and prompt included (llama2.c's steps)")
    Integer maxPositions;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "tokens to add after the prompt (default 64)")
    Integer maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default)") double temperature;
    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus sampling mass (default 1 = off)") double topP;
    @Option(names = "--seed", defaultValue = "0", description = "seed for sampling") long seed;
    @Option(names = "--onnx", paramLabel = "FILE", description = "run this exported ONNX model in ONNX Runtime (MODEL gives the tokenizer)")
    java.nio.file.Path onnx;
    @Option(names = "--ignore-eos", description = "keep going past EOS/BOS (run a fixed number of tokens)") boolean ignoreEos;

    @Override
    public Integer call() throws Exception {
        Model m;
        try (LazyModel lm = modelArg.open()) {
            MemoryCheck.require("generate", MemoryCheck.wholeModel(lm.config(), MemoryCheck.INFERENCE_BYTES_PER_PARAM),
                    MemoryCheck.physicalBytes(), "export it (prunekit export MODEL out.onnx --dtype f16) and generate"
                            + " with ONNX Runtime, which maps the fp16 weights");
            m = lm.load();
        }
        Generation.Result r = Generation.run(m, new Generation.Request(prompt, maxPositions, maxNewTokens,
                new Generator.Sampling(temperature, topP, seed), ignoreEos, onnx, threads.count()));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("text", r.text());
        res.put("ids", r.ids());
        res.put("new_tokens", r.newTokens());
        res.put("seconds", r.seconds());
        res.put("runtime", r.runtime());
        json.print(spec.commandLine().getOut(), res, r::text);
        return 0;
    }
}
