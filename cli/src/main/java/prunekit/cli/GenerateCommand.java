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
import prunekit.core.engine.Transformer;
import prunekit.core.eval.Generator;
import prunekit.core.io.LazyModel;
import prunekit.core.model.Model;
import prunekit.core.tokenize.Tokenizer;

/** {@code prunekit generate MODEL --prompt P}: greedy or sampled continuation with the KV cache. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt: BOS + prompt, then greedy (temperature 0) or sampled tokens.",
        footer = {"", "Examples:",
            "  prunekit generate --prompt \"Once upon a time\" --max-positions 120 --temperature 0",
            "  prunekit generate ../shared/models/mini-vina --prompt \"Việt Nam là\" --max-new-tokens 64"})
public final class GenerateCommand implements Callable<Integer> {
    @Mixin ModelArg modelArg;
    @Mixin JsonOutput json;
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
    @Option(names = "--threads", defaultValue = "2", description = "ONNX Runtime intra-op threads with --onnx") int threads;
    @Option(names = "--ignore-eos", description = "keep going past EOS/BOS (run a fixed number of tokens)") boolean ignoreEos;

    @Override
    public Integer call() throws Exception {
        if (maxPositions != null && maxNewTokens != null) {
            throw new IllegalArgumentException("give --max-positions or --max-new-tokens, not both");
        }
        Model m;
        try (LazyModel lm = modelArg.open()) {
            MemoryCheck.require("generate", MemoryCheck.wholeModel(lm.config(), MemoryCheck.INFERENCE_BYTES_PER_PARAM),
                    MemoryCheck.physicalBytes(), "export it (prunekit export MODEL out.onnx --dtype f16) and generate"
                            + " with ONNX Runtime, which maps the fp16 weights");
            m = lm.load();
        }
        Tokenizer tok = requireTokenizer(m);
        int[] body = tok.encode(prompt);
        int[] ids = new int[body.length + 1];
        ids[0] = tok.bosId();
        System.arraycopy(body, 0, ids, 1, body.length);
        // --max-positions N: N positions are run, so the sequence ends with N + 1 ids (BOS included).
        int maxLength = maxPositions != null ? maxPositions + 1 : ids.length + (maxNewTokens != null ? maxNewTokens : 64);
        if (maxPositions != null && maxPositions < ids.length) {
            throw new IllegalArgumentException("--max-positions " + maxPositions + " is shorter than the prompt ("
                    + ids.length + " positions with BOS)");
        }
        long t0 = System.nanoTime();
        Generator.Sampling sampling = new Generator.Sampling(temperature, topP, seed);
        int[] stops = ignoreEos ? new int[0] : new int[] {tok.eosId(), tok.bosId()};
        int[] out;
        if (onnx != null) {
            out = OnnxGeneration.generate(onnx, threads, ids, maxLength, sampling, stops);
        } else {
            try (Transformer t = new Transformer(m.weights())) {
                out = Generator.generate(t, ids, maxLength, sampling, stops);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        String text = tok.decode(java.util.Arrays.copyOfRange(out, 1, out.length));
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("text", text);
        res.put("ids", out);
        res.put("new_tokens", out.length - ids.length);
        res.put("seconds", secs);
        res.put("runtime", onnx != null ? "onnxruntime" : "djl-pytorch");
        json.print(spec.commandLine().getOut(), res, () -> text);
        return 0;
    }

    static Tokenizer requireTokenizer(Model m) {
        if (m.tokenizer() == null) {
            throw new IllegalArgumentException(m.source() + ": the model has no tokenizer; pass --tokenizer FILE");
        }
        return m.tokenizer();
    }
}
